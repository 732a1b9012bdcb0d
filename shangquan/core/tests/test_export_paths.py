"""Every xlsx export neutralises formula-leading text, whichever way it was written:
each workbook comes from ``core.exports.new_workbook`` (checked in the sources), and the
real export paths, fed a merchant named ``=HYPERLINK(…)``, give text cells only."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shangquan.core.exports import new_workbook, workbook_bytes
from shangquan.core.roles import Role

SOURCES = Path(__file__).resolve().parents[2]
POISON = '=HYPERLINK("http://e.x","点我")'


def _makes_a_workbook(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            lines += [node.lineno for alias in node.names if alias.name == "Workbook"]
        elif isinstance(node, ast.Attribute) and node.attr == "Workbook":
            lines.append(node.lineno)
    return lines


def test_no_workbook_is_made_outside_core_exports():
    offenders = []
    for path in sorted(SOURCES.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts) or path == SOURCES / "core" / "exports.py":
            continue
        for line in _makes_a_workbook(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(SOURCES.parent)}:{line}")
    assert not offenders, ("an openpyxl Workbook outside core/exports.py can write live "
                           "formulas: use shangquan.core.exports.new_workbook() — "
                           + ", ".join(offenders))


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from (c for c in row if c.value is not None)


def assert_no_formulas(data: bytes, *, expect: str | None = POISON) -> None:
    cells = list(_cells(data))
    formulas = [(c.coordinate, c.value) for c in cells
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]
    assert not formulas, formulas
    if expect is not None:
        assert any(c.value == "'" + expect for c in cells), "the poisoned text is in the file"


def test_every_way_of_writing_a_cell_is_neutralised():
    for write_only in (False, True):
        book = new_workbook(write_only=write_only)
        sheet = book.create_sheet("s") if write_only else book.active
        sheet.append([POISON, -1, "ok"])  # a bypass of xlsx_append
        if not write_only:
            sheet["D1"] = POISON
            sheet.cell(row=2, column=1, value=POISON)
        out = io.BytesIO()
        book.save(out)  # a bypass of workbook_bytes
        assert_no_formulas(out.getvalue())
        book = new_workbook()
        book.active.append([POISON])
        assert_no_formulas(workbook_bytes(book))


@pytest.mark.django_db
def test_the_export_paths_write_text_not_formulas(north, api_client, client):
    from shangquan.merchants.tests.factories import merchant_factory
    from shangquan.scales.tests.factories import instrument_factory
    from shangquan.workorders.models import Category
    from shangquan.workorders.tests.factories import order_factory

    code = north.district.code
    merchant = merchant_factory(north.district, name=POISON, address="+86 凌河路",
                                contact_name="@SUM(A1)")
    instrument_factory(north.district, merchant=merchant, maker=POISON)
    committee = north.people[Role.COMMITTEE]
    api = api_client(committee)
    r = api.get(f"/api/v1/districts/{code}/merchants.xlsx")
    assert r.status_code == 200, r.content
    assert_no_formulas(r.content)
    r = api.get(f"/api/v1/districts/{code}/scales/instruments.xlsx")
    assert r.status_code == 200, r.content
    assert_no_formulas(r.content)

    Category.objects.filter(district=north.district, code="oil_fume").update(name=POISON)
    order_factory(north)
    client.force_login(committee)
    r = client.get(f"/console/{code}/workorders/kpi.xlsx")
    assert r.status_code == 200, r.content
    assert_no_formulas(r.content)
    r = client.get(f"/console/{code}/merchants/import/template.xlsx")
    assert r.status_code == 200, r.content
    assert_no_formulas(r.content, expect=None)
