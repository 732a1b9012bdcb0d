"""Demo 积分超市, after the source articles.

万达紫贞 runs a points shop where community resources and caring merchants offer 20+
goods and services (文体用品, 健康体检 …); 钟楼烟火协会 (胜阳港) lets residents exchange
points for merchants' services; 交通路商会 repairs shoes for free. Residents and the
volunteer earn their first points through the rules (a substantiated report, a job
created), so every balance in the demo comes from a posting.
"""

from __future__ import annotations

from shangquan.core.actors import system
from shangquan.core.demo import DemoContext
from shangquan.merchants.models import Merchant

from .models import Eligibility, Item
from .services import ledger, shop

DEMO = system("demo")

# (name, kind, price, stock or daily places, limit per month, eligibility, description)
COMMUNITY_GOODS = [
    ("羽毛球拍（文体用品）", "goods", 300, 20, 1, Eligibility.ANYONE, "社区文体资源"),
    ("跳绳与毽子套装", "goods", 80, 40, 2, Eligibility.ANYONE, "社区文体资源"),
    ("骑手保温水杯", "goods", 120, 30, 1, Eligibility.VOLUNTEERS, "新就业群体驿站"),
    ("图书借阅卡（一年）", "goods", 150, 25, 1, Eligibility.RESIDENTS, "邻里中心悦读分享会"),
    ("雨伞", "goods", 60, 50, 1, Eligibility.ANYONE, "党群服务站"),
]
# merchant services: (name, price, places per day, description); given by the first
# merchants of the district's categories below
MERCHANT_SERVICES = {
    "WDZZ": [("健康体检（基础套餐）", 200, 5, "爱心商户提供", ("美容美发", "百货", "餐饮")),
             ("理发一次", 100, 8, "爱心商户提供", ("美容美发",)),
             ("手机贴膜", 60, 10, "现代城数码枢纽港商户", ("数码",))],
    "SYG": [("免费修鞋", 50, 6, "交通路商会商户义工队", ("百货", "服饰")),
            ("烧烤套餐八折券", 120, 10, "钟楼烟火协会商户", ("烧烤", "餐饮")),
            ("理发一次", 100, 6, "永安里商户", ("小吃", "餐饮"))],
    "YJGC": [("国潮文创书签", 40, 20, "国潮街区商会", ("国潮文创",))],
    "JFB": [("火锅店饮品一份", 50, 10, "解放碑商圈商会", ("火锅", "饮品"))],
}


def load(ctx: DemoContext) -> None:
    district = ctx.district
    ledger.district_defaults_seed(actor=DEMO, district=district)
    if Item.objects.filter(district=district).exists():
        return
    for name, kind, price, stock, limit, eligibility, description in COMMUNITY_GOODS:
        shop.item_create(actor=DEMO, district=district, name=name, kind=kind, price=price,
                         stock=stock, limit_per_month=limit, eligibility=eligibility,
                         provider="社区", description=description)
    merchants = Merchant.objects.filter(district=district).order_by("pk")
    for name, price, places, description, categories in MERCHANT_SERVICES.get(district.code, []):
        merchant = merchants.filter(category__in=categories).first() or merchants.first()
        if merchant is None:
            continue
        shop.item_create(actor=DEMO, district=district, name=name, kind=Item.Kind.SERVICE,
                         price=price, daily_capacity=places, merchant=merchant,
                         description=description, limit_per_month=1)
    # first points, through the rules: residents' substantiated reports come from the
    # report_awards_sync job; a merchant that created jobs earns the job rule
    first = merchants.first()
    if first is not None:
        for n in range(ctx.rng.randint(1, 3)):
            ledger.award_post(actor=DEMO, district=district, rule_code="job_created",
                              source_type="merchants.job", source_id=f"demo-{first.pk}-{n}",
                              merchant=first, memo="吸纳就业（演示）")
    ledger.report_awards_sync(actor=DEMO)
