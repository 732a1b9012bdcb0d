"""Checklists, inspections, findings, rectification orders and holiday campaigns.

The flow (DESIGN section 5, the closed loop 事前预警 → 事中处置 → 事后回访):
a versioned checklist is ticked during an inspection by a joint team; failed items
become findings, each with a rectification order (整改单) to the merchant; the merchant
submits evidence, an inspector verifies or rejects it; overdue orders escalate; follow-up
visits are recorded. Holiday campaigns (三节三清三式) plan and track all of it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import Department, DistrictOneToOneField, DistrictScoped
from shangquan.merchants.models import Grid, Merchant


class Severity(models.TextChoices):
    GENERAL = "general", _("一般")
    MAJOR = "major", _("较重")
    SERIOUS = "serious", _("严重")


SEVERITY_RANK = {Severity.GENERAL: 1, Severity.MAJOR: 2, Severity.SERIOUS: 3}


# --- checklists -----------------------------------------------------------------------
class ChecklistTemplate(DistrictScoped):
    """燃气安全, 用电安全 …: a named checklist whose items live in versions."""

    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="checklist_code_unique"),
            models.UniqueConstraint(fields=["district", "name"], name="checklist_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistVersion(DistrictScoped):
    """An immutable edition of a template's items; inspections keep the one they used."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("检查表版本")
        verbose_name_plural = _("检查表版本")
        constraints = [
            models.UniqueConstraint(fields=["district", "template", "number"],
                                    name="checklist_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="checklist_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class ChecklistItem(DistrictScoped):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items")
    # Stable across versions (e.g. "gas-03"): the repeated-finding warning matches on it.
    code = models.SlugField(_("条目代码"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("检查内容"), max_length=300)
    severity = models.CharField(_("隐患等级"), max_length=10, choices=Severity.choices,
                                default=Severity.GENERAL)
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    photo_required = models.BooleanField(_("须拍照"), default=False)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("检查条目")
        verbose_name_plural = _("检查条目")
        constraints = [
            models.UniqueConstraint(fields=["district", "version", "code"],
                                    name="checklist_item_code_unique"),
            models.CheckConstraint(condition=Q(severity__in=["general", "major", "serious"]),
                                   name="checklist_item_severity_valid"),
        ]

    def __str__(self) -> str:
        return self.text


# --- campaigns --------------------------------------------------------------------------
class Campaign(DistrictScoped):
    """三节三清三式: a holiday's before (集中式) / during (清单式) / after (点位式) work."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PLANNED = "planned", _("已部署")
        CLOSED = "closed", _("已总结")

    name = models.CharField(_("名称"), max_length=80)
    holiday = models.CharField(_("节日"), max_length=20)
    prep_start = models.DateField(_("节前排查开始"))
    start = models.DateField(_("节日开始"))
    end = models.DateField(_("节日结束"))
    review_end = models.DateField(_("节后回访截止"))
    categories = models.JSONField(_("目标经营类别"), default=list, blank=True)
    grids = models.ManyToManyField(Grid, blank=True, related_name="+", through="CampaignGrid",
                                   verbose_name=_("目标网格"))
    templates = models.ManyToManyField(ChecklistTemplate, blank=True, related_name="+",
                                       through="CampaignTemplate", verbose_name=_("检查表"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    summary = models.TextField(_("总结"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-start"]
        verbose_name = _("节日专项行动")
        verbose_name_plural = _("节日专项行动")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="campaign_name_unique"),
            models.CheckConstraint(condition=Q(prep_start__lte=models.F("start"))
                                   & Q(start__lte=models.F("end"))
                                   & Q(end__lte=models.F("review_end")),
                                   name="campaign_dates_ordered"),
            models.CheckConstraint(condition=Q(status__in=["draft", "planned", "closed"]),
                                   name="campaign_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def phase(self, today=None) -> str:
        today = today or timezone.localdate()
        if today < self.start:
            return "before"
        if today <= self.end:
            return "during"
        return "after"


class CampaignTeam(DistrictScoped):
    """A joint team (联合检查组): several departments, several inspectors, some grids."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("名称"), max_length=60)
    departments = models.ManyToManyField(Department, blank=True, related_name="+",
                                         through="CampaignTeamDepartment",
                                         verbose_name=_("参加部门"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                     through="CampaignTeamMember", verbose_name=_("检查人员"))
    grids = models.ManyToManyField(Grid, blank=True, related_name="+",
                                   through="CampaignTeamGrid", verbose_name=_("负责网格"))

    class Meta:
        ordering = ["campaign", "name"]
        verbose_name = _("联合检查组")
        verbose_name_plural = _("联合检查组")
        constraints = [
            models.UniqueConstraint(fields=["district", "campaign", "name"],
                                    name="campaign_team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


# --- inspections -----------------------------------------------------------------------
class Inspection(DistrictScoped):
    """One visit: of one merchant, or of a whole grid (then one child per merchant)."""
    # The console page the audit log links to (core/templatetags/audit_tags.audit_link).
    AUDIT_URL = ("inspections:detail", "inspection_id")

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("日常检查")
        CONCENTRATED = "concentrated", _("集中检查")
        TARGETED = "targeted", _("点位检查")
        FOLLOW_UP = "follow_up", _("复查")

    class Status(models.TextChoices):
        PLANNED = "planned", _("待检查")
        IN_PROGRESS = "in_progress", _("检查中")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    class Result(models.TextChoices):
        PASSED = "passed", _("合格")
        ISSUES = "issues", _("发现隐患")
        SERIOUS = "serious", _("存在严重隐患")

    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices, default=Kind.ROUTINE)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.PLANNED)
    result = models.CharField(_("结论"), max_length=10, choices=Result.choices, blank=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="inspections", verbose_name=_("商户"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("网格"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="inspections")
    team = models.ForeignKey(CampaignTeam, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="inspections")
    follow_up_of = models.ForeignKey("Rectification", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="follow_up_inspections")
    versions = models.ManyToManyField(ChecklistVersion, related_name="inspections",
                                      through="InspectionVersion", verbose_name=_("检查表版本"))
    departments = models.ManyToManyField(Department, blank=True, related_name="+",
                                         through="InspectionDepartment",
                                         verbose_name=_("参加部门"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                        through="InspectionInspector",
                                        verbose_name=_("检查人员"))
    planned_for = models.DateField(_("计划日期"))
    reason = models.CharField(_("检查缘由"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    signature = models.ImageField(upload_to="inspections/signatures/%Y/%m/", blank=True)
    signed_name = models.CharField(_("签名人"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-planned_for", "-id"]
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        constraints = [
            models.CheckConstraint(condition=Q(merchant__isnull=False) | Q(grid__isnull=False),
                                   name="inspection_has_target"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="inspection_completed_has_time"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "completed", "cancelled"]),
                name="inspection_status_valid"),
        ]
        indexes = [models.Index(fields=["district", "status", "planned_for"]),
                   models.Index(fields=["district", "merchant", "-completed_at"])]

    def __str__(self) -> str:
        target = self.merchant or self.grid
        return f"{self.get_kind_display()} · {target} · {self.planned_for}"

    @property
    def is_grid(self) -> bool:
        return self.merchant_id is None


# --- the many-to-many links, each row in its owner's district ------------------------
# Explicit tables (the ones Django created before, kept by name) so that every link
# carries district, as a database distributed by district needs. The services pass
# ``through_defaults={"district": <owner's district>}`` to ``add``/``set``.
class CampaignGrid(DistrictScoped):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "inspections_campaign_grids"
        constraints = [models.UniqueConstraint(fields=["district", "campaign", "grid"],
                                               name="inspections_campaign_grid_once")]


class CampaignTemplate(DistrictScoped):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    checklisttemplate = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE,
                                          related_name="+")

    class Meta:
        db_table = "inspections_campaign_templates"
        constraints = [models.UniqueConstraint(
            fields=["district", "campaign", "checklisttemplate"],
            name="inspections_campaign_template_once")]


class CampaignTeamDepartment(DistrictScoped):
    campaignteam = models.ForeignKey(CampaignTeam, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "inspections_campaignteam_departments"
        constraints = [models.UniqueConstraint(
            fields=["district", "campaignteam", "department"],
            name="inspections_team_department_once")]


class CampaignTeamMember(DistrictScoped):
    campaignteam = models.ForeignKey(CampaignTeam, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")

    class Meta:
        db_table = "inspections_campaignteam_members"
        constraints = [models.UniqueConstraint(fields=["district", "campaignteam", "user"],
                                               name="inspections_team_member_once")]


class CampaignTeamGrid(DistrictScoped):
    campaignteam = models.ForeignKey(CampaignTeam, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "inspections_campaignteam_grids"
        constraints = [models.UniqueConstraint(fields=["district", "campaignteam", "grid"],
                                               name="inspections_team_grid_once")]


class InspectionVersion(DistrictScoped):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    checklistversion = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE,
                                         related_name="+")

    class Meta:
        db_table = "inspections_inspection_versions"
        constraints = [models.UniqueConstraint(
            fields=["district", "inspection", "checklistversion"],
            name="inspections_inspection_version_once")]


class InspectionDepartment(DistrictScoped):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "inspections_inspection_departments"
        constraints = [models.UniqueConstraint(
            fields=["district", "inspection", "department"],
            name="inspections_inspection_department_once")]


class InspectionInspector(DistrictScoped):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")

    class Meta:
        db_table = "inspections_inspection_inspectors"
        constraints = [models.UniqueConstraint(fields=["district", "inspection", "user"],
                                               name="inspections_inspection_inspector_once")]


class Answer(DistrictScoped):
    """One ticked item. Saves are idempotent: keyed by (inspection, item)."""

    class Value(models.TextChoices):
        PASS = "pass", _("符合")
        FAIL = "fail", _("不符合")
        NA = "na", _("不适用")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("结果"), max_length=4, choices=Value.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    # When the phone recorded it: a late retry of an older answer must not win.
    client_time = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "item__order", "item_id"]
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [
            models.UniqueConstraint(fields=["district", "inspection", "item"],
                                    name="answer_one_per_item"),
            models.CheckConstraint(condition=Q(value__in=["pass", "fail", "na"]),
                                   name="answer_value_valid"),
        ]


class AnswerPhoto(DistrictScoped):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="inspections/answers/%Y/%m/")
    # The phone's id for the photo: a retried upload returns the stored one.
    client_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answer", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "answer", "client_key"],
                                    name="answer_photo_client_key_unique"),
        ]


# --- rectification ------------------------------------------------------------------------
class Rectification(DistrictScoped):
    """整改单: issued → submitted → verified | rejected → submitted …; overdue → escalated."""
    # The console page the audit log links to (core/templatetags/audit_tags.audit_link).
    AUDIT_URL = ("inspections:rectification", "rectification_id")

    class Status(models.TextChoices):
        ISSUED = "issued", _("待整改")
        SUBMITTED = "submitted", _("待验收")
        REJECTED = "rejected", _("验收未通过")
        ESCALATED = "escalated", _("逾期督办")
        VERIFIED = "verified", _("已整改")

    OPEN_STATUSES = ("issued", "submitted", "rejected", "escalated")

    number = models.CharField(_("编号"), max_length=40)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT,
                                 related_name="rectifications", verbose_name=_("商户"))
    title = models.CharField(_("隐患"), max_length=300)
    description = models.TextField(_("整改要求"), blank=True)
    severity = models.CharField(_("等级"), max_length=10, choices=Severity.choices)
    source = models.CharField(_("来源"), max_length=20)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.ISSUED)
    deadline = models.DateTimeField(_("整改期限"))
    stop_business = models.BooleanField(_("停业整改"), default=False)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("责任部门"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["district", "-issued_at", "-id"]
        verbose_name = _("整改单")
        verbose_name_plural = _("整改单")
        constraints = [
            models.UniqueConstraint(fields=["district", "number"],
                                    name="rectification_number_unique"),
            models.CheckConstraint(condition=Q(severity__in=["general", "major", "serious"]),
                                   name="rectification_severity_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "submitted", "rejected", "escalated",
                                        "verified"]),
                name="rectification_status_valid"),
            models.CheckConstraint(condition=~Q(status="verified") | Q(verified_at__isnull=False),
                                   name="rectification_verified_has_time"),
            models.CheckConstraint(condition=Q(deadline__gt=models.F("issued_at")),
                                   name="rectification_deadline_after_issue"),
        ]
        indexes = [models.Index(fields=["district", "status", "deadline"]),
                   models.Index(fields=["district", "merchant", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.status != self.Status.SUBMITTED \
            and self.deadline < timezone.now()


class Finding(DistrictScoped):
    """A failed checklist item in an inspection, and the order it became."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    answer = DistrictOneToOneField(Answer, on_delete=models.CASCADE, related_name="finding")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    # "<template code>/<item code>": the same hazard across checklist versions.
    item_key = models.CharField(max_length=90)
    severity = models.CharField(_("等级"), max_length=10, choices=Severity.choices)
    rectification = DistrictOneToOneField(Rectification, on_delete=models.PROTECT,
                                          related_name="finding")
    repeat_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("重复隐患"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-created_at"]
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        indexes = [models.Index(fields=["district", "merchant", "item_key", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["district", "answer"], name="finding_answer_unique"),
            models.UniqueConstraint(fields=["district", "rectification"],
                                    name="finding_rectification_unique"),
        ]


class Evidence(DistrictScoped):
    """The merchant's answer to an order, and the inspector's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待验收")
        ACCEPTED = "accepted", _("通过")
        REJECTED = "rejected", _("退回")

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE,
                                      related_name="evidence")
    note = models.TextField(_("整改说明"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(_("验收结论"), max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decision_note = models.CharField(_("验收意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rectification", "submitted_at", "id"]
        verbose_name = _("整改材料")
        verbose_name_plural = _("整改材料")
        constraints = [
            models.UniqueConstraint(fields=["district", "rectification"],
                                    condition=Q(decision="pending"),
                                    name="evidence_one_pending_per_order"),
        ]


class EvidencePhoto(DistrictScoped):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="inspections/evidence/%Y/%m/")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["evidence", "id"]


class FollowUpVisit(DistrictScoped):
    """事后回访: a visit to see how an order (or a closed one) holds up."""

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("已消除")
        IN_PROGRESS = "in_progress", _("整改中")
        NOT_STARTED = "not_started", _("未整改")
        RECURRED = "recurred", _("反弹")

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE,
                                      related_name="visits")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="visits")
    outcome = models.CharField(_("回访结果"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    visited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rectification", "-visited_at"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["resolved", "in_progress", "not_started", "recurred"]),
                name="visit_outcome_valid"),
        ]


def new_client_key() -> str:
    return uuid.uuid4().hex
