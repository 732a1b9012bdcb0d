"""Demo scales: 凌河夜市's 26 metering merchants under commitment and checked every night,
胜阳港's 诚信一条街 with its 公平秤监管系统, 解放碑's integrity metering, and the rest.

Built through the services (each check is judged, failures open rectifications), with
dates backdated over the last weeks; seeded, so two runs give the same data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.demo import DemoContext
from shangquan.core.district_settings import district_settings, district_settings_update
from shangquan.merchants.licences import make_uscc
from shangquan.merchants.models import Merchant
from shangquan.merchants.services import merchant_create

from . import services
from .models import Instrument

# Merchants that sell by weight.
WEIGHING = ("生鲜", "特产", "小吃", "烧烤", "百货", "火锅", "茶饮", "饮品", "餐饮")
# (metering merchants at scale 1, spot-check window in days, fair-scale re-weighs)
PROFILE = {
    "LHYS": (26, 1, 14),   # 与 26 家使用计量器具商户签订承诺书, 每天不定时砝码查验
    "SYG": (30, 7, 24),    # 诚信一条街, 公平秤监管系统
    "JFB": (24, 7, 18),    # 诚信计量: visitors buying 特产 by weight
    "YJGC": (14, 14, 8),
    "WDZZ": (48, 14, 12),
}
CERT_PREFIX = {"LHYS": "锦计检", "SYG": "黄计检", "JFB": "渝计检", "YJGC": "泉计检",
               "WDZZ": "襄计检"}
MAKERS = ("上海友声衡器", "凯丰集团", "大华电子秤", "顶尖电子", "寺冈电子")
# kind, Max (g), e (g), class, share
MODELS = [
    ("price_computing", 15000, 5, "III", 6), ("price_computing", 30000, 10, "III", 3),
    ("price_computing", 6000, 2, "III", 2), ("counter", 10000, 50, "IIII", 1),
    ("platform", 150000, 50, "III", 1),
]
GOODS = {
    "staple": ("苹果", "土豆", "大米", "西瓜"), "standard": ("猪肉", "鸡蛋", "麻花", "卤菜"),
    "dried": ("香菇", "火锅底料", "牛肉干", "茶叶"), "premium": ("车厘子", "花椒", "虾仁"),
}
MISSING_MERCHANT_NAMES = ("诚信干货", "老街卤味", "鲜果汇", "放心肉铺", "山货特产", "良心秤铺")


def _metering_merchants(ctx: DemoContext, want: int) -> list[Merchant]:
    """Shops that sell by weight first (fresh food, specialities, snacks), in that order."""
    qs = Merchant.objects.filter(district=ctx.district, status=Merchant.Status.OPEN)
    found: list[Merchant] = []
    for category in WEIGHING:
        found += list(qs.filter(category=category).order_by("pk")[:want - len(found)])
        if len(found) >= want:
            break
    if not found:
        found = _fallback_merchants(ctx)
    owned = Merchant.objects.filter(district=ctx.district, owner=ctx.users["merchant"]).first()
    if owned and owned.category in WEIGHING and owned not in found:
        found[0] = owned  # the demo merchant login sees its own scale
    return found


def _fallback_merchants(ctx: DemoContext) -> list[Merchant]:
    """Only while the merchants module has no demo of its own."""
    out = []
    for n, name in enumerate(MISSING_MERCHANT_NAMES):
        region = sum(ord(ch) for ch in ctx.district.code) % 100000  # stable across runs
        body = f"923{region:05d}MA{n:07d}"
        out.append(merchant_create(actor=SYSTEM, district=ctx.district, name=name,
                                   licence_no=make_uscc(body), category="生鲜",
                                   stall_no=f"S-{n + 1:02d}",
                                   owner=ctx.users["merchant"] if n == 0 else None))
    return out


def _at(day: dt.date, rng) -> dt.datetime:
    # Night markets are checked in the evening, streets in the afternoon.
    hour = rng.choice((15, 17, 19, 20, 21))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randrange(60))))


def load(ctx: DemoContext) -> None:
    code = ctx.district.code
    count, window, reweighs = PROFILE.get(code, (10, 7, 6))
    rng = ctx.rng
    today = timezone.localdate()
    if district_settings(district=ctx.district, app="scales").is_default("check_window_days"):
        district_settings_update(actor=SYSTEM, district=ctx.district, app="scales",
                                 values={"check_window_days": window})
    if Instrument.objects.filter(district=ctx.district).exists():
        return
    ctx.progress(f"  scales: {count * ctx.scale} metering merchants")
    merchants = _metering_merchants(ctx, count * ctx.scale)
    checker = ctx.department_users.get("scjg") or ctx.users["department"]
    patrol = ctx.users["grid_leader"]
    weights = [m[4] for m in MODELS]
    instruments: list[Instrument] = []
    for n, merchant in enumerate(merchants):
        for k in range(1 if rng.random() < 0.75 else 2):
            kind, max_g, e_g, cls, _share = rng.choices(MODELS, weights)[0]
            age = rng.randrange(20, 330)
            if n % 17 == 5:
                age = 372  # a certificate already overdue
            elif n % 11 == 3:
                age = 345  # due within the month
            cert_date = today - dt.timedelta(days=age)
            signed = (today - dt.timedelta(days=rng.randrange(60, 240))
                      if code == "LHYS" or rng.random() < 0.8 else None)
            instruments.append(services.instrument_register(
                actor=SYSTEM, district=ctx.district, merchant=merchant, kind=kind,
                maker=rng.choice(MAKERS), model_no=f"ACS-{max_g // 1000}",
                serial_no=f"{code}{n:04d}{k}", max_capacity_g=Decimal(max_g),
                e_g=Decimal(e_g), accuracy_class=cls,
                certificate_no=f"{CERT_PREFIX.get(code, '计检')}[{cert_date.year}]第{n * 2 + k + 101:04d}号",
                certificate_date=cert_date,
                in_service_since=cert_date + dt.timedelta(days=3),
                commitment_signed_on=signed))
    Instrument.objects.filter(district=ctx.district).update(
        created_at=timezone.now() - dt.timedelta(days=60))
    _history(ctx, instruments, window, checker, patrol)
    _reweighs(ctx, merchants, reweighs)
    services.certificates_sweep(district=ctx.district)
    services.plan_ensure(district=ctx.district)


def _history(ctx: DemoContext, instruments: list[Instrument], window: int, checker,
             patrol) -> None:
    """Past checks: the window's rhythm over the last four weeks, a few failures."""
    rng = ctx.rng
    today = timezone.localdate()
    span = 28 if window > 1 else 7  # a week of nightly checks is plenty for the night market
    for instrument in instruments:
        day = today - dt.timedelta(days=span - rng.randrange(max(1, window)))
        while day < today:
            load = _test_load(instrument)
            fail = rng.random() < 0.04
            e = instrument.e_g
            error = e * (rng.choice((4, 5, -4)) if fail else rng.choice((0, 0, 0, 1, -1)))
            actor = patrol if ctx.district.code == "LHYS" and rng.random() < 0.5 else checker
            check = services.spot_check_record(actor=actor, district=ctx.district,
                                               instrument=instrument, load_g=load,
                                               indications=[load + error], planned=True,
                                               checked_at=_at(day, rng))
            expired = instrument.next_due is not None and instrument.next_due < today
            if not check.passed and not expired and rng.random() < 0.7:
                # Repaired and re-verified within days: re-checked and back in use.
                again = min(today - dt.timedelta(days=1), day + dt.timedelta(days=2))
                services.spot_check_record(actor=checker, district=ctx.district,
                                           instrument=instrument, load_g=load,
                                           indications=[load], checked_at=_at(again, rng))
                services.instrument_reinstate(actor=checker, district=ctx.district,
                                              instrument=instrument)
            day += dt.timedelta(days=max(1, window - rng.randrange(0, 2)))


def _test_load(instrument: Instrument) -> Decimal:
    for kg in (5, 2, 10, 50, 1):
        load = Decimal(kg * 1000)
        if 20 * instrument.e_g <= load <= instrument.max_capacity_g:
            return load
    return instrument.max_capacity_g


def _reweighs(ctx: DemoContext, merchants: list[Merchant], count: int) -> None:
    rng = ctx.rng
    for n in range(count * ctx.scale):
        band = rng.choice(("staple", "standard", "standard", "dried", "premium"))
        claimed = Decimal(rng.choice((500, 750, 1000, 1500, 2000)))
        short = n % 6 == 2
        shortfall = Decimal(rng.choice((15, 25, 50))) if short else Decimal(rng.choice((0, 0, 1, -2)))
        record = services.reweigh_record(
            actor=SYSTEM, district=ctx.district, merchant=rng.choice(merchants),
            goods=rng.choice(GOODS[band]), band=band, claimed_g=claimed,
            measured_g=claimed - shortfall)
        if record.verdict == "short" and n % 12 == 2:
            services.reweigh_complain(actor=SYSTEM, district=ctx.district, reweigh=record)
