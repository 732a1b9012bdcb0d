"""Markup built in Python is escaped by construction (``core.markup``): a quote in a
merchant's or a station's name stays inside its attribute, and no module builds SVG or
HTML by string formatting."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from shangquan.core.markup import join, tag

SOURCES = Path(__file__).resolve().parents[2]
EVIL = '老王" onload="alert(1)" x="<b>&'
# A literal that looks like markup: a closing tag, a tag with an attribute, or a known
# element (URL converters like <int:pk> and reprs like <Foo …> are not markup).
TAG = re.compile(r"</[a-zA-Z]|<[a-zA-Z][\w-]*\s+[\w:-]+=[\"']|<(svg|rect|text|tspan|g|path|"
                 r"circle|line|div|span|p|a|img|br|hr|li|ul|ol|td|th|tr|table|b|i|strong|em|"
                 r"html|body|head|script|style|button|input|form|option|select|label|"
                 r"h[1-6])\b(?!:)")


def test_tag_escapes_attributes_and_text():
    out = tag("svg", tag("text", EVIL, x=1.0), aria_label=EVIL, font_size=3)
    root = ET.fromstring(out)
    assert set(root.attrib) == {"aria-label", "font-size"}
    assert root.attrib["aria-label"] == EVIL
    assert root[0].text == EVIL and root[0].attrib == {"x": "1"}
    assert join("<i>", tag("b", "x")) == "&lt;i&gt;<b>x</b>"


def _markup_by_formatting(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value if isinstance(v, ast.Constant) else "\0"
                              for v in node.values)
            if TAG.search(literal) and any(isinstance(v, ast.FormattedValue)
                                           for v in node.values):
                lines.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            if any(isinstance(side, ast.Constant) and isinstance(side.value, str)
                   and TAG.search(side.value) for side in (node.left, node.right)):
                lines.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "format" and isinstance(node.func.value, ast.Constant)
              and isinstance(node.func.value.value, str) and TAG.search(node.func.value.value)):
            lines.append(node.lineno)
    return lines


def test_no_markup_is_built_by_string_formatting():
    offenders = []
    for path in sorted(SOURCES.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for line in _markup_by_formatting(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(SOURCES.parent)}:{line}")
    assert not offenders, (
        "SVG/HTML built by f-string, % or .format (a quote in a value leaves its attribute);"
        " build it with shangquan.core.markup.tag()/join() or a template: "
        + ", ".join(offenders))


def test_the_scan_sees_the_old_poster_code():
    old = ("svg = (f'<svg width=\"{w}\" aria-label=\"{name}\">'\n"
           "       f'<text x=\"1\">{name}</text></svg>')")
    assert _markup_by_formatting(ast.parse(old))
    assert not _markup_by_formatting(ast.parse('path(f"{p}/<int:pk>/", v)'))


@pytest.mark.django_db
def test_a_merchant_name_with_a_quote_stays_in_the_poster_svg(north):
    from shangquan.merchants.poster import poster_svg
    from shangquan.merchants.tests.factories import merchant_factory

    merchant = merchant_factory(north.district, name=EVIL, stall_no='A"1')
    root = ET.fromstring(poster_svg(merchant))
    assert "onload" not in root.attrib and root.attrib["aria-label"] == EVIL
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert EVIL in texts
    assert not any("onload" in el.attrib for el in root.iter())


@pytest.mark.django_db
def test_a_station_name_with_a_quote_stays_in_its_svg(north):
    from shangquan.org import services as org_services
    from shangquan.org.qr import station_qr_svg

    station = org_services.station_create(actor=north.people["committee"],
                                          district=north.district, name=EVIL[:80])
    root = ET.fromstring(station_qr_svg(station))
    assert root.attrib["aria-label"] == EVIL[:80]
    assert not any("onload" in el.attrib for el in root.iter())
