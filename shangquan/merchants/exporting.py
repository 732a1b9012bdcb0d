"""Export the registry to xlsx (phones only for roles that may see them)."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from shangquan.core import policies
from shangquan.core.audit import audit_record
from shangquan.core.models import District
from shangquan.core.pii import phone_mask

from .models import Merchant


def merchants_export_xlsx(*, actor: Any, district: District,
                          queryset: QuerySet[Merchant] | None = None) -> bytes:
    policies.require(actor, district, "merchant.export")
    reveal = policies.can(actor, district, "merchant.view_phone")
    qs = (queryset if queryset is not None else Merchant.objects.filter(district=district))
    qs = qs.filter(district=district).select_related("grid", "association").order_by("name", "id")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("商户名录"))
    head = [_("商户名称"), _("营业执照号"), _("经营类别"), _("地址"), _("摊位号"), _("经营者"),
            _("联系电话"), _("营业时间"), _("外摆面积"), _("商会协会"), _("网格"), _("纬度"),
            _("经度"), _("党员商户"), _("状态")]
    ws.append([_cell(h, bold=True, ws=ws) for h in head])
    count = 0
    for m in qs.iterator(chunk_size=1000):
        ws.append([m.name, m.licence_no, m.category, m.address, m.stall_no, m.contact_name,
                   m.phone if reveal else phone_mask(m.phone), m.opening_hours,
                   float(m.outdoor_area) if m.outdoor_area is not None else None,
                   m.association.name if m.association else "", m.grid.name if m.grid else "",
                   float(m.latitude) if m.latitude is not None else None,
                   float(m.longitude) if m.longitude is not None else None,
                   _("是") if m.is_party_member else _("否"), m.get_status_display()])
        count += 1
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=actor, district=district, action="merchant.export",
                 object_type="merchants.merchant", object_id="*",
                 after={"rows": count, "phones_revealed": reveal})
    return out.getvalue()


def _cell(value: str, *, bold: bool, ws: Any):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(bold=bold)
    return cell


TEMPLATE_HEAD = ["商户名称", "统一社会信用代码", "经营类别", "地址", "摊位号", "经营者", "联系电话",
                 "营业时间", "外摆面积", "商会协会", "纬度", "经度", "党员商户", "状态"]


def import_template_xlsx() -> bytes:
    """An empty list with the headings the importer reads, and one example row."""
    from .licences import make_uscc

    wb = Workbook()
    ws = wb.active
    ws.title = "商户名录"
    ws.append(TEMPLATE_HEAD)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["示例：老锦州烤冷面", make_uscc("92210703MA0000001"), "小吃", "凌河夜市A区",
               "A-012", "张三", "13800000000", "17:00–23:30", 2.5, "凌河夜市商户联合会",
               41.119200, 121.147700, "是", "营业"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
