"""The stations app's xlsx exports (bookings, loans, faults, room bookings, parking), one
builder each, role-limited by their selectors and audited once per download; the API and
the console serve the same bytes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from shangquan.core.errors import NotFound
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.masking import phone_mask
from shangquan.core.models import District

from . import selectors

LIMIT = 20_000


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value else None


def _sheets_bookings(user: Any, district: District) -> list[tuple[str, list, Iterable]]:
    rows = selectors.booking_list(user=user, district=district)[:LIMIT]
    return [("预约", ["确认码", "事项", "站点", "时间", "状态", "结果", "商户/姓名"],
             ([b.code, b.slot.service.name, b.slot.service.station.name,
               _naive(b.slot.starts_at), b.get_status_display(), b.get_outcome_display(),
               b.name] for b in rows))]


def _sheets_loans(user: Any, district: District) -> list[tuple[str, list, Iterable]]:
    now = timezone.now()
    rows = selectors.loans_for_export(user=user, district=district)[:LIMIT]
    return [("借用", ["站点", "物品", "借用人", "联系电话", "借出", "应还", "归还", "逾期"],
             ([loan.station.name, loan.get_item_display(), loan.borrower_name,
               phone_mask(loan.borrower_phone), _naive(loan.lent_at), _naive(loan.due_at),
               _naive(loan.returned_at),
               "是" if loan.returned_at is None and loan.due_at < now else ""]
              for loan in rows))]


def _sheets_faults(user: Any, district: District) -> list[tuple[str, list, Iterable]]:
    rows = selectors.fault_list(user=user, district=district)[:LIMIT]
    return [("设施故障", ["站点", "设施", "情况", "报告次数", "工单号", "报修时间", "恢复时间"],
             ([f.amenity.station.name, f.amenity.get_kind_display(), f.get_status_display(),
               f.reports, f.work_order_number, _naive(f.opened_at), _naive(f.resolved_at)]
              for f in rows))]


def _sheets_rooms(user: Any, district: District) -> list[tuple[str, list, Iterable]]:
    rows = selectors.room_bookings_for_export(user=user, district=district)[:LIMIT]
    return [("场地预订", ["站点", "场地", "用途", "开始", "结束", "状态", "确认码"],
             ([b.room.station.name, b.room.name, b.title, _naive(b.starts_at),
               _naive(b.ends_at), b.get_status_display(), b.code] for b in rows))]


def _sheets_parking(user: Any, district: District) -> list[tuple[str, list, Iterable]]:
    points = selectors.parking_list(user=user, district=district)
    readings = selectors.parking_readings(user=user, district=district)[:LIMIT]
    return [("车位", ["站点", "类型", "容量", "已占用", "空位", "更新时间"],
             ([s.name, s.kind_display, s.capacity, s.occupancy, s.free,
               _naive(s.occupancy_at)] for s in points)),
            ("计数读数", ["站点", "序号", "时间", "进", "出"],
             ([r.station.name, r.seq, _naive(r.ts), r.entries, r.exits] for r in readings))]


# what → (builder, audit action, file name)
EXPORTS: dict[str, tuple[Callable[[Any, District], list], str, str]] = {
    "bookings": (_sheets_bookings, "stations.booking.export", "bookings.xlsx"),
    "loans": (_sheets_loans, "stations.loan.export", "loans.xlsx"),
    "faults": (_sheets_faults, "stations.fault.export", "faults.xlsx"),
    "room-bookings": (_sheets_rooms, "stations.room.export", "room-bookings.xlsx"),
    "parking": (_sheets_parking, "stations.parking.export", "parking.xlsx"),
}


def export_xlsx(what: str, *, actor: Any, district: District) -> tuple[bytes, str]:
    """One export's workbook bytes and file name; the selectors refuse the wrong roles."""
    if what not in EXPORTS:
        raise NotFound()
    build, action, filename = EXPORTS[what]
    sheets = build(actor, district)  # permission checked here, before any work
    book = new_workbook(write_only=True)
    n = 0
    for title, head, rows in sheets:
        sheet = book.create_sheet(title)
        xlsx_append(sheet, head)
        for row in rows:
            xlsx_append(sheet, row)
            n += 1
    export_record(actor=actor, district=district, action=action, rows=n, fmt="xlsx")
    return workbook_bytes(book), filename
