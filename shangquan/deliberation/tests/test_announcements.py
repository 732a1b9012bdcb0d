"""Public announcements per district: newest first, by kind and audience; a merchant's
visit is its shop's read receipt; another district's announcement is not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shangquan.core.roles import Role
from shangquan.core.tests.factories import PASSWORD

from ..models import Receipt
from ..services import announcements
from .factories import shop_owner

pytestmark = pytest.mark.django_db


def test_public_announcements(north, south, client):
    d = north.district
    committee = north.people[Role.COMMITTEE]
    rules = announcements.announcement_publish(actor=committee, district=d, title="经营准则 2026",
                                               body="门前三包", kind="rules", audience="merchants")
    announcements.announcement_publish(actor=committee, district=d, title="夜市消防提示",
                                       body="灭火器", kind="fire", audience="residents")
    announcements.announcement_publish(actor=south.people[Role.COMMITTEE], district=south.district,
                                       title="外区公告", body="x")
    url = reverse("deliberation:announcements_public", kwargs={"code": d.code})
    page = client.get(url).content.decode()
    assert "经营准则 2026" in page and "夜市消防提示" in page and "外区公告" not in page
    page = client.get(url, {"kind": "fire"}).content.decode()
    assert "夜市消防提示" in page and "经营准则 2026" not in page
    page = client.get(url, {"audience": "merchants"}).content.decode()
    assert "经营准则 2026" in page and "夜市消防提示" not in page
    detail = reverse("deliberation:announcement_public", kwargs={"code": d.code, "pk": rules.pk})
    assert "门前三包" in client.get(detail).content.decode()
    assert not Receipt.objects.exists()  # anonymous: no receipt
    owner, shop = shop_owner(d)
    assert client.login(username=owner.get_username(), password=PASSWORD)
    assert "本店已读" in client.get(detail).content.decode()
    client.get(detail)
    assert Receipt.objects.filter(announcement=rules, merchant=shop).count() == 1
    foreign = reverse("deliberation:announcement_public", kwargs={"code": south.district.code,
                                                                  "pk": rules.pk})
    assert client.get(foreign).status_code == 404
