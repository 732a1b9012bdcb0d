"""Demo stations, services, rooms and bookings that feel like the source articles.

- 凌河夜市 (LHYS): 10 党群服务站 in merchants' shops (first aid, umbrellas, phone charging,
  water), a 先锋驿站 for couriers and sanitation workers, the visitor centre (母婴室,
  luggage, directions, rest), the children's waiting area (防走失手环), a car park.
- 万达紫贞 (WDZZ): the 红色驿站 (microwave, fridge, reading corner, 24 h 爱心冰柜), 3 rider
  parking points and a smart charging cabinet; 周三城管码上办 and 周四证照快办日 with "30 余家"
  licences handled since June; the 城市商圈会客厅 with policy and legal consultations.
- 永嘉国潮街区 (泉港, YJGC): the "党建+" 邻里中心 with rooms for organisation life,
  government services, deliberation and culture, open around the clock.
- 解放碑 (渝中, JFB): expert consultations on quality, standards and trademarks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from shangquan.core.actors import system
from shangquan.core.demo import DemoContext
from shangquan.merchants.models import Merchant

from . import services
from .models import Station

ACTOR = system("demo")
SHOP_KIT = ("first_aid", "umbrella", "charging", "water")


def _at(ctx: DemoContext, dlat: float, dlon: float) -> tuple[Decimal, Decimal]:
    lat = Decimal(str(ctx.district.latitude)) + Decimal(str(round(dlat, 6)))
    lon = Decimal(str(ctx.district.longitude)) + Decimal(str(round(dlon, 6)))
    return lat, lon


def _station(ctx: DemoContext, name: str, kind: str, offset: tuple[float, float],
             amenities=(), **fields) -> Station:
    lat, lon = _at(ctx, *offset)
    fields.setdefault("open_24h", True)
    return services.station_create(actor=ACTOR, district=ctx.district, name=name, kind=kind,
                                   latitude=lat, longitude=lon, amenities=amenities, **fields)


def _lhys(ctx: DemoContext) -> None:
    shops = list(Merchant.objects.filter(district=ctx.district).order_by("pk")[:10])
    zj = ctx.departments.get("zj")
    for i, shop in enumerate(shops):
        _station(ctx, f"党群服务站·{shop.name}", "party_station",
                 (0.0004 * (i % 5) - 0.0008, 0.0006 * (i // 5) - 0.0003), SHOP_KIT,
                 merchant=shop, host_kind="merchant", host_name=shop.name, open_24h=False,
                 opens_at=dt.time(17, 0), closes_at=dt.time(0, 30), department=zj,
                 address="夜市主街商户店内")
    _station(ctx, "先锋驿站", "pioneer_station", (0.0009, 0.0004),
             ("seats", "sockets", "water", "hot_water", "umbrella", "first_aid", "reading"),
             host_name="凌河实业商圈党委", department=zj,
             note="为快递小哥、环卫工人提供歇脚、充电、饮水、药箱和党刊")
    _station(ctx, "游客服务中心", "visitor_centre", (-0.0010, 0.0),
             ("nursing", "luggage", "seats", "water", "toilet", "first_aid"),
             host_name="凌河夜市管委会", open_24h=False, opens_at=dt.time(16, 0),
             closes_at=dt.time(23, 30), address="北主入口东侧", department=zj)
    area = _station(ctx, "儿童等候区（政通公益救援队）", "child_area", (-0.0007, -0.0004),
                    ("seats", "water", "first_aid"), host_name="政通公益救援队",
                    open_24h=False, opens_at=dt.time(17, 0), closes_at=dt.time(23, 0))
    _station(ctx, "夜市北停车场", "parking_lot", (-0.0014, 0.0003), (), capacity=260,
             host_name="凌安派出所交通引导")
    lot = Station.objects.get(district=ctx.district, name="夜市北停车场")
    services.occupancy_set(actor=ACTOR, station=lot, occupancy=214)
    services.wristband_register(actor=ACTOR, station=area, number="LH-0518",
                                guardian_phone="13904160518", child_note="红色外套，约 5 岁")


def _wdzz(ctx: DemoContext) -> None:
    red = _station(ctx, "红色驿站（万达广场）", "red_station", (0.0, 0.0),
                   ("microwave", "fridge", "reading", "water", "hot_water", "charging",
                    "seats", "toilet"), host_name="万达紫贞商圈党委",
                   department=ctx.departments.get("zj"),
                   note="24 小时爱心冰柜免费取水；新就业群体之家")
    for i, place in enumerate(("南门", "北门", "金街东口")):
        point = _station(ctx, f"骑手专用停车点·{place}", "rider_parking",
                         (0.0005 * (i - 1), 0.0007), (), capacity=30, host_name="万达广场物业")
        services.occupancy_set(actor=ACTOR, station=point, occupancy=(12, 27, 30)[i])
    cabinet = _station(ctx, "智能充电柜（红色驿站旁）", "charging", (0.0001, 0.0001), (),
                       capacity=24, host_name="万达广场物业")
    services.occupancy_set(actor=ACTOR, station=cabinet, occupancy=17)
    scjg, cgzf = ctx.departments.get("scjg"), ctx.departments.get("cgzf")
    services.service_create(actor=ACTOR, station=red, name="临时设施审批", weekday=2,
                            starts_at=dt.time(9, 0), ends_at=dt.time(11, 30),
                            department=cgzf, capacity=2, day_name="城管码上办",
                            checklist=["营业执照", "设施位置示意图", "安全承诺书"])
    services.service_create(actor=ACTOR, station=red, name="经营规范咨询", weekday=2,
                            starts_at=dt.time(14, 0), ends_at=dt.time(16, 0),
                            department=cgzf, capacity=1, day_name="城管码上办")
    licence = services.service_create(
        actor=ACTOR, station=red, name="营业执照", weekday=3, starts_at=dt.time(9, 0),
        ends_at=dt.time(11, 30), department=scjg, capacity=3, day_name="证照快办日",
        checklist=["身份证", "经营场所证明", "名称自主申报告知书"])
    services.service_create(actor=ACTOR, station=red, name="食品经营许可", weekday=3,
                            starts_at=dt.time(14, 0), ends_at=dt.time(16, 30),
                            department=scjg, capacity=2, day_name="证照快办日",
                            checklist=["营业执照", "食品安全管理制度", "从业人员健康证明"])
    hall = _station(ctx, "城市商圈会客厅", "party_centre", (0.0006, -0.0005),
                    ("seats", "water", "reading", "wifi"), host_name="紫贞街道",
                    open_24h=False, opens_at=dt.time(9, 0), closes_at=dt.time(18, 0))
    for weekday, topic in ((1, "政策咨询"), (4, "法律咨询")):
        services.service_create(actor=ACTOR, station=hall, name=topic, weekday=weekday,
                                starts_at=dt.time(14, 0), ends_at=dt.time(17, 0),
                                kind="consultation", topic=topic, slot_minutes=60,
                                capacity=1)
    services.room_create(actor=ACTOR, station=hall, name="会客厅议事室", kind="meeting",
                         seats=16)
    # "30 余家商户办理许可": past Thursdays, booked then served at the desk
    merchant, desk = ctx.users.get("merchant"), ctx.department_users.get("scjg")
    if merchant is None or desk is None:
        return
    day = timezone.localdate() - dt.timedelta(days=1)
    n = 0
    while n < 32:
        while day.weekday() != 3:
            day -= dt.timedelta(days=1)
        for t in licence.slot_starts(day)[:4]:
            start = timezone.make_aware(dt.datetime.combine(day, t))
            booking = services.booking_create(actor=merchant, service=licence,
                                              starts_at=start,
                                              now=start - dt.timedelta(days=3))
            booking = services.booking_mark(actor=desk, booking=booking, action="arrive",
                                            now=start)
            services.booking_mark(actor=desk, booking=booking, action="finish",
                                  outcome="completed" if n % 7 else "incomplete", now=start)
            n += 1
        day -= dt.timedelta(days=1)
    # and the coming Thursday is half booked
    upcoming = timezone.localdate() + dt.timedelta(days=2)
    while upcoming.weekday() != 3:
        upcoming += dt.timedelta(days=1)
    services.booking_create(actor=merchant, service=licence, starts_at=timezone.make_aware(
        dt.datetime.combine(upcoming, dt.time(9, 30))))


def _yjgc(ctx: DemoContext) -> None:
    centre = _station(ctx, "“党建+”邻里中心", "neighbourhood", (0.0003, 0.0002),
                      ("seats", "water", "hot_water", "reading", "nursing", "toilet",
                       "wifi", "charging"), host_name="山腰街道党工委",
                      note="“不打烊”服务，全天候开放")
    for name, kind in (("组织生活室", "activity"), ("政务服务室", "service"),
                       ("商居议事厅", "meeting"), ("文化活动室", "activity")):
        services.room_create(actor=ACTOR, station=centre, name=name, kind=kind, seats=20)
    for i in range(3):
        _station(ctx, f"党群服务站·十邻铺{i + 1}", "party_station",
                 (0.0006 * i - 0.0006, -0.0004), SHOP_KIT, host_kind="unit",
                 host_name=f"十邻铺{i + 1}")


def _jfb(ctx: DemoContext) -> None:
    centre = _station(ctx, "解放碑商圈服务中心", "party_centre", (0.0, 0.0003),
                      ("seats", "water", "wifi", "first_aid"), host_name="解放碑街道",
                      open_24h=False, opens_at=dt.time(9, 0), closes_at=dt.time(17, 30))
    for weekday, topic in ((1, "质量咨询"), (2, "标准咨询"), (3, "商标咨询")):
        services.service_create(actor=ACTOR, station=centre, name=f"专家{topic}",
                                weekday=weekday, starts_at=dt.time(9, 30),
                                ends_at=dt.time(11, 30), kind="consultation", topic=topic,
                                slot_minutes=60, capacity=1,
                                department=ctx.departments.get("scjg"))
    _station(ctx, "洪崖洞游客服务点", "visitor_centre", (0.002, 0.001),
             ("nursing", "luggage", "water", "toilet"), host_name="渝中区文旅委")


LOADERS = {"LHYS": _lhys, "WDZZ": _wdzz, "YJGC": _yjgc, "JFB": _jfb}


def load(ctx: DemoContext) -> None:
    loader = LOADERS.get(ctx.district.code)
    if loader is None or ctx.district.latitude is None or \
            Station.objects.filter(district=ctx.district).exists():
        return
    ctx.progress("stations")
    loader(ctx)
