"""Licence numbers: 统一社会信用代码 (GB 32100-2015) and the older 15-digit 注册号 (GB/T 17107).

Both carry a check digit, so a typo in an imported list is caught before it becomes a
second merchant.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_REG15 = re.compile(r"^\d{15}$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def reg15_check_digit(first14: str) -> str:
    """ISO 7064 MOD 11,10."""
    p = 10
    for ch in first14:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


def licence_normalize(raw: str) -> str:
    return re.sub(r"[\s\-]", "", str(raw or "")).upper()


def licence_check(raw: str) -> tuple[str, str, str]:
    """(normalised number, kind, error message or ""). kind is "uscc" or "individual"."""
    value = licence_normalize(raw)
    if not value:
        return value, "", _("营业执照号为空")
    if len(value) == 18:
        if not _USCC.match(value):
            return value, "uscc", _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）")
        if uscc_check_char(value[:17]) != value[17]:
            return value, "uscc", _("统一社会信用代码校验位不正确，请核对")
        # 92…: 个体工商户 under the new scheme; still a USCC.
        return value, "uscc", ""
    if len(value) == 15:
        if not _REG15.match(value):
            return value, "individual", _("个体工商户注册号应为 15 位数字")
        if reg15_check_digit(value[:14]) != value[14]:
            return value, "individual", _("个体工商户注册号校验位不正确，请核对")
        return value, "individual", ""
    return value, "", _("营业执照号应为 18 位统一社会信用代码或 15 位注册号（现为 %(n)s 位）") % {
        "n": len(value)}


def make_uscc(body17: str) -> str:
    """A valid code from 17 characters (demo data and tests)."""
    return body17 + uscc_check_char(body17)


def make_reg15(body14: str) -> str:
    return body14 + reg15_check_digit(body14)
