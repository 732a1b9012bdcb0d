"""What every export and report shares: the audit row, and spreadsheet cells that stay text.

Every workbook comes from :func:`new_workbook` (``core/tests/test_exports.py`` refuses an
``openpyxl.Workbook`` anywhere else): its sheets neutralise formula-leading text however a
cell was written (``append``, ``ws["A1"] = …``, a styled cell) and whether the book is
saved with :func:`workbook_bytes` or ``.save()``. Our exports never contain formulas.

An app's export service checks the role (``policies.require``), builds the file with the
helpers below and ends with :func:`export_record`, so the page and the API download write
the same row: who exported what, how many rows, in which format, with which filters.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .audit import audit_record
from .models import AuditLog, District

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

# A cell whose text starts with one of these is read as a formula by Excel, WPS and
# LibreOffice (CSV/formula injection, OWASP): ``=HYPERLINK(...)`` in a shop's name.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would evaluate; that gets a
    leading ``'`` so it shows as typed."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of values to an openpyxl sheet (normal or write-only), neutralised."""
    sheet.append([_neutral(v) for v in values])


def _neutral(value: Any) -> Any:
    if isinstance(value, Cell):  # a styled cell (a heading): neutralise its text
        value.value = cell_text(value.value)
        return value
    return cell_text(value)


class _NeutralWriteOnlySheet(WriteOnlyWorksheet):
    """A write-only sheet streams each row to disk at ``append``: neutralise it there."""

    def append(self, row: Iterable[Any]) -> None:
        super().append([_neutral(v) for v in row])


class NeutralWorkbook(Workbook):
    """An openpyxl workbook whose text never becomes a live formula."""

    def create_sheet(self, title: str | None = None, index: int | None = None):
        if not self.write_only:
            return super().create_sheet(title, index)
        sheet = _NeutralWriteOnlySheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename: Any) -> None:
        if not self.write_only:
            for sheet in self.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LEADS):
                            cell.value = cell_text(cell.value)
        super().save(filename)


def new_workbook(*, write_only: bool = False) -> NeutralWorkbook:
    """The only way to start an export's workbook (see the module's docstring)."""
    return NeutralWorkbook(write_only=write_only)


def workbook_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_record(*, actor: Any, district: District, action: str, rows: int, fmt: str,
                  filters: dict[str, Any] | None = None, object_type: str = "",
                  object_id: Any = "*", **extra: Any) -> AuditLog:
    """The one audit row of an export: ``after = {"rows", "format", "filters", ...}``."""
    after = {"rows": rows, "format": fmt,
             "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "")},
             **extra}
    return audit_record(actor=actor, district=district, action=action,
                        object_type=object_type, object_id=object_id, after=after)
