"""我也遇到: one per verified phone per report (a database constraint), audited, scoped to
the district; followers get the order's progress; the public map shows no personal data."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shangquan.core.errors import Conflict, NotFound, PermissionDenied
from shangquan.core.models import AuditLog, Notification, Profile
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.workorders import metoo, services
from shangquan.workorders.models import MeToo

from .factories import advance, order_factory

pytestmark = pytest.mark.django_db


def _resident(persona, name: str, phone: str, *, verified: bool = True):
    user = member_factory(persona.district, Role.RESIDENT, username=name, phone=phone)
    if verified:
        Profile.objects.filter(user=user).update(phone_verified_at=timezone.now())
        user.refresh_from_db()
    return user


def test_one_per_verified_phone_audited(north):
    order = order_factory(north)
    neighbour = _resident(north, "neighbour", "13911110001")
    row = metoo.metoo_add(actor=neighbour, district=north.district, order=order)
    assert row.order == order and "13911110001" not in row.phone_key
    with pytest.raises(Conflict) as again:
        metoo.metoo_add(actor=neighbour, district=north.district, order=order)
    assert again.value.code == "already_joined"
    assert MeToo.objects.filter(order=order).count() == 1
    audit = AuditLog.objects.get(action="workorders.metoo.add")
    assert audit.actor_label == "resident" and "13911110001" not in json.dumps(audit.after)
    # The database holds the rule on its own: a second row for the same phone is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        MeToo.objects.create(district=north.district, order=order, user=None,
                             phone_key=row.phone_key)


def test_refused_without_verified_phone_own_report_or_ended(north):
    order = order_factory(north)
    unverified = _resident(north, "unverified", "13911110002", verified=False)
    with pytest.raises(PermissionDenied):
        metoo.metoo_add(actor=unverified, district=north.district, order=order)
    reporter = north.people[Role.RESIDENT]
    Profile.objects.filter(user=reporter).update(phone_verified_at=timezone.now())
    reporter.refresh_from_db()
    with pytest.raises(Conflict) as own:
        metoo.metoo_add(actor=reporter, district=north.district, order=order)
    assert own.value.code == "own_report"
    closed = advance(north, order_factory(north), "closed")
    with pytest.raises(Conflict) as ended:
        metoo.metoo_add(actor=_resident(north, "late", "13911110003"), district=north.district,
                        order=closed)
    assert ended.value.code == "order_not_open"
    assert not MeToo.objects.exists()


def test_other_districts_order_is_not_found(north, south):
    theirs = order_factory(south)
    neighbour = _resident(north, "neighbour", "13911110004")
    with pytest.raises(NotFound):
        metoo.metoo_add(actor=neighbour, district=north.district, order=theirs)


def test_followers_get_progress(north):
    order = order_factory(north)
    neighbour = _resident(north, "neighbour", "13911110005")
    metoo.metoo_add(actor=neighbour, district=north.district, order=order)
    services.work_order_dispatch(actor=north.people[Role.COMMITTEE], district=north.district,
                                 order=order, department=north.department)
    note = Notification.objects.get(user=neighbour)
    assert "派单" in note.title and f"/track/{order.number}/" in note.link


def test_erasure_keeps_the_count_not_the_person(north):
    order = order_factory(north)
    neighbour = _resident(north, "neighbour", "13911110006")
    metoo.metoo_add(actor=neighbour, district=north.district, order=order)
    from shangquan.core.services import resident_erase
    resident_erase(actor=neighbour, user=neighbour, reason="不再使用")
    row = MeToo.objects.get(order=order)
    assert row.user_id is None and row.phone_key.startswith("erased:")


def test_pages_join_and_scope(client, north, south):
    order = order_factory(north, latitude="41.100000", longitude="121.100000")
    theirs = order_factory(south)
    url = f"/d/{north.district.code}/track/{order.number}/metoo/"
    # Signed out: the phone sign-in first, then back to the report.
    answer = client.post(url)
    assert answer.status_code == 302 and "/login/phone/" in answer["Location"]
    neighbour = _resident(north, "neighbour", "13911110007")
    client.force_login(neighbour)
    answer = client.post(url, {"next": f"/d/{north.district.code}/reports/"})
    assert answer.status_code == 302 and answer["Location"] == f"/d/{north.district.code}/reports/"
    page = client.get(f"/d/{north.district.code}/reports/").content.decode()
    assert "我已加入" in page and "1 人也遇到" in page
    track = client.get(f"/d/{north.district.code}/track/{order.number}/").content.decode()
    assert "1 位居民也遇到这个问题" in track
    # Again, by fetch: a JSON conflict, nothing added.
    again = client.post(url, headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.json()["code"] == "already_joined"
    # Another district's number under this district: 404, as not found.
    wrong = client.post(f"/d/{north.district.code}/track/{theirs.number}/metoo/")
    assert wrong.status_code == 404
    # An offsite next is ignored.
    other = order_factory(north)
    answer = client.post(f"/d/{north.district.code}/track/{other.number}/metoo/",
                         {"next": "https://evil.example/"})
    assert answer["Location"] == f"/d/{north.district.code}/track/{other.number}/"
    assert MeToo.objects.filter(user=neighbour).count() == 2


def test_public_map_points_are_rounded_and_anonymous(client, north):
    order_factory(north, latitude="41.123456", longitude="121.654321",
                  reporter_name="李四", reporter_phone="13912345678")
    page = client.get(f"/d/{north.district.code}/reports/").content.decode()
    start = page.index('id="wo-public-points"')
    data = json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])
    assert data and data[0]["lat"] == 41.123 and data[0]["lon"] == 121.654
    assert set(data[0]) == {"number", "lat", "lon", "category", "status", "open", "at", "metoo"}
    assert "李四" not in page and "13912345678" not in page


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_public_map_and_my_home_stay_flat_in_the_data(client, north):
    """Query budgets: the public map/list and the resident's 我的 do not grow per report."""
    resident = _resident(north, "counter", "13911110099")
    client.force_login(resident)
    code = north.district.code
    for i in range(3):
        order = order_factory(north, latitude="41.100000", longitude=f"121.10{i}000")
        metoo.metoo_add(actor=resident, district=north.district, order=order)
    small = (_queries(client, f"/d/{code}/reports/"), _queries(client, f"/d/{code}/me/"))
    for i in range(20):
        order = order_factory(north, latitude="41.100000", longitude=f"121.2{i:02d}000")
        metoo.metoo_add(actor=resident, district=north.district, order=order)
    large = (_queries(client, f"/d/{code}/reports/"), _queries(client, f"/d/{code}/me/"))
    assert large == small, (small, large)
    assert small[0] <= 20 and small[1] <= 25, small
