"""Spreadsheet exports (staff only, ``points.export``): the ledger, merchants' monthly
settlements, redemptions, the shop's stock and the manual adjustments."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.audit import audited
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.models import District
from shangquan.merchants.models import Merchant

from .. import selectors
from ..models import Adjustment, Item, Leg, Redemption

MAX_ROWS = 50_000


@audited("points.ledger.export")
def ledger_export_xlsx(*, actor: Any, district: District) -> bytes:
    """Every leg of the district's ledger (newest first, at most 50 000 rows)."""
    policies.require(actor, "points.export", district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("积分流水")
    xlsx_append(sheet, ["凭证号", "时间", "类型", "类别", "摘要", "来源", "账户", "账户类型",
                        "金额", "变动后余额"])
    legs = (Leg.objects.filter(district=district).select_related("posting", "account")
            .order_by("-id")[:MAX_ROWS])
    rows = 0
    for leg in legs.iterator(chunk_size=2000):
        p = leg.posting
        xlsx_append(sheet, [p.pk, p.created_at.strftime("%Y-%m-%d %H:%M"), p.get_kind_display(),
                            p.get_category_display(), p.memo,
                            f"{p.source_type}:{p.source_id}" if p.source_type else "",
                            leg.account.name, leg.account.get_kind_display(), leg.amount,
                            leg.balance_after])
        rows += 1
    export_record(actor=actor, district=district, action="points.ledger.export",
                  object_type="points.ledger", rows=rows, fmt="xlsx")
    return workbook_bytes(book)


@audited("points.settlement.export")
def settlement_export_xlsx(*, actor: Any, district: District, month: str) -> bytes:
    """One sheet: every merchant's services given and points received in the month."""
    policies.require(actor, "points.export", district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("商户结算")
    xlsx_append(sheet, ["商户", "月份", "服务", "次数", "积分"])
    rows = 0
    merchant_ids = selectors.item_list(district=district, active_only=False)\
        .filter(merchant__isnull=False).values_list("merchant_id", flat=True).distinct()
    for merchant in Merchant.objects.filter(pk__in=merchant_ids).order_by("name"):
        result = selectors.settlement(district=district, merchant=merchant, month=month)
        for line in result["items"]:
            xlsx_append(sheet, [merchant.name, month, line["item"], line["count"],
                                line["points"]])
            rows += 1
    export_record(actor=actor, district=district, action="points.settlement.export",
                  object_type="points.settlement", rows=rows, fmt="xlsx",
                  filters={"month": month})
    return workbook_bytes(book)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@audited("points.redemptions.export")
def redemptions_export_xlsx(*, actor: Any, district: District, month: str = "") -> bytes:
    """Every redemption (of a month, ``YYYY-MM``, when given): item, person, points, state,
    who fulfilled it and when."""
    policies.require(actor, "points.export", district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("兑换记录")
    xlsx_append(sheet, ["编号", "预约时间", "商品/服务", "提供商户", "兑换人", "积分", "状态",
                        "服务日期", "有效期至", "核销/关闭时间", "核销人"])
    qs = (Redemption.objects.filter(district=district)
          .select_related("item", "item__merchant", "user", "fulfilled_by").order_by("-id"))
    if month:
        qs = qs.filter(month=month)
    rows = 0
    for r in qs[:MAX_ROWS].iterator(chunk_size=2000):
        xlsx_append(sheet, [r.pk, _local(r.created_at), r.item.name,
                            r.item.merchant.name if r.item.merchant_id else r.item.provider,
                            str(r.user), r.points, r.get_status_display(),
                            r.for_date.isoformat(), _local(r.expires_at), _local(r.closed_at),
                            str(r.fulfilled_by) if r.fulfilled_by_id else ""])
        rows += 1
    export_record(actor=actor, district=district, action="points.redemptions.export",
                  object_type="points.redemption", rows=rows, fmt="xlsx",
                  filters={"month": month})
    return workbook_bytes(book)


@audited("points.items.export")
def items_export_xlsx(*, actor: Any, district: District) -> bytes:
    """The shop's items with stock or daily places, price, limits and what is reserved."""
    policies.require(actor, "points.export", district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("商品库存")
    xlsx_append(sheet, ["商品/服务", "类型", "提供方", "所需积分", "库存", "每日名额",
                        "每人每月限兑", "兑换对象", "上架", "待核销", "已核销"])
    rows = 0
    items = (Item.objects.filter(district=district).select_related("merchant")
             .annotate(reserved=Count("redemptions", filter=Q(
                 redemptions__status=Redemption.Status.RESERVED)),
                 fulfilled=Count("redemptions", filter=Q(
                     redemptions__status=Redemption.Status.FULFILLED)))
             .order_by("name", "pk"))
    for item in items[:MAX_ROWS]:
        xlsx_append(sheet, [item.name, item.get_kind_display(),
                            item.merchant.name if item.merchant_id else item.provider,
                            item.price, item.stock, item.daily_capacity, item.limit_per_month,
                            item.get_eligibility_display(), "是" if item.is_active else "否",
                            item.reserved, item.fulfilled])
        rows += 1
    export_record(actor=actor, district=district, action="points.items.export",
                  object_type="points.item", rows=rows, fmt="xlsx")
    return workbook_bytes(book)


@audited("points.adjustments.export")
def adjustments_export_xlsx(*, actor: Any, district: District) -> bytes:
    """Manual adjustments with who asked, who approved (four eyes) and the posting."""
    policies.require(actor, "points.export", district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("积分调整")
    xlsx_append(sheet, ["编号", "申请时间", "账户", "调整积分", "理由", "状态", "申请人",
                        "复核人", "复核时间", "凭证号"])
    rows = 0
    qs = (Adjustment.objects.filter(district=district)
          .select_related("account", "requested_by", "decided_by").order_by("-id"))
    for a in qs[:MAX_ROWS].iterator(chunk_size=2000):
        xlsx_append(sheet, [a.pk, _local(a.created_at), a.account.name, a.amount, a.reason,
                            a.get_status_display(), str(a.requested_by or ""),
                            str(a.decided_by or ""), _local(a.decided_at), a.posting_id or ""])
        rows += 1
    export_record(actor=actor, district=district, action="points.adjustments.export",
                  object_type="points.adjustment", rows=rows, fmt="xlsx")
    return workbook_bytes(book)
