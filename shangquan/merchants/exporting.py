"""Export the registry to xlsx (phones only for roles that may see them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from shangquan.core import policies
from shangquan.core.audit import audited
from shangquan.core.errors import NotFound
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.models import District
from shangquan.core.pii import phone_mask

from . import selectors
from .licences import make_uscc
from .poster import poster_pdf

EXPORT_FILTERS = ("q", "category", "status", "grid", "association")


@audited("merchants.merchant.export")
def merchants_export_xlsx(*, actor: Any, district: District,
                          filters: dict[str, Any] | None = None) -> bytes:
    """The registry (or the list page's filter of it) as xlsx, audited with its row count."""
    policies.require(actor, "merchant.export", district)
    reveal = policies.can(actor, "merchant.view_phone", district)
    filters = {k: v for k, v in (filters or {}).items() if k in EXPORT_FILTERS}
    qs = selectors.merchant_list(district=district, **filters)
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(_("商户名录"))
    head = [_("商户名称"), _("营业执照号"), _("经营类别"), _("地址"), _("摊位号"), _("经营者"),
            _("联系电话"), _("营业时间"), _("外摆面积"), _("商会协会"), _("网格"), _("纬度"),
            _("经度"), _("党员商户"), _("状态")]
    xlsx_append(ws, [_cell(h, bold=True, ws=ws) for h in head])
    count = 0
    for m in qs.iterator(chunk_size=1000):
        xlsx_append(ws, [m.name, m.licence_no, m.category, m.address, m.stall_no, m.contact_name,
                   m.phone if reveal else phone_mask(m.phone), m.opening_hours,
                   float(m.outdoor_area) if m.outdoor_area is not None else None,
                   m.association.name if m.association else "", m.grid.name if m.grid else "",
                   float(m.latitude) if m.latitude is not None else None,
                   float(m.longitude) if m.longitude is not None else None,
                   _("是") if m.is_party_member else _("否"), m.get_status_display()])
        count += 1
    data = workbook_bytes(wb)
    export_record(actor=actor, district=district, action="merchants.merchant.export",
                  object_type="merchants.merchant", rows=count, fmt="xlsx", filters=filters,
                  phones_revealed=reveal)
    return data


POSTER_BATCH_LIMIT = 500


@audited("merchants.poster.export")
def merchant_posters_pdf(*, actor: Any, district: District,
                         filters: dict[str, Any] | None = None) -> bytes:
    """The QR posters of a filter (typically a grid) on A5 pages, audited with the count."""
    policies.require(actor, "merchant.poster", district)
    filters = {k: v for k, v in (filters or {}).items() if k in EXPORT_FILTERS}
    merchants = list(selectors.merchant_list(district=district, **filters)[:POSTER_BATCH_LIMIT])
    if not merchants:
        raise NotFound()
    data = poster_pdf(merchants)
    export_record(actor=actor, district=district, action="merchants.poster.export",
                  object_type="merchants.merchant", rows=len(merchants), fmt="pdf",
                  filters=filters)
    return data


def _cell(value: str, *, bold: bool, ws: Any):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(bold=bold)
    return cell


TEMPLATE_HEAD = ["商户名称", "统一社会信用代码", "经营类别", "地址", "摊位号", "经营者", "联系电话",
                 "营业时间", "外摆面积", "商会协会", "纬度", "经度", "党员商户", "状态"]


def import_template_xlsx(*, categories: list[str] | None = None) -> bytes:
    """An empty list with the headings the importer reads, one example row (its name
    starts with 示例, so the importer skips it) and a sheet of the known categories."""
    wb = new_workbook()
    ws = wb.active
    ws.title = "商户名录"
    ws.append(TEMPLATE_HEAD)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["示例：老锦州烤冷面", make_uscc("92210703MA0000001"), "小吃", "凌河夜市A区",
               "A-012", "张三", "13800000000", "17:00–23:30", 2.5, "凌河夜市商户联合会",
               41.119200, 121.147700, "是", "营业"])
    if categories:
        sheet = wb.create_sheet("经营类别")
        sheet.append(["经营类别（导入时只能用这些）"])
        for name in categories:
            sheet.append([name])
    return workbook_bytes(wb)
