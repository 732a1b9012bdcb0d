"""Demo work orders: a few walked through the real services, the volume bulk-loaded.

About 0.74 orders per merchant over the last 180 days (× ``--scale``; ``--scale 400``
gives about a million across the five districts), in every state, with the KPI
counters rebuilt by one GROUP BY afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from shangquan.core.demo import DISTRICTS, DemoContext
from shangquan.core.models import Department
from shangquan.core.roles import Role
from shangquan.merchants.models import Grid, Merchant

from . import rollup, services
from .models import Category, KpiDaily, Rating, TicketCounter, WorkOrder
from .states import WORK_ORDER

ORDERS_PER_MERCHANT = 0.74
DAYS = 180
BATCH = 5000

# What people actually write, by category (from the articles' complaints).
TEXTS = {
    "oil_fume": ["烧烤摊油烟直排，楼上居民不敢开窗", "油烟净化器没开，整条街都是油烟味",
                 "炸串摊油烟太大，呛得路人咳嗽"],
    "noise": ["夜市音响放到凌晨一点，影响休息", "KTV 门口喇叭揽客声音太大", "广场舞音响扰民"],
    "street_occupation": ["摊位桌椅摆到盲道上", "外摆超出划线区域，堵住消防通道",
                          "流动摊贩占道经营"],
    "sanitation": ["垃圾桶满溢无人清运", "餐厨垃圾倒进雨水井", "公厕卫生差、无纸"],
    "food_safety": ["凉皮店后厨卫生差，有苍蝇", "买到过期的饮料", "小吃摊无健康证上岗"],
    "metrology": ["水果摊缺斤短两，两斤少了二两", "海鲜称重不准，复秤差 150 克",
                  "电子秤疑似被改装"],
    "fire_safety": ["店铺门口堆放液化气罐", "消防通道被电动车堵死", "灭火器过期"],
    "gas": ["闻到燃气味，疑似泄漏", "燃气软管老化开裂"],
    "electricity": ["私拉电线给摊位供电", "配电箱门敞开，电线裸露"],
    "parking": ["车辆乱停堵塞路口", "电动车占用人行道", "停车场收费不明码标价"],
    "waterlogging": ["下雨后路口积水没过脚踝", "排水沟堵塞"],
    "price": ["菜单价格与结账不符", "不明码标价，宰客", "景区商品价格虚高"],
    "consumer_dispute": ["预付卡商家跑路", "退货被拒，商家态度恶劣", "网红店排队收取费用"],
    "crowd_safety": ["入口人太多，出现拥挤推搡", "通道狭窄人流对冲"],
    "facilities": ["路灯不亮", "休息座椅损坏", "导视牌被撞坏"],
}
COMMENTS = {"satisfied": ["处理很快，点赞", "已经整改，谢谢", ""],
            "basic": ["问题解决了但有点慢", "基本解决", ""],
            "unsatisfied": ["问题还在", "只是口头警告，没有效果"]}
CHANNEL_MIX = [("resident", 55), ("volunteer", 12), ("grid_leader", 15), ("hotline", 12),
               ("merchant", 4), ("open311", 2)]


def load(ctx: DemoContext) -> None:
    district = ctx.district
    services.categories_ensure(district=district)
    if WorkOrder.objects.filter(district=district).exists():
        return  # already loaded: the demo is re-runnable
    _showcase(ctx)
    count = round(ctx.spec.merchants * ORDERS_PER_MERCHANT * ctx.scale)
    _bulk(ctx, count)
    ctx.progress(f"  workorders: {WorkOrder.objects.filter(district=district).count()} orders")


def _showcase(ctx: DemoContext) -> None:
    """A handful of orders walked through the real services, for the demo logins."""
    d, users, rng = ctx.district, ctx.users, ctx.rng
    committee, resident = users[Role.COMMITTEE], users[Role.RESIDENT]
    dept = ctx.departments
    merchants = list(Merchant.objects.filter(district=d).order_by("id")[:20])

    def submit(code: str, actor=resident, channel: str = "resident", **kw):
        merchant = rng.choice(merchants) if merchants and code in (
            "oil_fume", "metrology", "price", "food_safety") else None
        return services.work_order_submit(actor=actor, district=d, category_code=code,
                                          description=rng.choice(TEXTS[code]), channel=channel,
                                          merchant=merchant, **kw)

    def dispatch(order, code: str):
        return services.work_order_dispatch(actor=committee, district=d, order=order,
                                            department=dept[code])

    handler = ctx.department_users
    # waiting for the committee
    submit("noise")
    submit("street_occupation", actor=users[Role.GRID_LEADER], channel="grid_leader")
    submit("parking", actor=users[Role.VOLUNTEER], channel="volunteer")
    # waiting for 市场监管 to accept
    dispatch(submit("metrology"), "scjg")
    # being handled
    o = dispatch(submit("oil_fume"), "cgzf")
    services.work_order_accept(actor=handler["cgzf"], district=d, order=o)
    # resolved: the demo resident can rate it
    o = dispatch(submit("price"), "scjg")
    services.work_order_accept(actor=handler["scjg"], district=d, order=o)
    services.work_order_resolve(actor=handler["scjg"], district=d, order=o,
                                note="已约谈商户，责令明码标价并退还差价")
    # closed and rated, with a follow-up visit
    o = dispatch(submit("sanitation"), "cgzf")
    services.work_order_accept(actor=handler["cgzf"], district=d, order=o)
    services.work_order_resolve(actor=handler["cgzf"], district=d, order=o,
                                note="已协调环卫增加清运频次")
    services.work_order_rate(actor=resident, district=d, order=o, rating=Rating.SATISFIED,
                             comment="第二天就清理了")
    services.follow_up_record(actor=committee, district=d, order=o, outcome="solved",
                              note="一周后回访，垃圾按时清运")
    # a hotline call that was rejected
    o = submit("consumer_dispute", actor=committee, channel="hotline",
               reporter_name="刘女士", reporter_phone="13700000001")
    services.work_order_reject(actor=committee, district=d, order=o,
                               reason="属于合同纠纷，已告知向消费者协会调解")
    # a duplicate merged into an earlier report of the same problem
    first = submit("noise", actor=users[Role.VOLUNTEER], channel="volunteer")
    again = submit("noise")
    services.work_order_merge(actor=committee, district=d, order=again, into=first,
                              reason="同一 KTV 噪音问题，已并案办理")
    # overdue: dispatched two days ago to 消防, so the check blows the whistle
    o = dispatch(submit("fire_safety"), "xf")
    WorkOrder.objects.filter(pk=o.pk).update(
        response_due_at=timezone.now() - dt.timedelta(hours=3),
        resolution_due_at=timezone.now() - dt.timedelta(hours=1))
    services.overdue_check()


def bulk_orders(*, district, count: int, seed: str = "bench") -> None:
    """Add ``count`` bulk orders to a demo district and rebuild its KPI counters (benchmarks)."""
    spec = next(s for s in DISTRICTS if s.code == district.code)
    users = {Role.RESIDENT: None}
    ctx = DemoContext(district=district, spec=spec, rng=random.Random(seed), scale=1,
                      users=users, progress=lambda m: None, logins=[],
                      departments={d.code: d for d in Department.objects.filter(
                          district=district)}, department_users={})
    _bulk(ctx, count, seed=seed)


def _bulk(ctx: DemoContext, count: int, seed: str = "demo") -> None:
    """Plain rows through ``executemany`` (Django's bulk_create batches are tiny on SQLite),
    with the KPI counters summed on the way and added once at the end."""
    d, rng = ctx.district, random.Random(f"bulk:{seed}:{ctx.district.code}")
    categories = list(Category.objects.filter(district=d))
    weights = [{"oil_fume": 14, "noise": 12, "street_occupation": 14, "sanitation": 12,
                "metrology": 8, "price": 8, "parking": 9, "food_safety": 5}.get(c.code, 3)
               for c in categories]
    merchant_rows = list(Merchant.objects.filter(district=d).values_list(
        "id", "grid_id", "latitude", "longitude"))
    grid_ids = list(Grid.objects.filter(district=d).values_list("id", flat=True))
    dept_ids = [dept.pk for dept in ctx.departments.values()]
    default_dept = {c.pk: c.department_id or rng.choice(dept_ids) for c in categories}
    resident = ctx.users.get(Role.RESIDENT)
    channels = [c for c, _w in CHANNEL_MIX]
    channel_w = [w for _c, w in CHANNEL_MIX]
    now = timezone.now()
    base_lat = float(d.latitude or 30)
    base_lon = float(d.longitude or 114)
    seq: dict[dt.date, int] = {
        c.day: c.last for c in TicketCounter.objects.filter(district=d)}
    writer = _RowWriter()
    totals: dict[tuple, dict[str, int]] = {}
    for i in range(count):
        age = dt.timedelta(seconds=rng.random() ** 1.4 * DAYS * 86400)
        created = now - age - dt.timedelta(minutes=5)
        cat = rng.choices(categories, weights)[0]
        day = rollup.local_day(created)
        seq[day] = seq.get(day, 0) + 1
        m = rng.choice(merchant_rows) if merchant_rows and rng.random() < 0.55 else None
        if m is not None and m[2] is not None:
            lat, lon = m[2], m[3]
        else:
            lat = Decimal(f"{base_lat + rng.uniform(-0.004, 0.004):.6f}")
            lon = Decimal(f"{base_lon + rng.uniform(-0.004, 0.004):.6f}")
        o = writer.row(
            district_id=d.pk, number=f"{d.code}-{day:%Y%m%d}-{seq[day]:04d}",
            category_id=cat.pk, channel=rng.choices(channels, channel_w)[0],
            description=rng.choice(TEXTS.get(cat.code, ["现场问题待处理"])),
            merchant_id=m[0] if m else None,
            grid_id=(m[1] if m else (rng.choice(grid_ids) if grid_ids and rng.random() < 0.6
                                     else None)),
            latitude=lat, longitude=lon, created_at=created,
            reporter_id=resident.pk if resident is not None and i % 97 == 0 else None,
            reporter_name="" if i % 3 else "群众", anonymous=bool(i % 3 == 1))
        _fate(o, rng, now, default_dept[cat.pk], cat)
        _, buckets = rollup.contribution(o)
        for (dim, key), vec in buckets.items():
            acc = totals.setdefault((day, dim, key), dict.fromkeys(KpiDaily.COUNTERS, 0))
            for name, value in vec.items():
                acc[name] += value
        writer.add(o)
    writer.flush()
    rollup.add_bulk(d, totals)
    TicketCounter.objects.filter(district=d).delete()
    TicketCounter.objects.bulk_create([TicketCounter(district=d, day=k, last=v)
                                       for k, v in seq.items()], batch_size=2000)


def _datetime_param(value: dt.datetime | None):
    """What Django's backends store for an aware datetime, without its per-call overhead:
    PostgreSQL takes it as is; SQLite keeps naive UTC text."""
    if value is None or connection.vendor != "sqlite":
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


class _RowWriter:
    """Rows as namespaces with the model's defaults, written with one prepared INSERT."""

    def __init__(self) -> None:
        self.fields = [f for f in WorkOrder._meta.concrete_fields if not f.primary_key]
        # Only times, dates and decimals need converting; the rest pass as they are.
        self.convert = [_datetime_param if isinstance(f, models.DateTimeField)
                        else (lambda v, f=f: f.get_db_prep_save(v, connection))
                        if isinstance(f, models.DateField | models.DecimalField
                                      | models.JSONField) else None
                        for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = (f"INSERT INTO {connection.ops.quote_name(WorkOrder._meta.db_table)} "
                    f"({columns}) VALUES ({marks})")
        self.pending: list[tuple] = []

    def row(self, **values) -> SimpleNamespace:
        return SimpleNamespace(**{**self.defaults, **values})

    def add(self, o: SimpleNamespace) -> None:
        self.pending.append(tuple(
            c(getattr(o, f.attname)) if c is not None else getattr(o, f.attname)
            for f, c in zip(self.fields, self.convert, strict=True)))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(self.sql, self.pending)
            self.pending.clear()


def _fate(o: Any, rng: random.Random, now: dt.datetime, dept_id: int, cat) -> None:
    """Decide where this order is in the loop, with consistent timestamps."""
    age_h = (now - o.created_at).total_seconds() / 3600
    roll = rng.random()
    # The history walks the declared table (WORK_ORDER.apply), like the services do.
    if roll < 0.04:
        WORK_ORDER.apply(o, "reject")
        o.public_note, o.closed_at = "不属于商圈管理范围", o.created_at + dt.timedelta(hours=2)
        return
    if roll < 0.07 and age_h > 1:
        # merged into an earlier order would need its id: keep these as rejected duplicates
        WORK_ORDER.apply(o, "reject")
        o.public_note, o.closed_at = "重复反映，已并案处理", o.created_at + dt.timedelta(hours=1)
        return
    if age_h < 1 or (age_h < 24 and roll < 0.3):
        return  # still submitted
    o.department_id = dept_id
    o.dispatched_at = o.created_at + dt.timedelta(minutes=rng.randint(10, 240))
    o.response_due_at = o.dispatched_at + dt.timedelta(hours=cat.response_hours)
    o.resolution_due_at = o.dispatched_at + dt.timedelta(hours=cat.resolution_hours)
    WORK_ORDER.apply(o, "dispatch")
    late = rng.random() < 0.08
    accept_after = cat.response_hours * (1.3 if late else rng.uniform(0.05, 0.9))
    accepted = o.dispatched_at + dt.timedelta(hours=accept_after)
    if accepted > now:
        o.response_overdue = now > o.response_due_at
        return
    WORK_ORDER.apply(o, "accept")
    o.accepted_at, o.response_overdue = accepted, late
    slow = rng.random() < 0.1
    resolve_after = cat.resolution_hours * (1.2 if slow else rng.uniform(0.05, 0.8))
    resolved = accepted + dt.timedelta(hours=resolve_after)
    if resolved > now:
        o.resolution_overdue = now > o.resolution_due_at
        return
    WORK_ORDER.apply(o, "resolve")
    o.resolved_at, o.resolution_overdue = resolved, slow
    o.resolution_note = "已现场处置并责令整改"
    o.rating_due_at = resolved + dt.timedelta(days=7)
    if o.rating_due_at > now and rng.random() < 0.6:
        return  # waiting for the rating
    r = rng.random()
    if r < 0.55:
        o.rating = rng.choices(["satisfied", "basic", "unsatisfied"], [72, 20, 8])[0]
        o.rating_comment = rng.choice(COMMENTS[o.rating])
        o.rated_at = resolved + dt.timedelta(hours=rng.randint(1, 100))
        if o.rating == "unsatisfied" and rng.random() < 0.5:
            o.rating_excluded = rng.random() < 0.2
            o.rating_excluded_reason = "诉求超出合理范围" if o.rating_excluded else ""
        if o.rating == "unsatisfied" and not o.rating_excluded:
            WORK_ORDER.apply(o, "rate_unsatisfied")
            o.past_handlings = [rollup.past_handling(o)]  # the department keeps it
            o.reopen_count, o.department_id = 1, None
            return
    WORK_ORDER.apply(o, "rate_satisfied" if o.rating else "auto_close")
    o.closed_at = o.rated_at or o.rating_due_at
