"""Ceremonies (3·15, year end): a batch award printed as PDF, one certificate or plaque per
page, with the Chinese font embedded (not left to the reader's fonts)."""

from __future__ import annotations

import re
import zlib

import pytest

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.ratings import services
from shangquan.ratings.certificates import pdf_font
from shangquan.ratings.models import Title, TitleKind

from .factories import shops

pytestmark = pytest.mark.django_db

BASE = "/api/v1/districts/{code}/ratings/"


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def _embedded_fonts(pdf: bytes) -> list[bytes]:
    """The base names of the fonts whose program is inside the file (FontFile2)."""
    names = []
    for match in re.finditer(rb"<<([^<>]*/Type /FontDescriptor[^<>]*)>>", pdf, re.S):
        body = match.group(1)
        name = re.search(rb"/FontName /([A-Za-z0-9+\-]+)", body)
        if b"/FontFile2 " in body and name:
            names.append(name.group(1))
    return names


def _cjk_glyphs_in_font(pdf: bytes) -> bool:
    """Some embedded font stream is a TrueType font with a few hundred bytes or more."""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = match.group(1)
        try:
            data = zlib.decompress(data)
        except zlib.error:
            continue
        if data[:4] == b"\x00\x01\x00\x00" and len(data) > 500:
            return True
    return False


def _titles(persona, kind_code: str, n: int, *, listed: bool) -> list[Title]:
    committee = persona.people[Role.COMMITTEE]
    kind = TitleKind.objects.get(district=persona.district, code=kind_code)
    out = []
    for merchant in shops(persona, n):
        title = services.title_propose(actor=committee, district=persona.district,
                                       merchant=merchant, kind=kind)
        if listed:
            services.title_transition(actor=committee, title=title, action="list")
        out.append(title)
    return out


def test_the_cjk_font_is_embedded_as_truetype():
    name, embedded = pdf_font("文明诚信商户放心店")
    assert embedded, "a CJK font must be found on the machine (fonts-noto-cjk)"
    assert name.startswith("SQCJK-")


def test_a_batch_award_prints_one_page_each_with_the_font_embedded(north):
    committee = north.people[Role.COMMITTEE]
    kinds = list(TitleKind.objects.filter(district=north.district).order_by("position"))
    assert len(kinds) >= 2
    listed = _titles(north, kinds[0].code, 2, listed=True)
    candidates = _titles(north, kinds[1].code, 3, listed=False)
    pdf = services.ceremony_print(actor=committee, district=north.district, occasion="315",
                                  kinds=[kinds[0].code, kinds[1].code], award_candidates=True)
    assert pdf.startswith(b"%PDF")
    # 2 listed + 3 candidates listed now: a certificate and a plaque each, no flag yet
    assert _pages(pdf) == 10
    fonts = _embedded_fonts(pdf)
    assert fonts and all(b"CJK" in f for f in fonts), fonts  # Noto Sans CJK SC, subset
    assert b"STSong-Light" not in pdf  # not the reader-supplied CID font
    assert _cjk_glyphs_in_font(pdf)
    for title in candidates:
        title.refresh_from_db()
        assert title.status == Title.Status.LISTED
    assert all(t.status == Title.Status.LISTED for t in listed)
    row = AuditLog.objects.filter(district=north.district, action="ratings.ceremony.print").get()
    assert row.after["awarded"] == 3 and row.after["pages"] == 10
    assert AuditLog.objects.filter(district=north.district, action="ratings.title.list").count() == 5
    # certificates only, one kind
    only = services.ceremony_print(actor=committee, district=north.district,
                                   occasion="year_end", kinds=[kinds[0].code], plaques=False)
    assert _pages(only) == 2


def test_ceremony_refusals_and_the_api(north, south, api_client):
    kinds = list(TitleKind.objects.filter(district=north.district).order_by("position"))
    _titles(north, kinds[0].code, 1, listed=True)
    url = BASE.format(code=north.district.code) + "ceremonies"
    committee = api_client(north.people[Role.COMMITTEE])
    r = committee.post(url, {"occasion": "315"}, content_type="application/json")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert _pages(r.content) == 2 and _embedded_fonts(r.content)
    bad = committee.post(url, {"occasion": "618"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_occasion"
    unknown = committee.post(url, {"occasion": "315", "kinds": ["nope"]},
                             content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_title_kind"
    staff = api_client(north.people[Role.ASSOCIATION])
    assert staff.post(url, {"occasion": "315"}, content_type="application/json").status_code == 403
    # another district's committee: not its district
    other = api_client(south.people[Role.COMMITTEE])
    assert other.post(url, {"occasion": "315"}, content_type="application/json").status_code == 404
    # a district with nothing to award says so
    empty = BASE.format(code=south.district.code) + "ceremonies"
    r = other.post(empty, {"occasion": "year_end"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "nothing_to_print"


def test_console_button_prints_the_pdf(client, north):
    kinds = list(TitleKind.objects.filter(district=north.district).order_by("position"))
    _titles(north, kinds[0].code, 2, listed=True)
    client.force_login(north.people[Role.COMMITTEE])
    code = north.district.code
    page = client.get(f"/console/{code}/ratings/awards/")
    assert "打印证书和牌匾" in page.content.decode()
    r = client.post(f"/console/{code}/ratings/awards/ceremony.pdf",
                    {"occasion": "year_end", "flags": "1", "plaques": "1"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert _pages(r.content) == 4
    r = client.post(f"/console/{code}/ratings/awards/ceremony.pdf", {"occasion": "x"})
    assert r.status_code == 302
    client.force_login(north.people[Role.ASSOCIATION])
    assert "打印证书和牌匾" not in client.get(f"/console/{code}/ratings/awards/").content.decode()
