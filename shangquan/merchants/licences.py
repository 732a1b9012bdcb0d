"""Licence numbers: 统一社会信用代码 (GB 32100-2015) and the older 15-digit 注册号 (GB/T 17107).

Both carry a check digit, so a typo in an imported list is caught before it becomes a
second merchant. The check digits come from python-stdnum (``stdnum.cn.uscc`` and ISO 7064
MOD 11,10); the format rule stays ours: ``stdnum.cn.uscc.validate`` wants digits in the
first two places, but GB 32100 also gives the 登记管理部门 letters (A 中央军委改革和编制办公室,
N 农业, Y 其他), so it would turn away valid codes such as ``Y1110000MA0000001Y``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_REG15 = re.compile(r"^\d{15}$")


def uscc_check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("a USCC check character needs exactly 17 characters")
    return uscc.calc_check_digit(first17)


def reg15_check_digit(first14: str) -> str:
    """ISO 7064 MOD 11,10."""
    return mod_11_10.calc_check_digit(first14)


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
