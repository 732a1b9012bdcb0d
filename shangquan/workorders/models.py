"""Work orders (四单: 点单·派单·接单·评单), their categories, SLAs, escalations and KPIs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import Department, DistrictScoped


class Tier(models.TextChoices):
    """Time-limit classes (接诉即办): default limits in hours below."""

    EMERGENCY = "emergency", _("紧急")
    UTILITIES = "utilities", _("水电气热")
    GENERAL = "general", _("一般")
    COMPLEX = "complex", _("复杂")


# tier -> (response hours, resolution hours). Resolution limits from the issue and
# DESIGN section 6; response limits are the first contact the department owes.
TIER_LIMITS: dict[str, tuple[int, int]] = {
    Tier.EMERGENCY: (1, 2),
    Tier.UTILITIES: (4, 24),
    Tier.GENERAL: (24, 7 * 24),
    Tier.COMPLEX: (48, 15 * 24),
}


class Category(DistrictScoped):
    """A kind of problem, editable per district, with its department and limits."""

    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=40)
    tier = models.CharField(_("时限类别"), max_length=16, choices=Tier.choices,
                            default=Tier.GENERAL)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("责任部门"))
    response_hours = models.PositiveIntegerField(_("响应时限（小时）"))
    resolution_hours = models.PositiveIntegerField(_("办结时限（小时）"))
    allow_anonymous = models.BooleanField(_("允许匿名"), default=True)
    # About a public place (a road, a crossing, a crowd): its reports' exact location is
    # public. Otherwise public lists round it to about 100 m (selectors.public_location).
    public_place = models.BooleanField(_("公共场所类问题"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["district", "order", "code"]
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="wo_category_code_unique"),
            models.CheckConstraint(condition=Q(response_hours__gt=0)
                                   & Q(resolution_hours__gte=models.F("response_hours")),
                                   name="wo_category_limits_sane"),
        ]

    def __str__(self) -> str:
        return self.name


class TicketCounter(DistrictScoped):
    """The last ticket sequence per district per local day (locked row: no races)."""

    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "day"], name="wo_counter_unique_day"),
        ]


class Channel(models.TextChoices):
    RESIDENT = "resident", _("群众随手拍")
    VOLUNTEER = "volunteer", _("志愿者/骑手")
    MERCHANT = "merchant", _("商户")
    GRID_LEADER = "grid_leader", _("邻铺长巡查")
    HOTLINE = "hotline", _("热线")
    OPEN311 = "open311", _("Open311 接口")
    FAIR_SCALE = "fair_scale", _("公平秤复秤")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("处理中")
    RESOLVED = "resolved", _("待评价")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED)
ENDED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class WorkOrder(DistrictScoped):
    # The console page the audit log links to (core/templatetags/audit_tags.audit_link).
    AUDIT_URL = ("workorders:detail", "pk")
    number = models.CharField(_("工单号"), max_length=40)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="orders",
                                 verbose_name=_("类别"))
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.SUBMITTED)
    description = models.TextField(_("问题描述"))
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("涉及商户"))
    grid = models.ForeignKey("merchants.Grid", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("网格"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    # Who reported: only the committee and the handling department may see this.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    reporter_name = models.CharField(_("反映人"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("承办部门"))
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(_("响应期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    rating_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("办理结果"), blank=True)
    # The reason the reporter sees for a return, rejection or merge.
    public_note = models.CharField(_("说明"), max_length=300, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_orders")
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    rating_excluded = models.BooleanField(_("评价不计入"), default=False)
    rating_excluded_reason = models.CharField(max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    response_overdue = models.BooleanField(_("响应超时"), default=False)
    resolution_overdue = models.BooleanField(_("办结超时"), default=False)
    escalated = models.BooleanField(_("已吹哨"), default=False)
    # Earlier handlings that ended in an unsatisfied rating, each still counted for the
    # department that handled it (rollup.past_handling): [{department, responded,
    # rating, excluded, response_overdue, resolution_overdue}], oldest first.
    past_handlings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="wo_number_unique"),
            models.CheckConstraint(condition=Q(status__in=Status.values),
                                   name="wo_status_valid"),
            models.CheckConstraint(condition=Q(rating="") | Q(rating__in=Rating.values),
                                   name="wo_rating_valid"),
            models.CheckConstraint(condition=~Q(status="merged") | Q(merged_into__isnull=False),
                                   name="wo_merged_has_target"),
            models.CheckConstraint(condition=~Q(status__in=["dispatched", "accepted",
                                                            "resolved"])
                                   | Q(department__isnull=False),
                                   name="wo_handled_has_department"),
            models.CheckConstraint(condition=Q(rating_excluded=False) | ~Q(rating=""),
                                   name="wo_excluded_needs_rating"),
        ]
        indexes = [
            models.Index(fields=["district", "status", "-created_at"], name="wo_district_status"),
            # open orders counted per grid (the big screen's map) from the index alone
            models.Index(fields=["district", "status", "grid"], name="wo_district_status_grid"),
            models.Index(fields=["district", "-created_at"], name="wo_district_created"),
            models.Index(fields=["district", "department", "status"], name="wo_district_dept"),
            models.Index(fields=["district", "category", "-created_at"], name="wo_district_cat"),
            models.Index(fields=["district", "merchant", "created_at"], name="wo_district_merchant"),
            models.Index(fields=["reporter", "-created_at"], name="wo_reporter"),
            models.Index(fields=["district", "response_due_at"],
                         condition=Q(status="dispatched", response_overdue=False),
                         name="wo_response_due"),
            models.Index(fields=["district", "resolution_due_at"],
                         condition=Q(status__in=["dispatched", "accepted"],
                                     resolution_overdue=False),
                         name="wo_resolution_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def place_label(self) -> str:
        if self.merchant_id:
            return self.merchant.name
        if self.grid_id:
            return self.grid.name
        return self.address

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def photo_path(instance: Photo, filename: str) -> str:
    return f"workorders/{instance.district_id}/{timezone.now():%Y/%m}/{filename}"


class Photo(DistrictScoped):
    class Kind(models.TextChoices):
        REPORT = "report", _("反映照片")
        EVIDENCE = "evidence", _("办理佐证")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    image = models.FileField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "kind"])]


class Event(DistrictScoped):
    """The order's timeline. ``public`` events show on the tracking page (no personal data)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    status = models.CharField(max_length=16, choices=Status.choices)
    note = models.CharField(max_length=500, blank=True)
    public = models.BooleanField(default=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"])]


class Escalation(DistrictScoped):
    """吹哨: an order raised to the street (overdue, reopen limit, or by hand)."""

    class Reason(models.TextChoices):
        RESPONSE_OVERDUE = "response_overdue", _("响应超时")
        RESOLUTION_OVERDUE = "resolution_overdue", _("办结超时")
        REOPEN_LIMIT = "reopen_limit", _("多次不满意")
        MANUAL = "manual", _("吹哨报到")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    handling_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open escalation per order and reason: the periodic check can run twice.
            models.UniqueConstraint(fields=["district", "order", "reason"],
                                    condition=Q(handled_at__isnull=True),
                                    name="wo_escalation_one_open_per_reason"),
        ]
        indexes = [models.Index(fields=["district", "handled_at", "-created_at"],
                                name="wo_escalation_open")]


class FollowUp(DistrictScoped):
    """事后回访: a visit or call after the order is closed."""

    class Outcome(models.TextChoices):
        SOLVED = "solved", _("问题未再出现")
        RECURRED = "recurred", _("问题反复")
        UNREACHABLE = "unreachable", _("未能联系")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="follow_ups")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class KpiDaily(DistrictScoped):
    """Per-day KPI counters by one dimension, kept in step by the services.

    Each order counts once per dimension (``all``, its department, its category, its grid)
    on its local submission day, so the KPI page sums a few thousand rows whatever the
    number of orders. ``kpi_rebuild`` recomputes them with one GROUP BY.
    """

    class Dim(models.TextChoices):
        ALL = "all", _("全部")
        DEPARTMENT = "department", _("部门")
        CATEGORY = "category", _("类别")
        GRID = "grid", _("网格")

    day = models.DateField()
    dim = models.CharField(max_length=10, choices=Dim.choices)
    key = models.IntegerField(default=0)  # department/category/grid id; 0 = none
    total = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)  # accepted within the response limit
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)  # counted ratings (excluded ones not)
    satisfied = models.IntegerField(default=0)
    basic = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    excluded = models.IntegerField(default=0)
    response_overdue = models.IntegerField(default=0)
    resolution_overdue = models.IntegerField(default=0)

    COUNTERS = ("total", "dispatched", "responded", "resolved", "rated", "satisfied", "basic",
                "unsatisfied", "excluded", "response_overdue", "resolution_overdue")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "dim", "key", "day"],
                                    name="wo_kpi_bucket_unique"),
        ]
        indexes = [
            # Covering: the KPI sums read only this index (3× faster on SQLite).
            models.Index(fields=["district", "dim", "key", "day", "total", "dispatched",
                                 "responded", "resolved", "rated", "satisfied", "basic",
                                 "unsatisfied", "excluded", "response_overdue",
                                 "resolution_overdue"], name="wo_kpi_covering"),
        ]


class MeToo(DistrictScoped):
    """我也遇到: a resident adds their voice to an open report instead of filing a
    duplicate, and follows it (its progress notifications). One per verified phone per
    report: ``phone_key`` is a keyed hash, so the table holds no phone number."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    phone_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("我也遇到")
        verbose_name_plural = _("我也遇到")
        constraints = [
            models.UniqueConstraint(fields=["district", "order", "phone_key"],
                                    name="wo_metoo_one_per_phone"),
        ]
        indexes = [models.Index(fields=["order", "created_at"], name="wo_metoo_order"),
                   models.Index(fields=["user", "-created_at"], name="wo_metoo_user")]

    def __str__(self) -> str:
        return f"{self.order_id}·{self.pk}"
