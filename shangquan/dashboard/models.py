"""Snapshots of closed periods' indicator values, and the reports built from them.

A ``Snapshot`` freezes one indicator's value for one district and one closed period. Rows
are append-only (the database refuses UPDATE, and DELETE on PostgreSQL: migration
``0002_snapshots_append_only``): a correction is a new version with a reason, so a report
stays reproducible however the rows behind it are edited later. The value read for a
period is its highest version.

A ``Report`` is one generated xlsx + PDF for a district (or a street over its districts)
and one closed period (week, month, quarter or year); generating the same period twice gives the same row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import District, DistrictScoped

SNAPSHOT_KINDS = ("week", "month", "quarter", "year")
REPORT_KINDS = ("week", "month", "quarter", "year")


class SnapshotSource(models.TextChoices):
    MEASURED = "measured", _("夜间计算")
    CORRECTION = "correction", _("更正")
    DEMO = "demo", _("演示数据")


class Snapshot(DistrictScoped):
    indicator = models.CharField(_("指标"), max_length=80)
    kind = models.CharField(_("周期类型"), max_length=8)
    start = models.DateField(_("周期开始"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    value = models.FloatField(_("数值"), null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=SnapshotSource.choices,
                              default=SnapshotSource.MEASURED)
    reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["district", "indicator", "kind", "start", "version"]
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        indexes = [models.Index(fields=["district", "kind", "start"],
                                name="dashboard_snapshot_period")]
        constraints = [
            models.UniqueConstraint(fields=["district", "indicator", "kind", "start", "version"],
                                    name="dashboard_snapshot_one_per_version"),
            models.CheckConstraint(condition=Q(kind__in=SNAPSHOT_KINDS),
                                   name="dashboard_snapshot_kind"),
            models.CheckConstraint(condition=Q(version__gte=1), name="dashboard_snapshot_version"),
            # version 1 is the nightly figure; every later version is a correction with a reason
            models.CheckConstraint(
                condition=(Q(version=1) & ~Q(source=SnapshotSource.CORRECTION))
                | (Q(version__gt=1) & Q(source=SnapshotSource.CORRECTION) & ~Q(reason="")),
                name="dashboard_snapshot_correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.kind} {self.start} v{self.version}"


class ReportScope(models.TextChoices):
    DISTRICT = "district", _("商圈")
    STREET = "street", _("街道")


class ReportTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("定期生成")
    ON_DEMAND = "on_demand", _("按需生成")


class Report(models.Model):
    """A district's report (``district`` set) or a street's over its districts (``street``
    set, ``district`` empty, ``district_codes`` the districts it covers)."""

    scope = models.CharField(_("范围"), max_length=10, choices=ReportScope.choices)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("商圈"))
    street = models.CharField(_("街道"), max_length=60, blank=True)
    district_codes = models.JSONField(default=list)
    kind = models.CharField(_("周期类型"), max_length=8)
    start = models.DateField(_("周期开始"))
    sections = models.CharField(_("内容"), max_length=300, blank=True)  # modules, "" = all
    title = models.CharField(_("标题"), max_length=200)
    trigger = models.CharField(_("生成方式"), max_length=10, choices=ReportTrigger.choices)
    figures = models.JSONField(default=list)  # the values in the files, for the console
    xlsx = models.BinaryField()
    pdf = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-start", "kind", "street"]
        verbose_name = _("数据报告")
        verbose_name_plural = _("数据报告")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=REPORT_KINDS), name="dashboard_report_kind"),
            models.CheckConstraint(
                condition=(Q(scope=ReportScope.DISTRICT) & Q(district__isnull=False) & Q(street=""))
                | (Q(scope=ReportScope.STREET) & Q(district__isnull=True) & ~Q(street="")),
                name="dashboard_report_scope"),
            # the same period twice is one report
            models.UniqueConstraint(fields=["district", "kind", "start", "sections"],
                                    condition=Q(scope=ReportScope.DISTRICT),
                                    name="dashboard_report_one_per_district_period"),
            models.UniqueConstraint(fields=["street", "kind", "start", "sections"],
                                    condition=Q(scope=ReportScope.STREET),
                                    name="dashboard_report_one_per_street_period"),
        ]

    def __str__(self) -> str:
        return self.title


class ReportSubscription(DistrictScoped):
    """Who gets a notification when a district's (or its street's) report of a kind is out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(_("周期类型"), max_length=8)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("报告订阅")
        verbose_name_plural = _("报告订阅")
        constraints = [
            models.UniqueConstraint(fields=["district", "user", "kind"],
                                    name="dashboard_subscription_once"),
            models.CheckConstraint(condition=Q(kind__in=REPORT_KINDS),
                                   name="dashboard_subscription_kind"),
        ]


# --- the 数据大屏's layout, per district, set by the committee (``layouts.py``) ---------

SCREEN_COLUMNS = 4  # the stage's grid: 4 columns (8 on a wide design), rows shared equally
SCREEN_ROWS = 3
SCREEN_MAX_PANELS = 12
REFRESH_MIN, REFRESH_MAX = 5, 3600


class PanelKind(models.TextChoices):
    TILES = "tiles", _("今日指标")
    INDICATOR = "indicator", _("单项指标")
    TREND = "trend", _("近 14 天走势")
    MONTH = "month", _("本月各项比率")
    CROWD = "crowd", _("客流区域")
    MAP = "map", _("商圈地图")
    HONOUR = "honour", _("红榜")


class ScreenPanel(DistrictScoped):
    """One panel of a district's big screen: what it shows (a kind, and for ``indicator``
    one contributed indicator's key), where (its order; columns × rows it spans) and how
    often its figures are recomputed. No rows for a district: the default layout."""

    kind = models.CharField(_("面板类型"), max_length=12, choices=PanelKind.choices)
    indicator = models.CharField(_("指标"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"))
    width = models.PositiveSmallIntegerField(_("宽（列）"), default=1)
    height = models.PositiveSmallIntegerField(_("高（行）"), default=1)
    refresh_seconds = models.PositiveIntegerField(_("刷新间隔（秒）"), default=60)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "position"]
        verbose_name = _("大屏面板")
        verbose_name_plural = _("大屏面板")
        constraints = [
            models.UniqueConstraint(fields=["district", "position"],
                                    name="dashboard_panel_position_unique"),
            # a kind once per screen; an indicator panel once per indicator
            models.UniqueConstraint(fields=["district", "kind", "indicator"],
                                    name="dashboard_panel_once"),
            models.CheckConstraint(condition=Q(kind__in=PanelKind.values),
                                   name="dashboard_panel_kind"),
            models.CheckConstraint(
                condition=(Q(kind=PanelKind.INDICATOR) & ~Q(indicator=""))
                | (~Q(kind=PanelKind.INDICATOR) & Q(indicator="")),
                name="dashboard_panel_indicator_iff_kind"),
            models.CheckConstraint(condition=Q(width__gte=1, width__lte=SCREEN_COLUMNS),
                                   name="dashboard_panel_width"),
            models.CheckConstraint(condition=Q(height__gte=1, height__lte=SCREEN_ROWS),
                                   name="dashboard_panel_height"),
            models.CheckConstraint(condition=Q(refresh_seconds__gte=REFRESH_MIN,
                                               refresh_seconds__lte=REFRESH_MAX),
                                   name="dashboard_panel_refresh"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.indicator}".strip()
