"""The whole thing in English: every console page a committee member can open, and the
public pages, rendered in English show no Chinese of their own — Chinese on the page must
be data somebody typed (a merchant's name, a description), never a label left in Chinese."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from shangquan.core.roles import Role

from .test_query_budgets import CODE, console_list_pages, seeded  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]*[\u3400-\u9fff][\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]*")
ALLOWED = {"简体中文", "中文"}  # the language switcher names Chinese in Chinese


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Text(HTMLParser):
    """Visible text and the attributes people read (title, placeholder, aria-label, alt),
    leaving out scripts, styles and what is marked Chinese on purpose (``lang="zh-…"``:
    the values an import file must carry, for instance)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: does it hide its text?
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            hides = tag in ("script", "style") or (attrs.get("lang") or "").startswith("zh")
            self._stack.append(hides)
            self._skip += hides
        if not self._skip:
            for name in ("title", "placeholder", "aria-label", "alt"):
                if attrs.get(name):
                    self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag not in VOID and self._stack:
            self._skip -= self._stack.pop()

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _data_text() -> str:
    """Every string stored in the test database (what people typed or the seed wrote),
    and the English catalogue's own translations: a Chinese name a translator kept on
    purpose (三节三清三式, an import file's column headers) is not a leak."""
    import polib

    from .test_catalogue import PO

    values: list[str] = [e.msgstr for e in polib.pofile(str(PO)) if e.msgstr]
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if fields:
            for row in model.objects.values_list(*fields):
                values.extend(str(v) for v in row if v)
    return "\n".join(values)


def _chinese_labels(html: str, data: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    found = set()
    for part in parser.parts:
        for run in CJK.findall(part):
            run = run.strip("，。、：；（）！？「」“”　")
            if run and run not in ALLOWED and run not in data:
                found.add(run)
    return found


def test_every_console_page_in_english_has_no_chinese_label(seeded):  # noqa: F811
    north, _south, _ids = seeded
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(north.people[Role.COMMITTEE])
    data = _data_text()
    leaks = {}
    for page in console_list_pages():
        response = client.get("/" + page.replace(CODE, north.district.code))
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        assert response["Content-Language"] == "en", page
        found = _chinese_labels(response.content.decode(), data)
        if found:
            leaks[page] = sorted(found)[:8]
    assert not leaks, "Chinese left on English pages:\n" + "\n".join(
        f"{page}: {words}" for page, words in leaks.items())


def test_public_pages_in_english_have_no_chinese_label(seeded):  # noqa: F811
    from shangquan.merchants.models import Merchant

    north, _south, _ids = seeded
    code = north.district.code
    merchant = Merchant.objects.filter(district=north.district).first()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(north.people[Role.RESIDENT])
    data = _data_text()
    leaks = {}
    for path in ("/", f"/d/{code}/", f"/d/{code}/me/", f"/d/{code}/report/",
                 f"/d/{code}/reports/", f"/d/{code}/track/", f"/d/{code}/my-reports/",
                 f"/m/{merchant.public_token}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        found = _chinese_labels(response.content.decode(), data)
        if found:
            leaks[path] = sorted(found)[:8]
    assert not leaks, "Chinese left on English pages:\n" + "\n".join(
        f"{page}: {words}" for page, words in leaks.items())
