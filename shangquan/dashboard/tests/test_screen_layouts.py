"""The big screen's panels per district, set by the committee: services (audited,
constraints, bad input), the console page, the screen drawing the configured panels,
another district's ids answering 404."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.dashboard import layouts, screen
from shangquan.dashboard.models import ScreenPanel

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _kinds(district):
    return [(p.kind, p.indicator) for p in layouts.screen_layout(district=district)]


def test_default_layout_until_the_committee_changes_it(north):
    assert _kinds(north.district) == [(p.kind, "") for p in layouts.DEFAULT_LAYOUT]
    committee = north.people[Role.COMMITTEE]
    row = layouts.screen_panel_create(actor=committee, district=north.district,
                                      kind="indicator", indicator="workorders.resolution_rate",
                                      width=2, height=1, refresh_seconds=30)
    # the default was copied first, the new panel comes last
    assert _kinds(north.district)[-1] == ("indicator", "workorders.resolution_rate")
    assert len(_kinds(north.district)) == len(layouts.DEFAULT_LAYOUT) + 1
    audit = AuditLog.objects.get(action="dashboard.panel.create", object_id=str(row.pk))
    assert audit.district_id == north.district.pk
    assert audit.after["indicator"] == "workorders.resolution_rate"
    # the screen draws it, with its title and interval
    data = screen.screen_data(user=committee, district=north.district, fresh=True)
    panel = data["panels"][-1]
    assert panel["slot"] == f"p{row.pk}" and panel["refresh"] == 30 and panel["width"] == 2
    assert panel["title"] == "解决率"
    assert panel["data"]["indicator"]["key"] == "workorders.resolution_rate"
    assert len(panel["data"]["series"]["values"]) == 14


def test_update_move_delete_reset_each_write_an_audit_row(north):
    committee = north.people[Role.COMMITTEE]
    honour = layouts.screen_panel_create(actor=committee, district=north.district,
                                         kind="honour")
    layouts.screen_panel_update(actor=committee, district=north.district, panel_id=honour.pk,
                                width=3, height=2, refresh_seconds=600)
    honour.refresh_from_db()
    assert (honour.width, honour.height, honour.refresh_seconds) == (3, 2, 600)
    layouts.screen_panel_move(actor=committee, district=north.district, panel_id=honour.pk,
                              direction="up")
    order = [p.kind for p in layouts.screen_layout(district=north.district)]
    assert order.index("honour") == len(order) - 2
    rows = ScreenPanel.objects.filter(district=north.district).order_by("position")
    assert [r.position for r in rows] == list(range(len(rows)))  # renumbered, no gaps
    ids = [r.pk for r in rows][::-1]
    layouts.screen_layout_arrange(actor=committee, district=north.district, order=ids)
    assert [p.pk for p in layouts.screen_layout(district=north.district)] == ids
    layouts.screen_panel_delete(actor=committee, district=north.district, panel_id=honour.pk)
    assert "honour" not in [p.kind for p in layouts.screen_layout(district=north.district)]
    assert layouts.screen_layout_reset(actor=committee, district=north.district) > 0
    assert layouts.screen_layout(district=north.district) == list(layouts.DEFAULT_LAYOUT)
    actions = set(AuditLog.objects.filter(district=north.district,
                                          action__startswith="dashboard.").values_list(
        "action", flat=True))
    assert actions >= {"dashboard.panel.create", "dashboard.panel.update",
                       "dashboard.layout.arrange", "dashboard.panel.delete",
                       "dashboard.layout.reset"}


def test_bad_input(north):
    committee = north.people[Role.COMMITTEE]
    with pytest.raises(NotFound) as unknown:
        layouts.screen_panel_create(actor=committee, district=north.district,
                                    kind="indicator", indicator="nope.nothing")
    assert unknown.value.code == "unknown_indicator"
    with pytest.raises(ValidationFailed):
        layouts.screen_panel_create(actor=committee, district=north.district, kind="pie")
    with pytest.raises(ValidationFailed):
        layouts.screen_panel_create(actor=committee, district=north.district, kind="indicator")
    with pytest.raises(ValidationFailed):
        layouts.screen_panel_create(actor=committee, district=north.district, kind="honour",
                                    refresh_seconds=1)
    with pytest.raises(ValidationFailed):
        layouts.screen_panel_create(actor=committee, district=north.district, kind="honour",
                                    width=9)
    with pytest.raises(Conflict):  # the map is on the default layout already
        layouts.screen_panel_create(actor=committee, district=north.district, kind="map")
    with pytest.raises(ValidationFailed):
        layouts.screen_panel_move(actor=committee, district=north.district,
                                  panel_id=1, direction="left")


def test_the_database_holds_the_invariants(north):
    committee = north.people[Role.COMMITTEE]
    row = layouts.screen_panel_create(actor=committee, district=north.district, kind="honour")
    for bad in ({"width": 0}, {"height": 4}, {"refresh_seconds": 2}, {"indicator": "x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ScreenPanel.objects.filter(pk=row.pk).update(**bad)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreenPanel.objects.create(district=north.district, kind="honour", position=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreenPanel.objects.create(district=north.district, kind="indicator", indicator="",
                                   position=98)


def test_another_districts_panel_is_not_found(north, south):
    south_row = layouts.screen_panel_create(actor=south.people[Role.COMMITTEE],
                                            district=south.district, kind="honour")
    committee = north.people[Role.COMMITTEE]
    for call in (
        lambda: layouts.screen_panel_update(actor=committee, district=north.district,
                                            panel_id=south_row.pk, width=2),
        lambda: layouts.screen_panel_delete(actor=committee, district=north.district,
                                            panel_id=south_row.pk),
        lambda: layouts.screen_panel_move(actor=committee, district=north.district,
                                          panel_id=south_row.pk, direction="up"),
        lambda: layouts.screen_layout_arrange(actor=committee, district=north.district,
                                              order=[south_row.pk]),
    ):
        with pytest.raises(NotFound):
            call()
    client = _client(committee)
    code = north.district.code
    # the page: another district's panel id → 404, its rows untouched
    response = client.post(f"/console/{code}/dashboard/screen/layout/",
                           {"action": "delete", "panel": south_row.pk})
    assert response.status_code == 404
    assert ScreenPanel.objects.filter(pk=south_row.pk).exists()
    # its panel's JSON from our screen → 404; the other district's screen → 404
    assert client.get(f"/console/{code}/dashboard/screen/panel/p{south_row.pk}/").status_code == 404
    assert client.get(f"/console/{south.district.code}/dashboard/screen/panel/"
                      f"p{south_row.pk}/").status_code == 404


def test_only_the_committee_configures(north):
    for role in (Role.STREET, Role.DEPARTMENT):
        with pytest.raises(PermissionDenied):
            layouts.screen_panel_create(actor=north.people[role], district=north.district,
                                        kind="honour")
        page = _client(north.people[role]).get(
            f"/console/{north.district.code}/dashboard/screen/layout/")
        assert page.status_code == 403
    for role in (Role.MERCHANT, Role.RESIDENT):
        page = _client(north.people[role]).get(
            f"/console/{north.district.code}/dashboard/screen/layout/")
        assert page.status_code in (403, 404)
    assert not ScreenPanel.objects.exists()


def test_the_console_page(north):
    client = _client(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/dashboard/screen/layout/"
    page = client.get(url)
    assert page.status_code == 200 and "默认布局" in page.content.decode()
    response = client.post(url, {"action": "add", "kind": "indicator",
                                 "indicator": "workorders.overdue", "width": "1",
                                 "height": "1", "refresh_seconds": "15"})
    assert response.status_code == 302
    row = ScreenPanel.objects.get(district=north.district, kind="indicator")
    assert row.refresh_seconds == 15
    bad = client.post(url, {"action": "add", "kind": "indicator", "indicator": "no.such"})
    assert bad.status_code == 404
    bad = client.post(url, {"action": "update", "panel": row.pk, "refresh_seconds": "abc"})
    assert bad.status_code == 422 and "refresh_seconds" in bad.content.decode()
    client.post(url, {"action": "up", "panel": row.pk})
    body = client.get(url).content.decode()
    assert f'data-id="{row.pk}"' in body
    screen_page = client.get(f"/console/{north.district.code}/dashboard/screen/").content.decode()
    assert f'id="panel-p{row.pk}"' in screen_page and 'data-refresh="15"' in screen_page


def test_a_panel_polled_on_its_own(north):
    client = _client(north.people[Role.COMMITTEE])
    code = north.district.code
    answer = client.get(f"/console/{code}/dashboard/screen/panel/d0/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["panel"]["kind"] == "tiles" and body["panel"]["refresh"] == 10
    assert client.get(f"/console/{code}/dashboard/screen/panel/zz/").status_code == 404
    assert client.get(f"/console/{code}/dashboard/screen/panel/p999999/").status_code == 404
    assert Client().get(f"/console/{code}/dashboard/screen/panel/d0/").status_code == 302
