"""The shared export helpers (formula-safe cells, the audit row) and audited purges."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from shangquan.core import services
from shangquan.core.actors import SYSTEM
from shangquan.core.exports import cell_text, export_record, workbook_bytes, xlsx_append
from shangquan.core.models import AuditLog, IdempotencyRecord, OneTimeCode


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_leading_text_is_neutralised(text):
    assert cell_text(text) == "'" + text


@pytest.mark.parametrize("value", ["老王面馆", "13800000000", "", -2, 3.5, None, "a=b"])
def test_other_values_are_unchanged(value):
    assert cell_text(value) == value


def test_xlsx_append_writes_text_not_formulas():
    for write_only in (False, True):
        book = Workbook(write_only=write_only)
        sheet = book.create_sheet("s") if write_only else book.active
        xlsx_append(sheet, [WriteOnlyCell(sheet, value="=HEAD()") if write_only else "=HEAD()",
                            "=HYPERLINK(\"http://evil\")", -1, "ok"])
        read = load_workbook(io.BytesIO(workbook_bytes(book)))
        row = next(read.worksheets[0].iter_rows(values_only=True))
        assert row == ("'=HEAD()", "'=HYPERLINK(\"http://evil\")", -1, "ok")
        assert read.worksheets[0].cell(1, 2).data_type == "s"


@pytest.mark.django_db
def test_export_record_says_who_what_and_how_many(north):
    row = export_record(actor=north.people["committee"], district=north.district,
                        action="merchants.merchant.export", rows=7, fmt="xlsx",
                        filters={"q": "面", "grid": None, "status": ""},
                        object_type="merchants.merchant")
    assert row.after == {"rows": 7, "format": "xlsx", "filters": {"q": "面"}}
    assert row.actor == north.people["committee"] and row.object_id == "*"


@pytest.mark.django_db
def test_idempotency_purge_writes_one_row_per_run():
    old = timezone.now() - timedelta(days=30)
    for n in range(3):
        IdempotencyRecord.objects.create(scope="s", key=f"k{n}", method="POST", path="/x",
                                         request_hash="h", created_at=old)
    IdempotencyRecord.objects.create(scope="s", key="fresh", method="POST", path="/x",
                                     request_hash="h")
    assert services.idempotency_purge(actor=SYSTEM) == 3
    assert services.idempotency_purge(actor=SYSTEM) == 0
    rows = list(AuditLog.objects.filter(action="core.idempotency.purge").order_by("pk"))
    assert [r.after["deleted"] for r in rows] == [3, 0]
    assert rows[0].actor is None and rows[0].actor_label == "system"


@pytest.mark.django_db
def test_one_time_code_purge_is_audited():
    past = timezone.now() - timedelta(days=3)
    OneTimeCode.objects.create(phone="13800000001", code_hash="x",
                               created_at=past - timedelta(minutes=5), expires_at=past)
    OneTimeCode.objects.create(phone="13800000002", code_hash="y",
                               expires_at=timezone.now() + timedelta(minutes=5))
    assert services.otp_purge(actor=SYSTEM) == 1
    row = AuditLog.objects.get(action="core.otp.purge")
    assert row.after["deleted"] == 1 and row.district is None
    assert OneTimeCode.objects.count() == 1
