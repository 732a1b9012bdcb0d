"""The registry as an xlsx sheet: export, and import (all rows or none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from shangquan.core import policies
from shangquan.core.audit import audited
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.models import District
from shangquan.merchants.models import Merchant

from . import selectors, services
from .messages import grams
from .models import Instrument

HEADERS = ["商户营业执照号", "商户名称", "器具类型", "制造商", "型号", "出厂编号",
           "最大秤量(kg)", "分度值e(g)", "准确度等级", "检定证书号", "检定日期", "有效期至",
           "状态", "承诺书签署日期"]
MAX_ROWS = 5000
KINDS = {**{str(label): value for value, label in Instrument.Kind.choices},
         **{value: value for value in Instrument.Kind.values}}
CLASSES = {"III": "III", "Ⅲ": "III", "3": "III", "IIII": "IIII", "Ⅳ": "IIII", "IV": "IIII",
           "4": "IIII"}


@audited("scales.instrument.export")
def instrument_export_xlsx(*, actor: Any, district: District, status: str = "") -> bytes:
    """The registry as xlsx (page and API alike): role checked, one audit row with the count."""
    policies.require(actor, "scales.export", district)
    instruments = list(selectors.instrument_list(user=actor, district=district, status=status))
    data = export_bytes(instruments)
    export_record(actor=actor, district=district, action="scales.instrument.export",
                  object_type="scales.instrument", rows=len(instruments), fmt="xlsx",
                  filters={"status": status})
    return data


def export_bytes(instruments: Iterable[Instrument]) -> bytes:
    book = new_workbook()
    sheet = book.active
    sheet.title = "计量器具"
    sheet.append(HEADERS)
    for i in instruments:
        xlsx_append(sheet, [i.merchant.licence_no, i.merchant.name, i.get_kind_display(), i.maker,
                      i.model_no, i.serial_no, grams(i.max_capacity_g / 1000), grams(i.e_g),
                      i.accuracy_class, i.certificate_no, i.certificate_date, i.next_due,
                      i.get_status_display(), i.commitment_signed_on])
    for column, width in zip("ABCDEFGHIJKLMN", (22, 18, 12, 14, 12, 14, 12, 10, 10, 18, 12, 12,
                                                8, 14), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(book)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("日期格式应为 2026-03-01"), code="bad_date") from None


def _row_fields(district: District, row: dict[str, Any],
                merchants: dict[str, Merchant]) -> dict[str, Any]:
    licence = _text(row.get("商户营业执照号")).upper()
    merchant = merchants.get(licence) or merchants.get("name:" + _text(row.get("商户名称")))
    if merchant is None:
        raise ValidationFailed(_("找不到该商户（请核对营业执照号）"), code="merchant_unknown")
    kind = KINDS.get(_text(row.get("器具类型")) or "电子计价秤")
    if kind is None:
        raise ValidationFailed(_("未知的器具类型"), code="unknown_kind")
    cls = CLASSES.get(_text(row.get("准确度等级")).upper() or "III")
    if cls is None:
        raise ValidationFailed(_("准确度等级只能是 Ⅲ 级或 Ⅳ 级"), code="unknown_class")
    try:
        max_kg = Decimal(_text(row.get("最大秤量(kg)")))
        e_g = Decimal(_text(row.get("分度值e(g)")))
    except ArithmeticError:
        raise ValidationFailed(_("最大秤量和分度值须为数字"), code="not_a_number") from None
    return {"merchant": merchant, "kind": kind, "maker": _text(row.get("制造商")),
            "model_no": _text(row.get("型号")), "serial_no": _text(row.get("出厂编号")),
            "max_capacity_g": max_kg * 1000, "e_g": e_g, "accuracy_class": cls,
            "certificate_no": _text(row.get("检定证书号")),
            "certificate_date": _date(row.get("检定日期")), "next_due": _date(row.get("有效期至")),
            "commitment_signed_on": _date(row.get("承诺书签署日期"))}


@audited("scales.instrument.register", "scales.instrument.update")
def import_file(*, actor: Any, district: District, upload: Any) -> dict[str, int]:
    """Create or update instruments (matched by maker + serial); any bad row aborts all."""
    policies.require(actor, "scales.instrument_manage", district)
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not xlsx
        raise ValidationFailed(_("请上传 xlsx 格式的表格"), code="not_xlsx") from None
    rows = book.active.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h in ("出厂编号", "制造商", "最大秤量(kg)", "分度值e(g)") if h not in header]
    if missing:
        raise ValidationFailed(_("表头缺少：%(m)s") % {"m": "、".join(missing)},
                               code="missing_columns", details={"missing": missing})
    merchants: dict[str, Merchant] = {}
    for m in Merchant.objects.filter(district=district):
        merchants[m.licence_no.upper()] = m
        merchants.setdefault("name:" + m.name, m)
    errors: list[dict[str, Any]] = []
    created = updated = 0
    with transaction.atomic():
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                raise ValidationFailed(_("一次最多导入 %(n)s 行") % {"n": MAX_ROWS},
                                       code="too_many_rows")
            row = dict(zip(header, values, strict=False))
            if not any(_text(v) for v in values):
                continue
            try:
                with transaction.atomic():
                    fields = _row_fields(district, row, merchants)
                    existing = Instrument.objects.filter(district=district,
                                                         maker=fields["maker"],
                                                         serial_no=fields["serial_no"]).first()
                    if existing is None:
                        services.instrument_register(actor=actor, district=district, **fields)
                        created += 1
                    else:
                        fields.pop("merchant")
                        changed = {k: v for k, v in fields.items()
                                   if v not in (None, "") and getattr(existing, k) != v}
                        if changed:
                            services.instrument_update(actor=actor, district=district,
                                                       instrument=existing, **changed)
                            updated += 1
            except DomainError as exc:
                errors.append({"row": number, "code": exc.code, "message": str(exc.message)})
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationFailed(_("有 %(n)s 行有误，未导入任何数据") % {"n": len(errors)},
                               code="import_failed", details={"errors": errors[:200]})
    return {"created": created, "updated": updated}
