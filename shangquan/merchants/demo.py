"""Demo merchants, grids and rosters that feel like the places in the source articles.

Volume goes through bulk_create (WDZZ has about 2,500 shops); one audit row records
the load. Everything is seeded, dates are relative to today.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record
from shangquan.core.demo import DemoContext
from shangquan.core.errors import ValidationFailed
from shangquan.org.models import OrgUnit, PartyMember

from . import grids, rosters
from .licences import make_uscc
from .models import Association, Grid, GridContact, Merchant, MerchantStaff

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
SHOP_WORDS = {
    "小吃": ["烤冷面", "锦州烧烤", "炸串", "臭豆腐", "糖葫芦", "煎饼果子", "烤鱿鱼", "麻辣烫"],
    "餐饮": ["家常菜馆", "饺子馆", "米线", "面馆", "砂锅", "快餐", "小炒"],
    "饮品": ["奶茶", "鲜榨果汁", "柠檬茶", "冰粉"],
    "服饰": ["服饰", "潮牌", "童装", "鞋包", "内衣"],
    "文创": ["文创", "手作", "剪纸", "非遗手工"],
    "游乐": ["套圈", "射击游戏", "打气球"],
    "国潮文创": ["国潮文创", "汉服馆", "惠女服饰", "木雕", "影雕"],
    "茶饮": ["铁观音茶行", "茶饮", "功夫茶"],
    "美妆": ["美妆", "香氛"],
    "生鲜": ["水果", "海鲜", "蔬菜", "鲜肉", "干货"],
    "百货": ["百货", "五金", "日杂", "超市"],
    "烧烤": ["烧烤", "烤串", "小龙虾"],
    "火锅": ["老火锅", "串串香", "江湖菜"],
    "特产": ["陈麻花", "火锅底料", "怪味胡豆", "城口老腊肉"],
    "数码": ["手机维修", "数码配件", "电脑城", "摄影器材"],
    "美容美发": ["美发", "美甲", "美容"],
    "教育培训": ["书法培训", "少儿编程", "舞蹈培训"],
}
PLACES = {
    "night_market": ("凌河夜市", "{area}区{n:03d}号摊位", ["A", "B", "C", "D"]),
    "street": ("永嘉国潮街区", "国潮街{n}号", ["五号商业楼", "国潮街"]),
    "associations": ("胜阳港", "{area}{n}号", ["交通路", "摩尔城", "永安里", "钟楼烟火街"]),
    "scenic": ("解放碑", "{area}{n}号", ["解放碑步行街", "八一路好吃街", "洪崖洞", "朝天门"]),
    "mall": ("万达紫贞", "{area}{n:04d}", ["万达广场", "现代城数码枢纽港", "体育运动中心"]),
}
HOURS = {"night_market": "17:00–23:30", "street": "10:00–22:00", "associations": "09:00–22:00",
         "scenic": "10:00–23:00", "mall": "10:00–22:00"}
PROMISES = ["明码标价，足斤足两", "不欺客不宰客，有问题先行赔付", "食品安全我负责，后厨随时可看",
            "门前三包，垃圾不落地", "文明经营，不占道不外溢"]


def _shop_name(rng, category: str, owner: str) -> str:
    words = SHOP_WORDS.get(category, [category])
    return f"{owner[0]}记{rng.choice(words)}"


def load(ctx: DemoContext) -> None:
    district, spec, rng = ctx.district, ctx.spec, ctx.rng
    if Merchant.objects.filter(district=district).exists():
        return
    total = spec.merchants * ctx.scale
    ctx.progress(f"  merchants: {total} 家商户、网格、排班")
    associations = Association.objects.bulk_create([
        Association(district=district, name=name, contact=rng.choice(SURNAMES) + "会长",
                    public_phone=f"0{rng.randrange(100, 999)}-{rng.randrange(10**7, 10**8)}")
        for name in spec.associations])
    _brand, address_fmt, areas = PLACES.get(spec.kind, PLACES["street"])
    # Lay shops along streets around the district centre (about 8 m apart).
    per_row = max(10, int(math.sqrt(total) * 1.5))
    lat0, lon0 = Decimal(str(spec.lat)), Decimal(str(spec.lon))
    branch_units = list(OrgUnit.objects.filter(district=district, kind=OrgUnit.Kind.TREE,
                                               children__isnull=True).order_by("name"))
    merchants, members = [], []
    today = timezone.localdate()
    for i in range(total):
        category = spec.categories[i % len(spec.categories)] if i % 3 else rng.choice(
            spec.categories)
        owner = rng.choice(SURNAMES) + rng.choice("伟芳敏静丽强军洋勇艳杰娟涛明超霞平刚")
        area_index = (i // per_row) % len(areas)
        row, col = divmod(i, per_row)
        party = rng.random() < 0.08
        merchant = Merchant(
            district=district, name=_shop_name(rng, category, owner),
            licence_no=make_uscc(f"92{_region(spec.code)}MA{i:07d}"),
            category=category, address=address_fmt.format(area=areas[area_index], n=i + 1),
            stall_no=f"{areas[area_index][0]}-{i + 1:04d}", contact_name=owner,
            phone=f"13{rng.randrange(5, 10)}{rng.randrange(10**8):08d}",
            opening_hours=HOURS.get(spec.kind, ""),
            outdoor_area=Decimal(rng.choice(["0", "2", "3.5", "6", "8"])),
            latitude=(lat0 + Decimal(row) * Decimal("0.00008")).quantize(Decimal("0.000001")),
            longitude=(lon0 + Decimal(col) * Decimal("0.00009")).quantize(Decimal("0.000001")),
            association=associations[area_index % len(associations)],
            status=rng.choices(["open", "suspended"], weights=[97, 3])[0],
            is_party_member=party,
            party_badge=rng.choice(["shop", "operator"]) if party else "",
            commit_identity=f"共产党员 {owner}" if party else "",
            commit_duty=rng.choice(["带头诚信经营", "邻铺互助、首应巡查", "义务消防员"]) if party else "",
            commit_promise=rng.choice(PROMISES) if party else "")
        if merchant.status == "suspended":
            merchant.status_reason = rng.choice(["停业整改", "店主休假", "装修"])
        if party and branch_units:
            members.append((merchant, PartyMember(
                district=district, unit=branch_units[i % len(branch_units)], name=owner,
                role=PartyMember.Role.MEMBER, phone=merchant.phone,
                joined_on=today - dt.timedelta(days=rng.randrange(400, 9000)))))
        merchants.append(merchant)
    merchant_user = ctx.users.get("merchant")
    if merchants and merchant_user is not None:
        merchants[0].owner = merchant_user
    PartyMember.objects.bulk_create([m for _shop, m in members])
    for shop, member in members:
        shop.party_member = member
    Merchant.objects.bulk_create(merchants, batch_size=500)
    if merchant_user is not None:
        first = Merchant.objects.get(district=district, licence_no=merchants[0].licence_no)
        MerchantStaff.objects.create(district=district, merchant=first, user=merchant_user,
                                     role=MerchantStaff.Role.OWNER)
    _grids(ctx, today)
    audit_record(actor=SYSTEM, district=district, action="merchants.demo.load",
                 object_type="merchants.merchant", object_id="*",
                 after={"merchants": total, "party_members": len(members)})


def _region(code: str) -> str:
    return {"LHYS": "210703", "YJGC": "350505", "SYG": "420202", "JFB": "500103",
            "WDZZ": "420606"}.get(code, "110000")


def _grids(ctx: DemoContext, today: dt.date) -> None:
    district, rng = ctx.district, ctx.rng
    proposal = grids.grids_propose(district=district, size=10, prefix="十邻铺")
    created = grids.grids_apply(actor=SYSTEM, district=district, proposal=proposal)
    leader_user = ctx.users.get("grid_leader")
    contacts, updates = [], []
    for n, grid in enumerate(created):
        first = grid.merchants.order_by("stall_no").first()
        grid.leader_name = first.contact_name if first else ""
        grid.public_contact = f"邻铺长服务台 {grid.name[-3:]} 号牌"
        if n == 0 and leader_user is not None:
            grid.leader = leader_user
        updates.append(grid)
        contacts += [
            GridContact(district=district, grid=grid, kind="property", name="物业值班室",
                        phone=f"0{rng.randrange(100, 999)}{rng.randrange(10**7, 10**8)}"),
            GridContact(district=district, grid=grid, kind="security", name="保安队",
                        phone=f"137{rng.randrange(10**8):08d}"),
            GridContact(district=district, grid=grid, kind="fire", name="微型消防站",
                        phone=f"0{rng.randrange(100, 999)}{rng.randrange(10**7, 10**8)}"),
        ]
    Grid.objects.bulk_update(updates, ["leader_name", "public_contact", "leader"])
    GridContact.objects.bulk_create(contacts)
    # A month of 街区管家 turns per grid (closed on the market's rest day), from last week.
    closed = [0] if ctx.spec.kind == "night_market" else []
    for grid in created:
        try:
            rosters.roster_generate(actor=SYSTEM, district=district, title=f"{grid.name}街区管家",
                                    grid=grid, starts_on=today - dt.timedelta(days=7),
                                    ends_on=today + dt.timedelta(days=30),
                                    closed_weekdays=closed)
        except ValidationFailed:  # a grid whose shops are all closed has no roster
            continue
