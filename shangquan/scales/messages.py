"""Chinese messages for the pure modules' error codes, and gram formatting."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from shangquan.core.errors import ValidationFailed

from .metrology import MetrologyError

MESSAGES = {
    "below_min": _("砝码 %(load)s 克低于最小秤量 Min %(minimum)s 克（Ⅲ级为 20e，Ⅳ级为 10e），"
                   "小于 Min 的载荷不能用于判定，请换用更重的砝码"),
    "above_max": _("砝码 %(load)s 克超过最大秤量 Max %(maximum)s 克，请换用更轻的砝码"),
    "beyond_table": _("载荷 %(load)s 克超出误差表范围（上限 %(limit)s 克）"),
    "no_indications": _("请至少输入一个示值"),
    "negative_indication": _("示值不能为负数"),
    "not_a_number": _("“%(value)s”不是有效的数字"),
    "unknown_class": _("准确度等级只能是 Ⅲ 级或 Ⅳ 级"),
    "e_too_small": _("%(cls)s 级秤的检定分度值 e 不能小于 %(minimum)s 克"),
    "n_out_of_range": _("检定分度数 n = Max ÷ e = %(n)s，%(cls)s 级秤应在 %(low)s 至 %(high)s "
                        "之间，请核对最大秤量和分度值"),
    "max_not_multiple_of_e": _("最大秤量应是检定分度值 e 的整数倍"),
    "non_positive": _("重量和分度值必须大于零"),
    "negative_price": _("单价不能为负数"),
    "unknown_unit": _("未知的计价单位"),
    "too_large": _("数值“%(value)s”过大"),
    "too_precise": _("数值“%(value)s”过于精细：重量最多精确到 0.001 克"),
}


def grams(value: Decimal | None) -> str:
    """12.500 → "12.5", 5000 → "5000": plain, without exponent."""
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text


def as_validation_error(exc: MetrologyError, field: str = "") -> ValidationFailed:
    params = {k: grams(v) if isinstance(v, Decimal) else v for k, v in exc.params.items()}
    template = MESSAGES.get(exc.code, _("输入有误"))
    details = {"field": field, **params} if field else params
    return ValidationFailed(str(template) % params if params else template,
                            code=exc.code, details=details)
