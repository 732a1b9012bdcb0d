"""Demo party organisations modelled on the five source articles."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record
from shangquan.core.demo import DemoContext

from . import services
from .models import CheckIn, LiaisonStation, MobileMember, OrgUnit, PartyMember

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红海燕晓东春梅"

# (levels, tree as (name, parent, level index), alliances, external units, stations)
PLANS: dict[str, dict] = {
    "LHYS": {
        "levels": ["街道党工委", "商圈党委", "党支部"],
        "tree": [("凌河区凌安街道党工委", None, 0), ("凌河实业商圈党委", "凌河区凌安街道党工委", 1),
                 ("凌河夜市商户党支部", "凌河实业商圈党委", 2),
                 ("凌河夜市志愿服务党支部", "凌河实业商圈党委", 2)],
        "external": ["凌河区消防救援大队", "凌安派出所", "锦州市政通公益救援队"],
        "alliances": [("凌河夜市功能型党委", "functional", "凌河夜市主入口等候区",
                       "共驻共治共谋：分段限流、疏散人墙、儿童等候区")],
        "stations": [("凌河夜市党群服务站", "凌河夜市主入口东侧")],
    },
    "YJGC": {
        "levels": ["街道党工委", "商圈党委", "基层党支部", "党员商户"],
        "tree": [("山腰街道党工委", None, 0), ("永嘉国潮街区商圈党委", "山腰街道党工委", 1),
                 ("五号商业楼党总支", "永嘉国潮街区商圈党委", 2),
                 ("国潮街区第一党支部", "永嘉国潮街区商圈党委", 2),
                 ("国潮街区第二党支部", "永嘉国潮街区商圈党委", 2)],
        "external": ["泉港区市场监管局党组", "山腰派出所党支部", "永嘉社区党委"],
        "alliances": [("“港市红”商圈党建共同体", "alliance", "永嘉国潮街区",
                       "联席会议、共建协议：纵向隶属、横向联动")],
        "stations": [("永嘉国潮党群服务站", "五号商业楼一层"), ("学习小站", "国潮街区中段")],
    },
    "SYG": {
        "levels": ["街道党工委", "社区党委", "商会党支部"],
        "tree": [("胜阳港街道党工委", None, 0), ("文化宫社区党委", "胜阳港街道党工委", 1),
                 ("交通路商会党支部", "文化宫社区党委", 2), ("摩尔城商会党支部", "文化宫社区党委", 2),
                 ("永安里商会功能型党支部", "文化宫社区党委", 2),
                 ("钟楼烟火行业协会党支部", "文化宫社区党委", 2)],
        "external": ["黄石港区市场监管局", "胜阳港派出所", "黄石港区城管执法大队"],
        "alliances": [("胜阳港商居共治党建联席会", "alliance", "交通路步行街",
                       "商居议事会：群众说事，党员解题")],
        "stations": [("胜阳港党群服务驿站", "交通路步行街口")],
    },
    "JFB": {
        "levels": ["区委组织部", "功能型党建联盟", "景点党建联盟", "小个专党组织"],
        "tree": [("渝中区委组织部", None, 0),
                 ("渝中区党建引领网红治理功能型党建联盟", "渝中区委组织部", 1),
                 ("解放碑网红景区党建联盟", "渝中区党建引领网红治理功能型党建联盟", 2),
                 ("洪崖洞景点党建联盟", "渝中区党建引领网红治理功能型党建联盟", 2),
                 ("朝天门景点党建联盟", "渝中区党建引领网红治理功能型党建联盟", 2),
                 ("好吃街“小个专”党支部", "解放碑网红景区党建联盟", 3)],
        "external": ["解放碑街道市场监管所", "渝中区个体劳动者协会党委", "解放碑派出所"],
        "alliances": [("解放碑一点一盟一策", "alliance", "解放碑步行街",
                       "诚信计量、明码标价、投诉快处"),
                      ("洪崖洞一点一盟一策", "alliance", "洪崖洞", "错峰引流、秩序维护"),
                      ("朝天门一点一盟一策", "alliance", "朝天门", "游船码头服务与安全")],
        "stations": [("解放碑“红岩先锋”服务站", "解放碑步行街")],
    },
    "WDZZ": {
        "levels": ["街道党工委", "商圈综合党委", "社区党委", "非公企业党支部", "“双报到”党组织"],
        "tree": [("紫贞街道党工委", None, 0), ("万达商圈综合党委", "紫贞街道党工委", 1),
                 ("紫贞社区党委", "万达商圈综合党委", 2), ("万达商管党支部", "紫贞社区党委", 3),
                 ("现代城数码枢纽港党支部", "紫贞社区党委", 3),
                 ("体育运动中心党支部", "紫贞社区党委", 3),
                 ("万达商圈餐饮企业联合党支部", "紫贞社区党委", 3),
                 ("万达商圈服饰企业联合党支部", "紫贞社区党委", 3),
                 ("高新区税务局双报到党支部", "紫贞社区党委", 4)],
        "external": ["高新区市场监管局", "紫贞派出所", "万达商圈工会联合会"],
        "alliances": [("万达商圈“五级联动”党建联盟", "alliance", "万达广场",
                       "组织聚力、阵地暖心、服务精准、治理合心")],
        "stations": [("万达商圈红色驿站", "万达广场北门"), ("工会驿站", "现代城数码枢纽港"),
                     ("新就业群体服务站", "体育运动中心东门")],
        "instructors": 6,
    },
}


def person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def load(ctx: DemoContext) -> None:
    plan = PLANS.get(ctx.spec.code)
    district, rng = ctx.district, ctx.rng
    if plan is None or OrgUnit.objects.filter(district=district).exists():
        return
    ctx.progress("  org: 党组织、党员、联络站")
    levels = services.org_levels_set(actor=SYSTEM, district=district, names=plan["levels"])
    units: dict[str, OrgUnit] = {}
    for name, parent, level in plan["tree"]:
        units[name] = services.org_unit_create(actor=SYSTEM, district=district, name=name,
                                               parent=units.get(parent), level=levels[level])
    externals = [services.org_unit_create(actor=SYSTEM, district=district, name=n,
                                          kind=OrgUnit.Kind.EXTERNAL) for n in plan["external"]]
    top = list(units.values())[1]
    for name, kind, hotspot, policy in plan["alliances"]:
        alliance = services.org_unit_create(actor=SYSTEM, district=district, name=name, kind=kind,
                                            hotspot=hotspot, policy=policy)
        for ext in externals:
            services.alliance_join(actor=SYSTEM, alliance=alliance, unit=ext,
                                   duty=rng.choice(["安全巡查", "秩序维护", "应急救援", "市场监管"]))
        services.alliance_join(actor=SYSTEM, alliance=alliance, unit=top, duty="牵头协调")
    today = timezone.localdate()
    for n, ext in enumerate(externals):
        services.agreement_create(actor=SYSTEM, district=district, title=f"{top.name}与{ext.name}共建协议",
                                  unit_a=top, unit_b=ext, starts_on=today - dt.timedelta(days=300 - n),
                                  ends_on=today + dt.timedelta(days=400 + n),
                                  content="阵地共用、活动共办、难题共解")
    leaves = [u for u in units.values() if not any(p == u.name for _n, p, _l in plan["tree"])]
    services.agreement_create(actor=SYSTEM, district=district, kind="pairing",
                              title=f"{leaves[0].name}结对共建", unit_a=leaves[0],
                              unit_b=externals[0], starts_on=today - dt.timedelta(days=90))
    # Members: a secretary and committee members per unit, then ordinary members.
    members = []
    for unit in units.values():
        members.append(PartyMember(district=district, unit=unit, name=person(rng),
                                   role=PartyMember.Role.SECRETARY,
                                   phone=f"138{rng.randrange(10**8):08d}"))
        for _ in range(2):
            members.append(PartyMember(district=district, unit=unit, name=person(rng),
                                       role=PartyMember.Role.COMMITTEE,
                                       phone=f"139{rng.randrange(10**8):08d}"))
        for _ in range(rng.randrange(4, 9) * ctx.scale):
            members.append(PartyMember(district=district, unit=unit, name=person(rng),
                                       role=rng.choice([PartyMember.Role.MEMBER] * 5
                                                       + [PartyMember.Role.ACTIVIST]),
                                       phone=f"137{rng.randrange(10**8):08d}",
                                       joined_on=today - dt.timedelta(days=rng.randrange(300, 9000))))
    for _ in range(plan.get("instructors", 2)):
        members.append(PartyMember(district=district, unit=top, name=person(rng),
                                   role=PartyMember.Role.MEMBER, is_instructor=True,
                                   phone=f"136{rng.randrange(10**8):08d}"))
    PartyMember.objects.bulk_create(members)
    for instructor, unit in zip(PartyMember.objects.filter(district=district, is_instructor=True),
                                leaves, strict=False):
        services.instructor_assign(actor=SYSTEM, instructor=instructor, unit=unit)
    stations = [services.station_create(actor=SYSTEM, district=district, name=name, address=addr,
                                        unit=top) for name, addr in plan["stations"]]
    _mobile_members(ctx, stations)
    audit_record(actor=SYSTEM, district=district, action="org.demo.load", object_type="org.orgunit",
                 object_id="*", after={"units": len(units), "members": len(members)})


def _mobile_members(ctx: DemoContext, stations: list[LiaisonStation]) -> None:
    """流动党员 who checked in over the last two months; some have not been seen for a while."""
    district, rng, now = ctx.district, ctx.rng, timezone.now()
    homes = ["老家村党支部", "某镇机关党支部", "某县农业农村局党支部", "某街道社区党委", "某高校学生党支部"]
    people, visits = [], []
    for i in range(12 * ctx.scale + len(stations) * 4):
        first = now - dt.timedelta(days=rng.randrange(20, 120), hours=rng.randrange(24))
        count = rng.randrange(1, 7)
        gaps = sorted(rng.randrange(0, max(1, (now - first).days)) for _ in range(count))
        times = [first + dt.timedelta(days=g, hours=rng.randrange(8)) for g in gaps]
        station = rng.choice(stations)
        member = MobileMember(district=district, name=person(rng),
                              phone=f"15{rng.randrange(10**9):09d}{i % 10}"[:11],
                              home_unit=rng.choice(homes), first_seen_at=times[0],
                              last_seen_at=times[-1], last_station=station, check_in_count=count)
        people.append(member)
        visits.append((member, [(t, rng.choice(stations) if k < count - 1 else station)
                                for k, t in enumerate(times)]))
    MobileMember.objects.bulk_create(people, ignore_conflicts=True)
    saved = {m.phone: m for m in MobileMember.objects.filter(district=district)}
    CheckIn.objects.bulk_create([
        CheckIn(district=district, member=saved[m.phone], station=s, created_at=t)
        for m, stops in visits if m.phone in saved for t, s in stops])
