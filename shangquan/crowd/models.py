"""Crowd flow: zones, gates, readings, minute roll-ups, control events and alerts.

Numbers follow DESIGN section 6: capacity C₁ = usable area ÷ area per person (editable),
warnings at 80 / 90 / 100 % of capacity, Fruin levels of service, above 4 persons/m²
red whatever the capacity. A zone's live state (occupancy, level, control) lives on the
zone row itself so the board reads one table.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import Device, DistrictOneToOneField, DistrictScoped


class Level(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("黄色预警")
    ORANGE = "orange", _("橙色预警")
    RED = "red", _("红色预警")


LEVEL_RANK = {Level.GREEN: 0, Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}


class Control(models.TextChoices):
    OPEN = "open", _("开放")
    LIMITED = "limited", _("限流（出一进一）")
    CLOSED = "closed", _("暂停进入")


class Zone(DistrictScoped):
    """The market, a section of it, or a waiting area, with its live state."""

    class Kind(models.TextChoices):
        MARKET = "market", _("整体区域")
        SECTION = "section", _("分区")
        WAITING = "waiting", _("等候区")

    class Mode(models.TextChoices):
        AUTO = "auto", _("自动")
        MANUAL = "manual", _("人工接管")

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.SECTION)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="children", verbose_name=_("上级区域"))
    waiting_zone = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("分流等候区"))
    area_m2 = models.DecimalField(_("可用面积（㎡）"), max_digits=10, decimal_places=1)
    area_per_person = models.DecimalField(_("人均面积（㎡/人）"), max_digits=5,
                                          decimal_places=2, default=Decimal("1.00"))
    capacity = models.PositiveIntegerField(_("瞬时承载量 C₁（人）"))
    capacity_manual = models.BooleanField(_("承载量人工设定"), default=False)
    opens_at = models.TimeField(_("开放时间"), default="17:00")
    closes_at = models.TimeField(_("关闭时间"), default="23:30")
    mean_stay_minutes = models.PositiveSmallIntegerField(_("平均停留（分钟）"), default=90)
    sort = models.PositiveSmallIntegerField(default=0)

    # Thresholds, in percent of capacity (DESIGN section 6 defaults).
    yellow_pct = models.PositiveSmallIntegerField(_("黄色预警 %"), default=80)
    orange_pct = models.PositiveSmallIntegerField(_("橙色预警 %"), default=90)
    red_pct = models.PositiveSmallIntegerField(_("红色预警 %"), default=100)
    level_margin_pct = models.PositiveSmallIntegerField(_("预警回落余量 %"), default=3)
    limit_at_pct = models.PositiveSmallIntegerField(_("达到此比例限流 %"), default=90)
    open_below_pct = models.PositiveSmallIntegerField(_("低于此比例恢复开放 %"), default=80)
    close_at_pct = models.PositiveSmallIntegerField(_("达到此比例暂停进入 %"), default=100)
    reopen_below_pct = models.PositiveSmallIntegerField(_("低于此比例恢复限流 %"), default=92)
    unstable_density = models.DecimalField(_("失稳密度（人/㎡）"), max_digits=4,
                                           decimal_places=2, default=Decimal("4.00"))

    # Live state.
    occupancy = models.IntegerField(_("在场人数"), default=0)
    entries = models.PositiveIntegerField(_("自清零以来进入"), default=0)
    exits = models.PositiveIntegerField(_("自清零以来离开"), default=0)
    reset_at = models.DateTimeField(_("上次清零/人工点数"), default=timezone.now)
    occupancy_at_reset = models.PositiveIntegerField(_("清零/点数时人数"), default=0)
    last_reading_at = models.DateTimeField(null=True, blank=True)
    level = models.CharField(_("预警等级"), max_length=8, choices=Level.choices,
                             default=Level.GREEN)
    control = models.CharField(_("进入管控"), max_length=8, choices=Control.choices,
                               default=Control.OPEN)
    control_mode = models.CharField(_("管控方式"), max_length=8, choices=Mode.choices,
                                    default=Mode.AUTO)
    override_until = models.DateTimeField(_("人工接管至"), null=True, blank=True)
    override_note = models.CharField(_("接管说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["district", "sort", "name"]
        verbose_name = _("客流区域")
        verbose_name_plural = _("客流区域")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="crowd_zone_name_unique"),
            models.CheckConstraint(condition=Q(occupancy__gte=0), name="crowd_zone_occupancy_gte_0"),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="crowd_zone_area_positive"),
            models.CheckConstraint(condition=Q(area_per_person__gt=0),
                                   name="crowd_zone_area_per_person_positive"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="crowd_zone_capacity_gte_1"),
            models.CheckConstraint(
                condition=Q(yellow_pct__lt=F("orange_pct")) & Q(orange_pct__lt=F("red_pct")),
                name="crowd_zone_levels_ordered"),
            models.CheckConstraint(
                condition=(Q(open_below_pct__lt=F("limit_at_pct"))
                           & Q(limit_at_pct__lte=F("close_at_pct"))
                           & Q(reopen_below_pct__lt=F("close_at_pct"))
                           & Q(open_below_pct__lte=F("reopen_below_pct"))),
                name="crowd_zone_hysteresis_ordered"),
            models.CheckConstraint(
                condition=Q(control_mode="auto") | Q(override_until__isnull=False),
                name="crowd_zone_override_has_end"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def daily_capacity(self) -> int:
        """C₁ × opening time ÷ mean stay (DESIGN section 6)."""
        opens = self.opens_at.hour * 60 + self.opens_at.minute
        closes = self.closes_at.hour * 60 + self.closes_at.minute
        minutes = (closes - opens) % (24 * 60) or 24 * 60  # closing after midnight
        return int(self.capacity * minutes / max(1, self.mean_stay_minutes))


class Gate(DistrictScoped):
    """An entrance with an entry/exit counter (a core Device with its token)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="gates",
                             verbose_name=_("所属区域"))
    code = models.SlugField(_("编号"), max_length=24,
                            help_text=_("用于 MQTT 主题 shangquan/<商圈>/gates/<编号>/readings"))
    name = models.CharField(_("名称"), max_length=60)
    device = DistrictOneToOneField(Device, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="crowd_gate", verbose_name=_("计数设备"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "code"]
        verbose_name = _("出入口")
        verbose_name_plural = _("出入口")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="crowd_gate_code_unique"),
            models.UniqueConstraint(fields=["district", "name"], name="crowd_gate_name_unique"),
            models.UniqueConstraint(fields=["district", "device"], name="crowd_gate_device_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Reading(DistrictScoped):
    """One counter report: people in and out since the counter's previous report.

    Counts are deltas, so the order of arrival does not matter; (device, seq) is unique,
    so a repeated report is recognised and ignored.
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="readings")
    seq = models.BigIntegerField()
    ts = models.DateTimeField()
    entries = models.PositiveIntegerField(default=0)
    exits = models.PositiveIntegerField(default=0)
    applied = models.BooleanField(default=True)  # False: older than the zone's last reset
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "device", "seq"],
                                    name="crowd_reading_device_seq_unique"),
        ]
        indexes = [models.Index(fields=["district", "ts"]),
                   models.Index(fields=["gate", "ts"])]

    def __str__(self) -> str:
        return f"{self.gate_id}#{self.seq} +{self.entries}/-{self.exits}"


class MinuteFlow(DistrictScoped):
    """Readings rolled up by zone and minute: the history behind reports and the board."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="minutes")
    minute = models.DateTimeField()
    entries = models.PositiveIntegerField(default=0)
    exits = models.PositiveIntegerField(default=0)
    occupancy_max = models.PositiveIntegerField(default=0)
    occupancy_end = models.PositiveIntegerField(default=0)
    level_max = models.CharField(max_length=8, choices=Level.choices, default=Level.GREEN)

    class Meta:
        ordering = ["zone", "minute"]
        constraints = [
            models.UniqueConstraint(fields=["district", "zone", "minute"],
                                    name="crowd_minute_zone_unique"),
        ]
        indexes = [models.Index(fields=["district", "minute"])]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.minute:%H:%M}"


class ManualCount(DistrictScoped):
    """A head count staff entered: it replaces the counted occupancy from that moment."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="manual_counts")
    counted = models.PositiveIntegerField(_("清点人数"))
    counted_at = models.DateTimeField(_("清点时间"))
    occupancy_before = models.IntegerField(_("清点前系统人数"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-counted_at"]
        verbose_name = _("人工点数")
        verbose_name_plural = _("人工点数")

    @property
    def drift(self) -> int:
        return self.occupancy_before - self.counted


class ControlEvent(DistrictScoped):
    """Every change of a zone's entry control, automatic or by staff, with its reason."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="control_events")
    from_state = models.CharField(max_length=8, choices=Control.choices)
    to_state = models.CharField(max_length=8, choices=Control.choices)
    mode = models.CharField(max_length=8, choices=Zone.Mode.choices)
    reason = models.CharField(max_length=40)  # stable code, e.g. "pct_above_limit"
    detail = models.CharField(max_length=200, blank=True)
    occupancy = models.IntegerField()
    percent = models.DecimalField(max_digits=6, decimal_places=1)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "-created_at"])]


class Alert(DistrictScoped):
    """A level rise staff must acknowledge."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="alerts")
    level = models.CharField(max_length=8, choices=Level.choices)
    reason = models.CharField(max_length=40)
    occupancy = models.IntegerField()
    percent = models.DecimalField(max_digits=6, decimal_places=1)
    density = models.DecimalField(max_digits=6, decimal_places=2)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                        null=True, blank=True, related_name="+")
    ack_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["district", "acknowledged_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(level="green"), name="crowd_alert_not_green"),
        ]


class AlertSubscription(DistrictScoped):
    """Who is told of a crowd alert besides the committee on duty: a person who takes a
    zone (or, with no zone, every zone) from a level up. Nobody else gets alerts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="crowd_subscriptions")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="subscriptions", verbose_name=_("区域"))
    min_level = models.CharField(_("从哪一级起提醒"), max_length=8, choices=Level.choices,
                                 default=Level.YELLOW)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("客流预警订阅")
        verbose_name_plural = _("客流预警订阅")
        constraints = [
            models.UniqueConstraint(fields=["district", "user", "zone"],
                                    name="crowd_subscription_unique_zone"),
            models.UniqueConstraint(fields=["district", "user"], condition=Q(zone__isnull=True),
                                    name="crowd_subscription_unique_all_zones"),
            models.CheckConstraint(condition=~Q(min_level="green"),
                                   name="crowd_subscription_not_green"),
        ]
