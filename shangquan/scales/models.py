"""Trade scales (计量器具备案), spot checks (砝码查验) and consumer re-weighing (公平秤).

Weights are stored in grams as decimals (exact band edges, no float noise).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import DistrictScoped
from shangquan.merchants.models import Merchant

GRAMS = {"max_digits": 12, "decimal_places": 3}


def new_token() -> str:
    return secrets.token_urlsafe(12)


class Instrument(DistrictScoped):
    class Kind(models.TextChoices):
        PRICE_COMPUTING = "price_computing", _("电子计价秤")
        COUNTER = "counter", _("案秤")
        PLATFORM = "platform", _("台秤")
        CRANE = "crane", _("吊秤")
        OTHER = "other", _("其他")

    class AccuracyClass(models.TextChoices):
        III = "III", _("Ⅲ级（中准确度）")
        IIII = "IIII", _("Ⅳ级（普通准确度）")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("在用")
        SUSPENDED = "suspended", _("停用")
        RETIRED = "retired", _("报废")

    class StatusReason(models.TextChoices):
        NONE = "", _("—")
        FAILED_CHECK = "failed_check", _("查验不合格")
        EXPIRED = "expired", _("检定过期")
        MANUAL = "manual", _("人工停用")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="instruments",
                                 verbose_name=_("商户"))
    kind = models.CharField(_("器具类型"), max_length=20, choices=Kind.choices,
                            default=Kind.PRICE_COMPUTING)
    maker = models.CharField(_("制造商"), max_length=80)
    model_no = models.CharField(_("型号"), max_length=60, blank=True)
    serial_no = models.CharField(_("出厂编号"), max_length=60)
    max_capacity_g = models.DecimalField(_("最大秤量 Max（克）"), **GRAMS)
    e_g = models.DecimalField(_("检定分度值 e（克）"), **GRAMS)
    accuracy_class = models.CharField(_("准确度等级"), max_length=4,
                                      choices=AccuracyClass.choices, default=AccuracyClass.III)
    certificate_no = models.CharField(_("检定证书号"), max_length=60, blank=True)
    certificate_date = models.DateField(_("检定日期"), null=True, blank=True)
    next_due = models.DateField(_("检定有效期至"), null=True, blank=True)
    expiry_warned_for = models.DateField(null=True, blank=True, editable=False)
    in_service_since = models.DateField(
        _("投入使用日期"), null=True, blank=True,
        help_text=_("为空表示新器具：按首次检定最大允许误差判定"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.IN_USE)
    status_reason = models.CharField(_("停用原因"), max_length=16, choices=StatusReason.choices,
                                     default="", blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    commitment_signed_on = models.DateField(_("承诺书签署日期"), null=True, blank=True)
    commitment_scan = models.ImageField(_("承诺书扫描件"), upload_to="scales/commitments/%Y/%m/",
                                        blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district", "merchant__name", "serial_no"]
        verbose_name = _("计量器具")
        verbose_name_plural = _("计量器具")
        constraints = [
            models.UniqueConstraint(fields=["district", "maker", "serial_no"],
                                    name="instrument_serial_unique_per_maker"),
            models.CheckConstraint(condition=Q(e_g__gt=0), name="instrument_e_positive"),
            models.CheckConstraint(condition=Q(max_capacity_g__gt=F("e_g")),
                                   name="instrument_max_above_e"),
            models.CheckConstraint(condition=Q(accuracy_class__in=["III", "IIII"]),
                                   name="instrument_class_valid"),
            models.CheckConstraint(condition=Q(status__in=["in_use", "suspended", "retired"]),
                                   name="instrument_status_valid"),
            models.CheckConstraint(condition=Q(next_due__isnull=True)
                                   | Q(certificate_date__isnull=True)
                                   | Q(next_due__gte=F("certificate_date")),
                                   name="instrument_due_after_certificate"),
        ]
        indexes = [models.Index(fields=["district", "status"]),
                   models.Index(fields=["district", "next_due"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial_no}"

    @property
    def is_new(self) -> bool:
        return self.in_service_since is None


class SpotCheck(DistrictScoped):
    """One test load on one instrument, with one or more indications."""

    class Basis(models.TextChoices):
        INITIAL = "initial", _("首次检定误差")
        IN_SERVICE = "in_service", _("使用中检查误差")

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="checks",
                                   verbose_name=_("计量器具"))
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("商户"))
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("查验人"))
    checked_at = models.DateTimeField(_("查验时间"), default=timezone.now)
    checked_on = models.DateField(_("查验日期"))
    load_g = models.DecimalField(_("砝码质量（克）"), **GRAMS)
    indications = models.JSONField(_("示值（克）"), default=list)
    worst_error_g = models.DecimalField(_("最大示值误差（克）"), **GRAMS)
    mpe_g = models.DecimalField(_("最大允许误差（克）"), **GRAMS)
    repeatability_g = models.DecimalField(_("重复性（克）"), null=True, blank=True, **GRAMS)
    basis = models.CharField(_("判定依据"), max_length=12, choices=Basis.choices)
    passed = models.BooleanField(_("合格"))
    planned = models.BooleanField(_("按计划查验"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    rectification_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("砝码查验")
        verbose_name_plural = _("砝码查验")
        constraints = [
            models.CheckConstraint(condition=Q(load_g__gt=0), name="spot_check_load_positive"),
            models.CheckConstraint(condition=Q(mpe_g__gt=0), name="spot_check_mpe_positive"),
            models.CheckConstraint(condition=Q(basis__in=["initial", "in_service"]),
                                   name="spot_check_basis_valid"),
        ]
        indexes = [models.Index(fields=["district", "checked_on"]),
                   models.Index(fields=["instrument", "-checked_at"]),
                   models.Index(fields=["merchant", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.checked_on} {'✔' if self.passed else '✘'}"


class Reweigh(DistrictScoped):
    """A shopper's purchase weighed again at the fair scale station (公平秤)."""

    class Band(models.TextChoices):
        STAPLE = "staple", _("粮食、蔬菜、水果或不高于 6 元/千克")
        STANDARD = "standard", _("肉蛋禽、水产、糕点、糖果、调味品或 6–30 元/千克")
        DRIED = "dried", _("干菜、山（海）珍品或 30–100 元/千克")
        PREMIUM = "premium", _("高于 100 元/千克")
        GOLD = "gold", _("金饰品")
        SILVER = "silver", _("银饰品")

    class Verdict(models.TextChoices):
        OK = "ok", _("足秤")
        WITHIN = "within", _("在允许误差内")
        SHORT = "short", _("缺斤短两")
        NOT_COVERED = "not_covered", _("超出称重范围")

    class Method(models.TextChoices):
        HIGH_ACCURACY = "high_accuracy", _("高准确度核称")
        EQUAL_ACCURACY = "equal_accuracy", _("等准确度核称")

    public_token = models.CharField(max_length=20, default=new_token, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="reweighs",
                                 verbose_name=_("商户"))
    goods = models.CharField(_("商品"), max_length=60)
    band = models.CharField(_("价格档次"), max_length=12, choices=Band.choices)
    unit_price_per_kg = models.DecimalField(_("单价（元/千克）"), max_digits=10,
                                            decimal_places=2, null=True, blank=True)
    claimed_g = models.DecimalField(_("结算重量（克）"), **GRAMS)
    measured_g = models.DecimalField(_("核称重量（克）"), **GRAMS)
    shortfall_g = models.DecimalField(_("短少（克）"), **GRAMS)
    allowed_g = models.DecimalField(_("允许负偏差（克）"), null=True, blank=True, **GRAMS)
    verdict = models.CharField(_("结论"), max_length=12, choices=Verdict.choices)
    method = models.CharField(_("核称方法"), max_length=16, choices=Method.choices,
                              default=Method.HIGH_ACCURACY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    work_order_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    complained_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("公平秤复称")
        verbose_name_plural = _("公平秤复称")
        constraints = [
            # The slip's link names the district: /d/<code>/fair-scale/<token>/.
            models.UniqueConstraint(fields=["district", "public_token"],
                                    name="scales_reweigh_token_unique"),
            models.CheckConstraint(condition=Q(claimed_g__gt=0), name="reweigh_claimed_positive"),
            models.CheckConstraint(condition=Q(measured_g__gte=0),
                                   name="reweigh_measured_not_negative"),
            models.CheckConstraint(condition=Q(verdict__in=["ok", "within", "short",
                                                            "not_covered"]),
                                   name="reweigh_verdict_valid"),
            models.CheckConstraint(condition=Q(work_order_id__isnull=True) | Q(verdict="short"),
                                   name="reweigh_complaint_only_when_short"),
        ]
        indexes = [models.Index(fields=["district", "-created_at"]),
                   models.Index(fields=["merchant", "verdict"])]

    def __str__(self) -> str:
        return f"{self.goods} {self.claimed_g}g/{self.measured_g}g"


class DailyPlan(DistrictScoped):
    """The day's spot-check plan, frozen when first built, with the inputs that made it.

    Recomputing :func:`shangquan.scales.planner.plan_day` from ``inputs`` gives the same
    ``digest`` and ``items``: that is the audit trail of why these scales were chosen.
    """

    day = models.DateField(_("日期"))
    window_days = models.PositiveSmallIntegerField(_("查验周期（天）"))
    quota = models.PositiveIntegerField(_("当日配额"))
    digest = models.CharField(_("输入摘要"), max_length=32)
    inputs = models.JSONField(default=list)
    items = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("查验计划")
        verbose_name_plural = _("查验计划")
        constraints = [
            models.UniqueConstraint(fields=["district", "day"], name="daily_plan_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.day}"
