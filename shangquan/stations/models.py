"""Service stations (党群服务站, 驿站 …), their amenities and loans, rider parking and
charging, appointment days with bookable slots, rooms, and anti-lost wristbands.

Invariants the database holds (SQLite and PostgreSQL alike):
- a slot never has more bookings than desks: ``Slot.booked ≤ capacity`` and every booked
  row takes a distinct seat ``1..capacity`` (a partial unique index on (slot, seat));
- a room is never booked twice at once: each booking claims its 30-minute blocks and
  (room, block start) is unique;
- one open fault per amenity (a partial unique index), so a broken water dispenser
  reported ten times opens one work order;
- occupancy of a parking point or charging cabinet stays within 0..capacity.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.masking import name_mask, phone_mask
from shangquan.core.models import Department, Device, DistrictOneToOneField, DistrictScoped
from shangquan.merchants.models import Merchant

ROOM_BLOCK_MINUTES = 30
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_token() -> str:
    return secrets.token_urlsafe(12)


class StationKind(models.TextChoices):
    PARTY_STATION = "party_station", _("党群服务站")
    RED_STATION = "red_station", _("红色驿站")
    PIONEER_STATION = "pioneer_station", _("先锋驿站")
    UNION_STATION = "union_station", _("工会驿站")
    NEIGHBOURHOOD = "neighbourhood", _("邻里中心")
    VISITOR_CENTRE = "visitor_centre", _("游客中心")
    PARTY_CENTRE = "party_centre", _("党群服务中心")
    RIDER_PARKING = "rider_parking", _("骑手停车点")
    CHARGING = "charging", _("智能充电柜")
    PARKING_LOT = "parking_lot", _("停车场")
    CHILD_AREA = "child_area", _("儿童等候区")
    OTHER = "other", _("其他")


# Kinds whose capacity and live occupancy are shown (rider parking, charging, car parks).
COUNTED_KINDS = frozenset({StationKind.RIDER_PARKING, StationKind.CHARGING,
                           StationKind.PARKING_LOT})


class Station(DistrictScoped):
    class HostKind(models.TextChoices):
        MERCHANT = "merchant", _("商户")
        UNIT = "unit", _("单位")
        DEPARTMENT = "department", _("部门")

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=StationKind.choices)
    kind_label = models.CharField(_("自定义类型"), max_length=30, blank=True)
    # WGS-84, as GPS gives it; the map converts for tile sources that need GCJ-02.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    address = models.CharField(_("位置说明"), max_length=120, blank=True)
    host_kind = models.CharField(_("承办方类型"), max_length=12, choices=HostKind.choices,
                                 default=HostKind.UNIT)
    host_name = models.CharField(_("承办方"), max_length=80, blank=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("承办商户"))
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+",
                                   verbose_name=_("设施报修部门"))
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    open_24h = models.BooleanField(_("24 小时开放"), default=False)
    opens_at = models.TimeField(_("开放时间"), null=True, blank=True)
    closes_at = models.TimeField(_("关闭时间"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("车位/仓位数"), null=True, blank=True)
    occupancy = models.PositiveIntegerField(_("已占用"), default=0)
    occupancy_at = models.DateTimeField(_("占用更新时间"), null=True, blank=True)
    device = DistrictOneToOneField(Device, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("计数设备"))
    # The link names the district: /d/<code>/stations/s/<token>/.
    public_token = models.CharField(max_length=24, default=new_token)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "kind", "name"]
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="stations_station_name_unique"),
            models.UniqueConstraint(fields=["district", "device"],
                                    name="stations_station_device_unique"),
            models.UniqueConstraint(fields=["district", "public_token"],
                                    name="stations_station_token_unique"),
            models.CheckConstraint(
                condition=Q(open_24h=True) | (Q(opens_at__isnull=False)
                                              & Q(closes_at__isnull=False)
                                              & ~Q(opens_at=F("closes_at"))),
                name="stations_station_hours_valid"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True, occupancy=0)
                | Q(capacity__isnull=False, occupancy__lte=F("capacity")),
                name="stations_station_occupancy_within_capacity"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90,
                            longitude__gte=-180, longitude__lte=180),
                name="stations_station_coordinates_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_display(self) -> str:
        return self.kind_label or str(self.get_kind_display())

    @property
    def is_counted(self) -> bool:
        return self.capacity is not None

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.occupancy)


class HoursException(DistrictScoped):
    """A holiday or event day with other hours (or closed)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("日期"))
    closed = models.BooleanField(_("当日关闭"), default=False)
    opens_at = models.TimeField(_("开放时间"), null=True, blank=True)
    closes_at = models.TimeField(_("关闭时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("特殊开放时间")
        verbose_name_plural = _("特殊开放时间")
        constraints = [
            models.UniqueConstraint(fields=["district", "station", "day"],
                                    name="stations_hours_exception_once_a_day"),
            models.CheckConstraint(
                condition=Q(closed=True) | (Q(opens_at__isnull=False)
                                            & Q(closes_at__isnull=False)
                                            & ~Q(opens_at=F("closes_at"))),
                name="stations_hours_exception_valid"),
        ]


class AmenityKind(models.TextChoices):
    WATER = "water", _("饮用水")
    HOT_WATER = "hot_water", _("热水")
    MICROWAVE = "microwave", _("微波炉")
    FRIDGE = "fridge", _("冰箱/爱心冰柜")
    SOCKETS = "sockets", _("插座")
    CHARGING = "charging", _("手机充电")
    FIRST_AID = "first_aid", _("急救药箱")
    UMBRELLA = "umbrella", _("爱心雨伞")
    NURSING = "nursing", _("母婴室")
    LUGGAGE = "luggage", _("行李寄存")
    TOILET = "toilet", _("卫生间")
    SEATS = "seats", _("休息座椅")
    READING = "reading", _("阅读角")
    WIFI = "wifi", _("无线网络")


class Amenity(DistrictScoped):
    class Status(models.TextChoices):
        OK = "ok", _("正常")
        OUT_OF_ORDER = "out_of_order", _("故障")
        OUT_OF_STOCK = "out_of_stock", _("缺货")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="amenities")
    kind = models.CharField(_("设施"), max_length=16, choices=AmenityKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.OK)
    note = models.CharField(_("说明"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station", "kind"]
        verbose_name = _("便民设施")
        verbose_name_plural = _("便民设施")
        constraints = [
            models.UniqueConstraint(fields=["district", "station", "kind"],
                                    name="stations_amenity_once_per_station"),
        ]

    def __str__(self) -> str:
        return f"{self.station.name} · {self.get_kind_display()}"


class AmenityFault(DistrictScoped):
    """One fault of an amenity, however many people report it; one work order."""

    amenity = models.ForeignKey(Amenity, on_delete=models.CASCADE, related_name="faults")
    status = models.CharField(_("状态"), max_length=16, choices=Amenity.Status.choices)
    reports = models.PositiveIntegerField(_("报告次数"), default=1)
    first_note = models.CharField(_("描述"), max_length=200, blank=True)
    work_order_id = models.IntegerField(_("工单"), null=True, blank=True)
    work_order_number = models.CharField(_("工单号"), max_length=32, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("设施故障")
        verbose_name_plural = _("设施故障")
        constraints = [
            models.UniqueConstraint(fields=["district", "amenity"],
                                    condition=Q(resolved_at__isnull=True),
                                    name="stations_amenity_one_open_fault"),
        ]


class Loan(DistrictScoped):
    class Item(models.TextChoices):
        UMBRELLA = "umbrella", _("雨伞")
        POWER_BANK = "power_bank", _("充电宝")
        WRISTBAND = "wristband", _("防走失手环")
        OTHER = "other", _("其他")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="loans")
    item = models.CharField(_("物品"), max_length=16, choices=Item.choices)
    borrower_name = models.CharField(_("借用人"), max_length=40, blank=True)
    borrower_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    lent_at = models.DateTimeField(_("借出时间"))
    due_at = models.DateTimeField(_("应还时间"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-lent_at"]
        verbose_name = _("借用登记")
        verbose_name_plural = _("借用登记")
        constraints = [
            models.CheckConstraint(condition=Q(due_at__gt=F("lent_at")), name="stations_loan_due_after"),
            models.CheckConstraint(condition=Q(returned_at__isnull=True)
                                   | Q(returned_at__gte=F("lent_at")),
                                   name="stations_loan_returned_after_lent"),
        ]

    @property
    def phone_masked(self) -> str:
        return phone_mask(self.borrower_phone)


class ParkingReading(DistrictScoped):
    """A parking or cabinet counter's reading, stored once per (device, seq)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    ts = models.DateTimeField()
    entries = models.PositiveIntegerField(default=0)
    exits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "device", "seq"],
                                    name="stations_parking_reading_once"),
        ]


# --- appointment days ------------------------------------------------------------------
class Service(DistrictScoped):
    """A bookable service: a weekly service day at a desk, or an expert consultation."""

    class Kind(models.TextChoices):
        SERVICE_DAY = "service_day", _("服务日")
        CONSULTATION = "consultation", _("专家咨询")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="services")
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("部门"))
    name = models.CharField(_("事项"), max_length=60)
    day_name = models.CharField(_("服务日名称"), max_length=30, blank=True)  # 证照快办日
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices,
                            default=Kind.SERVICE_DAY)
    topic = models.CharField(_("咨询方向"), max_length=30, blank=True)
    weekday = models.PositiveSmallIntegerField(_("星期"))  # 0 = Monday
    starts_at = models.TimeField(_("开始"))
    ends_at = models.TimeField(_("结束"))
    slot_minutes = models.PositiveSmallIntegerField(_("每段分钟"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每段窗口数"), default=1)
    checklist = models.JSONField(_("材料清单"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["weekday", "starts_at", "name"]
        verbose_name = _("预约事项")
        verbose_name_plural = _("预约事项")
        constraints = [
            models.UniqueConstraint(fields=["district", "station", "name"],
                                    name="stations_service_name_unique"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6),
                                   name="stations_service_weekday_range"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="stations_service_ends_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                                   name="stations_service_slot_length"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=50),
                                   name="stations_service_capacity_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def slot_starts(self, day: dt.date) -> list[dt.time]:
        """The slot start times of one day (empty unless it is the service's weekday)."""
        if day.weekday() != self.weekday:
            return []
        out, t = [], dt.datetime.combine(day, self.starts_at)
        end = dt.datetime.combine(day, self.ends_at)
        step = dt.timedelta(minutes=self.slot_minutes)
        while t + step <= end:
            out.append(t.time())
            t += step
        return out


class Slot(DistrictScoped):
    """One time slot of a service, made when first booked; ``booked`` counts its seats."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("窗口数"))
    booked = models.PositiveSmallIntegerField(_("已约"), default=0)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [
            models.UniqueConstraint(fields=["district", "service", "starts_at"],
                                    name="stations_slot_once"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")),
                                   name="stations_slot_not_overbooked"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="stations_slot_ends_after_start"),
        ]


class Booking(DistrictScoped):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        WAITLISTED = "waitlisted", _("候补")
        ARRIVED = "arrived", _("已签到")
        DONE = "done", _("已办理")
        NO_SHOW = "no_show", _("爽约")
        CANCELLED = "cancelled", _("已取消")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("已办结")
        INCOMPLETE = "incomplete", _("材料不全")
        REFERRED = "referred", _("转办")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("商户"))
    name = models.CharField(_("姓名/商户名"), max_length=60)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    walk_in = models.BooleanField(_("现场取号"), default=False)
    seat = models.PositiveSmallIntegerField(_("窗口号"), null=True, blank=True)
    queue_no = models.PositiveIntegerField(_("候补序号"), null=True, blank=True)
    code = models.CharField(_("确认码"), max_length=8, default=new_code)
    outcome = models.CharField(_("办理结果"), max_length=12, choices=Outcome.choices,
                               blank=True)
    notes = models.TextField(_("办理/咨询意见"), blank=True)
    hold_until = models.DateTimeField(_("候补保留至"), null=True, blank=True)
    reminded_24h = models.BooleanField(default=False)
    reminded_1h = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot__starts_at", "seat", "queue_no", "id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="stations_booking_code_unique"),
            # no double booking: a seat of a slot is held by one booking at most
            models.UniqueConstraint(fields=["district", "slot", "seat"],
                                    condition=Q(seat__isnull=False),
                                    name="stations_booking_one_per_seat"),
            models.UniqueConstraint(fields=["district", "slot", "queue_no"],
                                    condition=Q(queue_no__isnull=False),
                                    name="stations_booking_waitlist_position_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "arrived", "done"], seat__isnull=False, seat__gte=1)
                | Q(walk_in=True, status__in=["arrived", "done", "no_show", "cancelled"])
                | Q(status__in=["waitlisted", "no_show", "cancelled"], seat__isnull=True),
                name="stations_booking_seat_matches_status"),
            models.CheckConstraint(
                condition=Q(status="waitlisted", queue_no__isnull=False)
                | (~Q(status="waitlisted") & Q(queue_no__isnull=True)),
                name="stations_booking_waitlist_has_position"),
        ]
        indexes = [models.Index(fields=["district", "user", "status"])]

    def __str__(self) -> str:
        return self.code


# --- rooms -----------------------------------------------------------------------------
class Room(DistrictScoped):
    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("活动室")
        MEETING = "meeting", _("会议室")
        READING = "reading", _("阅览室")
        SERVICE = "service", _("政务服务室")
        OTHER = "other", _("其他")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    seats = models.PositiveSmallIntegerField(_("座位数"), default=10)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["station", "name"]
        verbose_name = _("活动场地")
        verbose_name_plural = _("活动场地")
        constraints = [
            models.UniqueConstraint(fields=["district", "station", "name"],
                                    name="stations_room_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.station.name} · {self.name}"


class RoomBooking(DistrictScoped):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预订")
        CANCELLED = "cancelled", _("已取消")

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    title = models.CharField(_("用途"), max_length=80)
    # who uses it: "activities.event:12", "deliberation.meeting:3" or blank
    source = models.CharField(_("来源"), max_length=60, blank=True)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.BOOKED)
    code = models.CharField(_("确认码"), max_length=8, default=new_code)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("场地预订")
        verbose_name_plural = _("场地预订")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"],
                                    name="stations_room_booking_code_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="stations_room_booking_ends_after_start"),
        ]


class RoomBlock(DistrictScoped):
    """A 30-minute block of a room held by a booking: (room, start) is unique, so two
    overlapping bookings cannot both commit, on SQLite as on PostgreSQL."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(RoomBooking, on_delete=models.CASCADE, related_name="blocks")
    starts_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "room", "starts_at"],
                                    name="stations_room_block_once"),
        ]


# --- anti-lost wristbands ----------------------------------------------------------------
class Wristband(DistrictScoped):
    """防走失手环: a number worn by a child, a guardian's phone; purged after the evening."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("手环编号"), max_length=12)
    guardian_phone = models.CharField(_("监护人电话"), max_length=20)
    child_note = models.CharField(_("特征（可不填）"), max_length=40, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    purge_after = models.DateTimeField(_("清除时间"))
    found_at = models.DateTimeField(_("寻回时间"), null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("防走失手环")
        verbose_name_plural = _("防走失手环")
        constraints = [
            models.UniqueConstraint(fields=["district", "number"],
                                    name="stations_wristband_number_unique"),
        ]

    @property
    def phone_masked(self) -> str:
        return phone_mask(self.guardian_phone)


# --- duty posts ----------------------------------------------------------------------------------
class DutyPost(DistrictScoped):
    """值班/坐班: who stands where, from which unit, on which evening — a station's duty
    desk or a post at a waiting line (the evacuation groups' human wall) — with check-in."""

    class Group(models.TextChoices):
        STATION = "station", _("站点值班")
        RESCUE = "rescue", _("救援队")
        POLICE = "police", _("公安")
        PARTY_VOLUNTEER = "party_volunteer", _("党员志愿者")
        MARKET = "market", _("市场监管")
        URBAN = "urban", _("城管")
        OTHER = "other", _("其他")

    AUDIT_PERSON_FIELDS = ("person_name",)  # volunteers are private persons

    station = models.ForeignKey(Station, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="duty_posts", verbose_name=_("站点"))
    zone = models.ForeignKey("crowd.Zone", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("等候区/排队线"))
    day = models.DateField(_("日期（当晚）"))
    starts_at = models.TimeField(_("上岗"))
    ends_at = models.TimeField(_("下岗"))
    post = models.CharField(_("岗位/位置"), max_length=60)
    group = models.CharField(_("队伍"), max_length=16, choices=Group.choices,
                             default=Group.STATION)
    unit = models.CharField(_("所在单位"), max_length=60)
    person_name = models.CharField(_("值班人员"), max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("账号"))
    checked_in_at = models.DateTimeField(_("到岗时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "starts_at", "post", "id"]
        verbose_name = _("值班岗位")
        verbose_name_plural = _("值班岗位")
        constraints = [
            models.CheckConstraint(condition=Q(station__isnull=False) | Q(zone__isnull=False),
                                   name="stations_duty_post_has_place"),
            # hours past midnight (18:00–02:00) are allowed; equal ones are not
            models.CheckConstraint(condition=~Q(starts_at=F("ends_at")),
                                   name="stations_duty_post_hours_valid"),
            models.UniqueConstraint(fields=["district", "day", "post", "person_name",
                                            "starts_at"],
                                    name="stations_duty_post_once"),
        ]
        indexes = [models.Index(fields=["district", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.post}"

    @property
    def name_masked(self) -> str:
        return name_mask(self.person_name)

    @property
    def place(self) -> str:
        return self.station.name if self.station_id else (self.zone.name if self.zone_id
                                                             else "")
