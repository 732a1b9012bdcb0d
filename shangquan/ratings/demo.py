"""Demo ratings: 胜阳港's quarter run end to end (永安里商会's 文明诚信商户 on six
dimensions, three parties, the 流动红旗 passing on, an appeal answered, a 放心店 delisted by
优进绌退), 钟楼烟火's 外摆评分 rising from about 65 % to 98 % over eight weeks, and 泉港's
诚信遴选 of 示范户 and 放心店.

Built through the services; dates of the outdoor checks are backdated, as the other demos
do. Seeded, so two runs give the same data; a district that already has periods is left as is.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shangquan.core.actors import SYSTEM
from shangquan.core.demo import DemoContext
from shangquan.core.services import resident_get_or_create
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import owned_merchant_ids, owns_merchant

from . import services
from .models import OutdoorCheck, Period, Result, TitleKind

RATED = {"SYG": 48, "YJGC": 30}


def _photo(rng) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(120, 200), 90, 60)).save(buf, format="JPEG")
    return SimpleUploadedFile("waibai.jpg", buf.getvalue(), content_type="image/jpeg")


def _quarter_before(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    end = first - dt.timedelta(days=1)
    return dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end


def _score(ctx: DemoContext, period: Period, merchants: list[Merchant], quality: dict[int, int]):
    association, community = ctx.users["association"], ctx.users["community"]
    for m in merchants:
        base = quality[m.pk]
        for actor, spread in ((association, 4), (community, 6)):
            services.score_record(actor=actor, period=period, merchant=m, scores={
                d["code"]: max(40, min(100, base + ctx.rng.randint(-spread, spread)))
                for d in period.dimensions})
    # residents who dealt with the shops: 3–8 verified phones each, from the QR page
    for i, m in enumerate(merchants):
        for k in range(ctx.rng.randint(3, 8)):
            person = resident_get_or_create(phone=f"1377{ctx.district.pk % 10}{i:03d}{k:03d}")
            stars = max(1, min(5, round(quality[m.pk] / 20 + ctx.rng.uniform(-0.8, 0.6))))
            services.resident_score_record(actor=person, merchant=m, stars=stars, period=period)


def _outdoor(ctx: DemoContext, merchants: list[Merchant]) -> None:
    """Eight weeks of daily checks: compliance climbs from about 65 % to 98 %."""
    zoned = merchants[:12]
    for m in zoned:
        services.outdoor_zone_save(actor=SYSTEM, merchant=m, area_m2=ctx.rng.choice(["4", "6", "8"]),
                                   hours="17:00-23:30", passage_m="1.5")
    for day_back in range(56, 0, -2):
        share = 0.65 + (0.98 - 0.65) * (56 - day_back) / 54
        for m in zoned:
            ok = ctx.rng.random() < share
            items = ({"area": 9, "passage": 10, "tidy": ctx.rng.choice([8, 9, 10]), "hours": 10}
                     if ok else {"area": 6, "passage": ctx.rng.choice([4, 6]), "tidy": 7, "hours": 8})
            check = services.outdoor_check_record(actor=SYSTEM, merchant=m, items=items,
                                                  photo=None if ok else _photo(ctx.rng))
            when = timezone.now() - dt.timedelta(days=day_back)
            OutdoorCheck.objects.filter(pk=check.pk).update(checked_at=when, checked_on=when.date())


def load(ctx: DemoContext) -> None:
    want = RATED.get(ctx.district.code)
    if not want or Period.objects.filter(district=ctx.district).exists():
        return
    ctx.progress("  ratings: a quarter of 文明诚信商户, flags, titles, 外摆评分")
    committee, owner_user = ctx.users["committee"], ctx.users["merchant"]
    open_shops = (Merchant.objects.filter(district=ctx.district, status=Merchant.Status.OPEN)
                  .select_related("association", "grid").order_by("pk"))
    # the demo merchant's own shop first, so its owner can reply and appeal
    merchants = list(open_shops.filter(pk__in=owned_merchant_ids(owner_user, ctx.district))[:1])
    merchants += [m for m in open_shops[:want] if m.pk not in {x.pk for x in merchants}]
    merchants = merchants[:want]
    if not merchants:
        return
    quality = {m.pk: ctx.rng.choice([68, 74, 80, 84, 88, 91, 94, 96]) for m in merchants}
    fangxin = TitleKind.objects.filter(district=ctx.district, code="fangxin").first()
    shifan = TitleKind.objects.filter(district=ctx.district, code="shifanhu").first()

    # last quarter: scored, published; the first flags; 诚信遴选 lists the best as 放心店
    start, end = _quarter_before(timezone.localdate())
    last = services.period_create(actor=committee, district=ctx.district, starts_on=start,
                                  ends_on=end)
    services.period_open(actor=committee, period=last)
    _score(ctx, last, merchants, quality)
    services.period_close(actor=committee, period=last)
    services.period_publish(actor=committee, period=last, force=True)
    best = list(Result.objects.filter(period=last).order_by("-total_tenths")[:6])
    for kind in (fangxin, shifan):
        if kind is None:
            continue
        for r in best[:3] if kind is shifan else best:
            title = services.title_propose(actor=committee, district=ctx.district,
                                           merchant=r.merchant, kind=kind, reason="诚信遴选")
            services.title_transition(actor=committee, title=title, action="list",
                                      reason="诚信遴选，公示无异议")

    if ctx.district.code == "SYG":
        _outdoor(ctx, [m for m in merchants if m.association and "钟楼" in m.association.name]
                 or merchants)

    # this quarter: one 放心店 slips (一般 at the year end) and loses the plaque; the
    # flags pass on; a merchant appeals and is answered
    this = services.period_create(actor=committee, district=ctx.district)
    services.period_open(actor=committee, period=this)
    if best:
        quality[best[-1].merchant_id] = 66
        quality[best[0].merchant_id] = 86
        for m in merchants:
            if m.pk != best[0].merchant_id and quality[m.pk] >= 94:
                quality[m.pk] = 97
                break
    _score(ctx, this, merchants, quality)
    services.period_close(actor=committee, period=this)
    owned = next((m for m in merchants if owns_merchant(owner_user, m)), None)
    if owned is not None and Result.objects.filter(period=this, merchant=owned).exists():
        result = Result.objects.get(period=this, merchant=owned)
        services.result_reply(actor=owner_user, result=result,
                              text="已按商会意见整改后厨卫生，欢迎街坊监督。")
        appeal = services.appeal_file(actor=owner_user, result=result,
                                      reason="本季度服务分偏低，评分当天店内在装修，请复核。")
        services.appeal_decide(actor=committee, appeal=appeal, uphold=False,
                               decision="经核实评分当日正常营业，评分依据充分，维持原评。")
    services.period_publish(actor=committee, period=this, force=True)
