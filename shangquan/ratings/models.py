"""Ratings (文明诚信商户): schemes, periods, scores, evidence adjustments, results, appeals,
re-ratings, the 流动红旗, titles (放心店 …) and the daily outdoor-display checks (外摆评分).

Invariants live here as constraints: one score per rater × merchant × dimension × period,
one resident score per verified phone × merchant × period, one result per merchant and
period, one appeal per result, one re-rating per merchant and period, one flag per
association (or grid) and period, one adjustment per rule × source row.
Scores and totals are integers: a result's total is kept in tenths (87.5 → 875).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import DistrictScoped
from shangquan.merchants.models import Association, Grid, Merchant


class Party(models.TextChoices):
    ASSOCIATION = "association", _("商会")
    COMMUNITY = "community", _("社区")
    RESIDENTS = "residents", _("居民")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    FAIL = "fail", _("不合格")


class FlagScope(models.TextChoices):
    ASSOCIATION = "association", _("每个商会")
    GRID = "grid", _("每个网格")


# --- the scheme ---------------------------------------------------------------------------
class Scheme(DistrictScoped):
    """A district's rating scheme: the parties' shares (percent) and how flags are given."""

    share_association = models.PositiveSmallIntegerField(_("商会占比（%）"), default=40)
    share_community = models.PositiveSmallIntegerField(_("社区占比（%）"), default=30)
    share_residents = models.PositiveSmallIntegerField(_("居民占比（%）"), default=30)
    flag_scope = models.CharField(_("流动红旗范围"), max_length=12, choices=FlagScope.choices,
                                  default=FlagScope.ASSOCIATION)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评比方案")
        verbose_name_plural = _("评比方案")
        constraints = [
            models.UniqueConstraint(fields=["district"], name="ratings_scheme_one_per_district"),
            models.CheckConstraint(
                condition=Q(share_association__lte=100) & Q(share_community__lte=100)
                & Q(share_residents__lte=100),
                name="ratings_scheme_shares_percent"),
            models.CheckConstraint(
                condition=Q(flag_scope__in=["association", "grid"]),
                name="ratings_scheme_flag_scope_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} scheme"

    def shares(self) -> dict[str, int]:
        return {Party.ASSOCIATION.value: self.share_association,
                Party.COMMUNITY.value: self.share_community,
                Party.RESIDENTS.value: self.share_residents}


class Dimension(DistrictScoped):
    """One element of the scheme (卫生, 服务 …) with its weight."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=30)
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["district", "position", "id"]
        verbose_name = _("评比维度")
        verbose_name_plural = _("评比维度")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="ratings_dimension_code_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=100),
                                   name="ratings_dimension_weight_range"),
        ]

    def __str__(self) -> str:
        return self.name


# --- periods --------------------------------------------------------------------------------
class Period(DistrictScoped):
    """A rating period (a quarter by default): draft → scoring → provisional → published →
    archived. The scheme is copied in when scoring opens, so a later edit of the scheme
    never changes a period in flight."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SCORING = "scoring", _("评分中")
        PROVISIONAL = "provisional", _("结果公示")
        PUBLISHED = "published", _("已发布")
        ARCHIVED = "archived", _("已归档")

    name = models.CharField(_("名称"), max_length=40)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    year_end = models.BooleanField(_("年终评定"), default=False)
    # [{"code", "name", "weight"}] and {"association": 40, …}: the scheme when scoring opened
    dimensions = models.JSONField(default=list, blank=True)
    shares = models.JSONField(default=dict, blank=True)
    flag_scope = models.CharField(max_length=12, choices=FlagScope.choices,
                                  default=FlagScope.ASSOCIATION)
    scoring_opened_at = models.DateTimeField(null=True, blank=True)
    provisional_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "-starts_on"]
        verbose_name = _("评比周期")
        verbose_name_plural = _("评比周期")
        constraints = [
            models.UniqueConstraint(fields=["district", "starts_on"], name="ratings_period_start_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")),
                                   name="ratings_period_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scoring", "provisional", "published", "archived"]),
                name="ratings_period_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "archived"]) | Q(published_at__isnull=False),
                name="ratings_period_published_has_time"),
            models.CheckConstraint(
                condition=~Q(status__in=["provisional", "published", "archived"])
                | Q(provisional_at__isnull=False),
                name="ratings_period_provisional_has_time"),
        ]

    def __str__(self) -> str:
        return self.name

    def dimension_names(self) -> dict[str, str]:
        return {d["code"]: d["name"] for d in self.dimensions}


class Score(DistrictScoped):
    """One staff rater's score (0–100) of one merchant on one dimension in one period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="scores")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    dimension = models.SlugField(max_length=20)
    party = models.CharField(max_length=12, choices=Party.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("分数"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # Bumped on every change: a grid that saw version 2 cannot silently overwrite 3.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["district", "period", "merchant", "dimension", "rater"],
                                    name="ratings_score_one_per_rater"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=100),
                                   name="ratings_score_range"),
            models.CheckConstraint(condition=Q(party__in=["association", "community"]),
                                   name="ratings_score_staff_party"),
        ]
        indexes = [models.Index(fields=["district", "period", "merchant"])]


class ResidentScore(DistrictScoped):
    """A resident's overall score (1–5 stars) from the merchant's QR page: one per verified
    phone per merchant per period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="resident_scores")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+")
    # sha256 of the normalised phone with the site secret: the constraint is per phone,
    # and the table holds no phone number.
    phone_key = models.CharField(max_length=64)
    stars = models.PositiveSmallIntegerField(_("星级"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("居民评分")
        verbose_name_plural = _("居民评分")
        constraints = [
            models.UniqueConstraint(fields=["district", "period", "merchant", "phone_key"],
                                    name="ratings_resident_one_per_phone"),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5),
                                   name="ratings_resident_stars_range"),
        ]
        indexes = [models.Index(fields=["district", "period", "merchant"])]


class Adjustment(DistrictScoped):
    """A deduction (or bonus) by rule, always linked to the row that is its evidence."""

    class Rule(models.TextChoices):
        SPOT_CHECK = "spot_check", _("计量器具查验不合格")
        WORK_ORDER = "work_order", _("被投诉并查实")
        SERIOUS_FINDING = "serious_finding", _("检查发现严重隐患")
        OVERDUE_RECTIFICATION = "overdue_rectification", _("整改逾期")
        OUTDOOR = "outdoor", _("外摆检查不达标")
        # from apps below ratings' reach (Contributions.rating_evidence): 公益, volunteering
        PUBLIC_SERVICE = "public_service", _("公益参与加分")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="adjustments")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    dimension = models.SlugField(max_length=20)
    rule = models.CharField(max_length=24, choices=Rule.choices)
    points = models.SmallIntegerField(_("加减分"))
    source_type = models.CharField(max_length=40)  # "scales.spotcheck", "workorders.workorder" …
    source_id = models.PositiveIntegerField()
    source_label = models.CharField(max_length=120, blank=True)
    source_url = models.CharField(max_length=200, blank=True)  # the source's page, if any
    source_date = models.DateField(null=True, blank=True)
    voided = models.BooleanField(_("已撤销"), default=False)
    void_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "merchant", "source_date", "id"]
        verbose_name = _("证据调整")
        verbose_name_plural = _("证据调整")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "period", "merchant", "rule", "source_type", "source_id"],
                name="ratings_adjustment_one_per_source"),
            models.CheckConstraint(condition=~Q(points=0), name="ratings_adjustment_not_zero"),
            models.CheckConstraint(condition=Q(voided=False) | ~Q(void_reason=""),
                                   name="ratings_adjustment_void_has_reason"),
        ]
        indexes = [models.Index(fields=["district", "period", "merchant"])]


class Result(DistrictScoped):
    """A merchant's result for a period: sub-scores, adjustments applied, grade and cap."""

    class Rerating(models.TextChoices):
        NONE = "", _("无")
        REQUESTED = "requested", _("复评中")
        DONE = "done", _("已复评")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="results")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    total_tenths = models.PositiveSmallIntegerField(_("总分（0.1 分）"))
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices)
    band_grade = models.CharField(max_length=10, choices=Grade.choices)  # before the cap
    capped = models.BooleanField(default=False)
    cap_reasons = models.JSONField(default=list, blank=True)
    dimension_tenths = models.JSONField(default=dict, blank=True)  # {code: tenths}
    party_tenths = models.JSONField(default=dict, blank=True)  # {party: tenths | None}
    shares_used = models.JSONField(default=dict, blank=True)  # {party: percent}
    resident_count = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)  # substantiated, in the period
    reply = models.TextField(_("商户回应"), blank=True)
    reply_at = models.DateTimeField(null=True, blank=True)
    rerating = models.CharField(max_length=10, choices=Rerating.choices, default="", blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "period", "-total_tenths", "merchant_id"]
        verbose_name = _("评比结果")
        verbose_name_plural = _("评比结果")
        constraints = [
            models.UniqueConstraint(fields=["district", "period", "merchant"],
                                    name="ratings_result_one_per_merchant"),
            models.CheckConstraint(condition=Q(total_tenths__lte=1000), name="ratings_result_range"),
            models.CheckConstraint(condition=Q(grade__in=["excellent", "good", "fair", "fail"]),
                                   name="ratings_result_grade_valid"),
            models.CheckConstraint(condition=~Q(grade="excellent") | Q(capped=False),
                                   name="ratings_result_capped_not_excellent"),
        ]
        indexes = [models.Index(fields=["district", "merchant", "period"])]


class Appeal(DistrictScoped):
    """The merchant's appeal of a provisional or published result; decided, with a reason,
    by a committee member who did not score the merchant in that period."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待裁决")
        UPHELD = "upheld", _("申诉成立")
        DISMISSED = "dismissed", _("维持原评")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="appeals")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decision = models.TextField(_("裁决理由"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # the deductions the merchant contests (Adjustment ids of this result), chosen when filing
    contested_adjustments = models.JSONField(default=list, blank=True)
    voided_adjustments = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["district", "-filed_at"]
        verbose_name = _("评比申诉")
        verbose_name_plural = _("评比申诉")
        constraints = [
            models.UniqueConstraint(fields=["district", "result"], name="ratings_appeal_one_per_result"),
            models.CheckConstraint(condition=Q(status__in=["pending", "upheld", "dismissed"]),
                                   name="ratings_appeal_status_valid"),
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(decided_by__isnull=False) & ~Q(decision="")),
                name="ratings_appeal_decided_with_reason"),
            models.CheckConstraint(condition=~Q(decided_by=F("filed_by")),
                                   name="ratings_appeal_not_decided_by_filer"),
        ]


class Rerating(DistrictScoped):
    """After fixes a merchant may ask for one re-rating per period (复评)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("复评中")
        DONE = "done", _("已复评")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="reratings")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("整改说明"), max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("复评申请")
        verbose_name_plural = _("复评申请")
        constraints = [
            models.UniqueConstraint(fields=["district", "period", "merchant"],
                                    name="ratings_rerating_one_per_period"),
            models.CheckConstraint(condition=Q(status="requested") | Q(done_at__isnull=False),
                                   name="ratings_rerating_done_has_time"),
        ]


# --- awards ---------------------------------------------------------------------------------
class Flag(DistrictScoped):
    """流动红旗: one per association (or grid) per period, to the best result. The holder is
    the latest published period's row; earlier rows are the history."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="flags")
    scope = models.CharField(max_length=12, choices=FlagScope.choices)
    association = models.ForeignKey(Association, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    total_tenths = models.PositiveSmallIntegerField()
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-awarded_at"]
        verbose_name = _("流动红旗")
        verbose_name_plural = _("流动红旗")
        constraints = [
            models.UniqueConstraint(fields=["district", "period", "association"],
                                    name="ratings_flag_one_per_association"),
            models.UniqueConstraint(fields=["district", "period", "grid"],
                                    name="ratings_flag_one_per_grid"),
            models.CheckConstraint(
                condition=(Q(scope="association") & Q(association__isnull=False) & Q(grid__isnull=True))
                | (Q(scope="grid") & Q(grid__isnull=False) & Q(association__isnull=True)),
                name="ratings_flag_scope_matches"),
        ]

    @property
    def group_name(self) -> str:
        group = self.association if self.scope == FlagScope.ASSOCIATION else self.grid
        return group.name if group is not None else ""


class TitleKind(DistrictScoped):
    """A title the district awards (放心店, 示范户 …): a configurable list."""

    code = models.SlugField(max_length=30)
    name = models.CharField(_("称号"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["district", "position", "id"]
        verbose_name = _("称号类型")
        verbose_name_plural = _("称号类型")
        constraints = [models.UniqueConstraint(fields=["district", "code"],
                                               name="ratings_titlekind_code_unique")]

    def __str__(self) -> str:
        return self.name


class Title(DistrictScoped):
    """A merchant's title: candidate → listed → warned (deadline) → delisted; relisted after
    a period at 良好 or better (优进绌退)."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("候选")
        LISTED = "listed", _("在册")
        WARNED = "warned", _("警示整改")
        DELISTED = "delisted", _("已摘牌")

    kind = models.ForeignKey(TitleKind, on_delete=models.PROTECT, related_name="titles")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    warned_until = models.DateField(_("整改期限"), null=True, blank=True)
    public_reason = models.CharField(_("公开说明"), max_length=200, blank=True)
    listed_on = models.DateField(null=True, blank=True)
    delisted_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district", "kind__position", "merchant_id"]
        verbose_name = _("称号")
        verbose_name_plural = _("称号")
        constraints = [
            models.UniqueConstraint(fields=["district", "kind", "merchant"],
                                    name="ratings_title_one_per_kind"),
            models.CheckConstraint(
                condition=Q(status__in=["candidate", "listed", "warned", "delisted"]),
                name="ratings_title_status_valid"),
            models.CheckConstraint(condition=~Q(status="warned") | Q(warned_until__isnull=False),
                                   name="ratings_title_warned_has_deadline"),
            models.CheckConstraint(condition=~Q(status="delisted") | ~Q(public_reason=""),
                                   name="ratings_title_delisted_has_reason"),
        ]


# --- outdoor display (外摆评分) ----------------------------------------------------------------
class OutdoorZone(DistrictScoped):
    """A merchant's permitted outdoor area: size, hours, passage width to keep clear."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    area_m2 = models.DecimalField(_("许可面积（㎡）"), max_digits=6, decimal_places=1)
    hours = models.CharField(_("许可时段"), max_length=40, default="17:00-23:00")
    passage_m = models.DecimalField(_("须留通道宽度（米）"), max_digits=4, decimal_places=1,
                                    default=1.5)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("外摆区域")
        verbose_name_plural = _("外摆区域")
        constraints = [
            models.UniqueConstraint(fields=["district", "merchant"], name="ratings_outdoor_zone_one"),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="ratings_outdoor_zone_area"),
        ]


def outdoor_photo_path(instance: OutdoorCheck, filename: str) -> str:
    return f"outdoor/{instance.district_id}/{filename}"


class OutdoorCheck(DistrictScoped):
    """The grid leader's daily check: 0–10 per item, a photo when below the threshold."""

    zone = models.ForeignKey(OutdoorZone, on_delete=models.CASCADE, related_name="checks")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)
    checked_on = models.DateField()
    items = models.JSONField(default=dict)  # {"area": 8, "passage": 10, "tidy": 7, "hours": 10}
    score_tenths = models.PositiveSmallIntegerField()  # 0–100 = 0.0–10.0
    passed = models.BooleanField()
    photo = models.ImageField(upload_to=outdoor_photo_path, blank=True)
    note = models.CharField(max_length=200, blank=True)
    client_key = models.CharField(max_length=64, blank=True)  # offline retries
    rectification_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["district", "-checked_at"]
        verbose_name = _("外摆检查")
        verbose_name_plural = _("外摆检查")
        constraints = [
            models.CheckConstraint(condition=Q(score_tenths__lte=100), name="ratings_outdoor_score_range"),
            models.CheckConstraint(condition=Q(passed=True) | ~Q(photo=""),
                                   name="ratings_outdoor_fail_has_photo"),
            models.UniqueConstraint(fields=["district", "client_key"], condition=~Q(client_key=""),
                                    name="ratings_outdoor_client_key_unique"),
        ]
        indexes = [models.Index(fields=["district", "merchant", "-checked_at"]),
                   models.Index(fields=["district", "checked_on"])]
