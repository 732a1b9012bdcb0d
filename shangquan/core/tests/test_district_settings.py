"""Per-district settings: one declaration per app, one table, one read, one write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from shangquan.core.actors import SYSTEM
from shangquan.core.district_settings import (
    district_setting,
    district_settings,
    district_settings_update,
    groups,
)
from shangquan.core.errors import NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog, District, DistrictSetting
from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


def api(code: str, app: str) -> str:
    return f"/api/v1/districts/{code}/settings/{app}"


# --- declarations and defaults -----------------------------------------------------------
def test_every_app_with_settings_declares_them_and_the_design_defaults_hold():
    assert {"workorders", "inspections", "scales", "crowd"} <= set(groups())
    for group in groups().values():
        for setting in group.settings:
            assert str(setting.label), f"{group.app}.{setting.name} has no label"
            if setting.min is not None:
                assert setting.default >= setting.min, setting.name
            if setting.max is not None:
                assert setting.default <= setting.max, setting.name
    wo = groups()["workorders"].defaults
    # DESIGN section 6: composite weights 0.1 / 0.5 / 0.4 is the default practice.
    assert (wo.weight_response, wo.weight_resolution, wo.weight_satisfaction) == (
        Decimal("0.1"), Decimal("0.5"), Decimal("0.4"))
    assert groups()["scales"].defaults.check_window_days == 7


def test_defaults_when_nothing_is_stored_and_one_query_per_request(north,
                                                                  django_assert_num_queries):
    district = District.objects.get(pk=north.district.pk)
    with django_assert_num_queries(1):
        conf = district_settings(district=district, app="workorders")
        assert district_settings(district=district, app="scales").suspend_on_expiry is True
        assert district_setting(district=district, key="inspections.serious_days") == 1
    assert conf.rating_window_days == 7 and conf.is_default("rating_window_days")
    assert not DistrictSetting.objects.exists()


# --- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(("values", "code", "words"), [
    ({"rating_window_days": 0}, "setting_out_of_range", "评价期限（天）须在 1 到 90 之间"),
    ({"weight_response": "1.5"}, "setting_out_of_range", "响应率权重须在 0 到 1 之间"),
    ({"reopen_limit": "abc"}, "setting_invalid", "重办次数上限"),
    ({"reopen_limit": True}, "setting_invalid", "整数"),
    ({"weight_response": "0.12345"}, "setting_invalid", "最多 3 位小数"),
    ({"no_such_knob": 1}, "unknown_setting", "未知设置项"),
    ({"weight_response": 0, "weight_resolution": 0, "weight_satisfaction": 0},
     "weights_all_zero", "三项权重不能都为 0"),
])
def test_values_are_validated_against_the_declaration(north, values, code, words):
    with pytest.raises(ValidationFailed) as caught:
        district_settings_update(actor=north.people[Role.COMMITTEE], district=north.district,
                                 app="workorders", values=values)
    assert caught.value.code == code
    assert words in str(caught.value.message)
    assert not DistrictSetting.objects.exists()
    assert not AuditLog.objects.filter(action="workorders.settings.update").exists()


def test_api_answers_422_with_the_chinese_message_and_every_bad_field(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    r = client.patch(api(north.district.code, "scales"),
                     {"values": {"check_window_days": 400, "daily_quota": "x"}})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "setting_out_of_range"
    assert body["message"] == "查验周期（天）须在 1 到 366 之间"
    assert body["details"]["errors"]["daily_quota"]["code"] == "setting_invalid"


# --- permissions --------------------------------------------------------------------------
def test_a_role_without_manage_gets_403_another_district_404(north, south, api_client):
    url = api(north.district.code, "workorders")
    department = api_client(north.people[Role.DEPARTMENT])
    assert department.get(url).status_code == 200  # sees the KPI weights
    assert department.patch(url, {"values": {"reopen_limit": 3}}).status_code == 403
    assert api_client(north.people[Role.RESIDENT]).get(url).status_code == 403
    outsider = api_client(south.people[Role.COMMITTEE])
    assert outsider.get(url).status_code == 404
    assert outsider.patch(url, {"values": {"reopen_limit": 3}}).status_code == 404
    committee = api_client(north.people[Role.COMMITTEE])
    assert committee.get(api(north.district.code, "nosuchapp")).status_code == 404
    assert not DistrictSetting.objects.exists()
    with pytest.raises(PermissionDenied):
        district_settings_update(actor=north.people[Role.MERCHANT], district=north.district,
                                 app="inspections", values={"serious_days": 2})
    with pytest.raises(NotFound):
        district_settings_update(actor=south.people[Role.COMMITTEE], district=north.district,
                                 app="inspections", values={"serious_days": 2})


# --- the write ---------------------------------------------------------------------------
def test_update_stores_only_what_changed_and_writes_one_audit_row(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    r = client.patch(api(north.district.code, "workorders"),
                     {"values": {"reopen_limit": 3, "weight_response": 0.2,
                                 "rating_window_days": 7}})
    assert r.status_code == 200, r.content
    shown = {s["name"]: s for s in r.json()["settings"]}
    assert shown["reopen_limit"]["value"] == 3 and not shown["reopen_limit"]["is_default"]
    assert Decimal(shown["weight_response"]["value"]) == Decimal("0.2")
    assert shown["weight_resolution"]["is_default"] and shown["reopen_limit"]["default"] == 2
    assert shown["rating_window_days"]["label"] == "评价期限（天）"
    stored = dict(DistrictSetting.objects.filter(district=north.district)
                  .values_list("key", "value"))
    assert stored == {"workorders.reopen_limit": 3, "workorders.weight_response": "0.200",
                      "workorders.rating_window_days": 7}
    row = AuditLog.objects.get(action="workorders.settings.update")
    assert row.district == north.district and row.object_id == "workorders"
    assert row.before == {"reopen_limit": 2, "weight_response": "0.100",
                          "rating_window_days": 7}
    assert row.after == {"reopen_limit": 3, "weight_response": "0.200",
                         "rating_window_days": 7}
    # Nothing changed, nothing written.
    client.patch(api(north.district.code, "workorders"), {"values": {"reopen_limit": 3}})
    assert AuditLog.objects.filter(action="workorders.settings.update").count() == 1


def test_the_old_endpoints_answer_from_the_same_store(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    code = north.district.code
    r = client.patch(f"/api/v1/districts/{code}/scales/settings", {"warn_days": 10})
    assert r.status_code == 200 and r.json()["warn_days"] == 10
    assert client.get(api(code, "scales")).json()["settings"][3]["value"] == 10
    r = client.patch(f"/api/v1/districts/{code}/inspections/rules", {"major_days": 400})
    assert r.status_code == 422 and r.json()["code"] == "setting_out_of_range"
    r = client.patch(f"/api/v1/districts/{code}/inspections/rules", {"major_days": 5})
    assert r.json() == {"general_days": 7, "major_days": 5, "serious_days": 1,
                        "repeat_window_days": 90}
    assert AuditLog.objects.filter(action="inspections.rules.update").count() == 1


# --- the one form ------------------------------------------------------------------------
def test_console_pages_render_and_save_through_the_declaration(north, client):
    client.force_login(north.people[Role.COMMITTEE])
    code = north.district.code
    url = reverse("inspections:templates", kwargs={"code": code})
    page = client.get(url).content.decode()
    assert "重复隐患预警窗口（天）" in page and 'name="repeat_window_days"' in page
    assert 'max="365"' in page
    r = client.post(url, {"action": "rules", "serious_days": "500"})
    assert r.status_code == 422 and "严重隐患整改期限（天）须在 1 到 365 之间" in r.content.decode()
    assert client.post(url, {"action": "rules", "serious_days": "2"}).status_code == 302
    assert district_settings(district=District.objects.get(pk=north.district.pk),
                             app="inspections").serious_days == 2
    # The scales page: an unticked box is False, not "left alone".
    url = reverse("scales:kpis", kwargs={"code": code})
    assert "检定过期自动停用" in client.get(url).content.decode()
    assert client.post(url, {"check_window_days": "5"}).status_code == 302
    conf = district_settings(district=District.objects.get(pk=north.district.pk), app="scales")
    assert conf.check_window_days == 5 and conf.suspend_on_expiry is False
    # The work-order page (the street manages them too).
    client.force_login(north.people[Role.STREET])
    page = client.get(reverse("workorders:categories", kwargs={"code": code})).content.decode()
    assert 'name="weight_satisfaction"' in page and 'value="0.400"' in page


# --- the data migrations -----------------------------------------------------------------
OLD = [("core", "0004_district_settings"), ("workorders", "0002_kpi_covering_index"),
       ("scales", "0001_registry_checks_reweighs_plans"),
       ("inspections", "0001_checklists_inspections_rectifications")]


@pytest.mark.django_db(transaction=True)
def test_the_data_migrations_carry_stored_values_over():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(OLD)
    try:
        old = MigrationExecutor(connection).loader.project_state(OLD).apps
        district = old.get_model("core", "District").objects.create(code="MIG", name="迁移")
        old.get_model("workorders", "Settings").objects.create(
            district=district, reopen_limit=5, weight_satisfaction=Decimal("0.25"))
        old.get_model("scales", "ScaleSettings").objects.create(
            district=district, check_window_days=3, suspend_on_expiry=False)
        old.get_model("inspections", "InspectionRules").objects.create(
            district=district, serious_days=2)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    district = District.objects.get(code="MIG")
    wo = district_settings(district=district, app="workorders")
    assert wo.reopen_limit == 5 and wo.weight_satisfaction == Decimal("0.25")
    assert wo.rating_window_days == 7 and not wo.is_default("rating_window_days")
    scales = district_settings(district=district, app="scales")
    assert scales.check_window_days == 3 and scales.suspend_on_expiry is False
    assert district_settings(district=district, app="inspections").serious_days == 2
    district_settings_update(actor=SYSTEM, district=district, app="workorders",
                             values={"reopen_limit": 6})
    assert district_setting(district=district, key="workorders.reopen_limit") == 6


def test_one_console_page_shows_every_group_and_saves_each(north, south, client):
    code = north.district.code
    url = reverse("core:settings", kwargs={"code": code})
    client.force_login(north.people[Role.COMMITTEE])
    page = client.get(url).content.decode()
    for label in ("工单设置", "检查规则", "监管设置", "客流数据保留"):
        assert label in page
    r = client.post(url, {"app": "crowd", "reading_retention_days": "0"})
    assert r.status_code == 422 and "原始计数保留天数须在 1 到 3660 之间" in r.content.decode()
    r = client.post(url, {"app": "crowd", "reading_retention_days": "14"})
    assert r.status_code == 302
    assert district_settings(district=District.objects.get(pk=north.district.pk),
                             app="crowd").reading_retention_days == 14
    assert AuditLog.objects.filter(action="crowd.settings.update").count() == 1
    client.force_login(north.people[Role.RESIDENT])
    assert client.get(url).status_code == 403
    client.force_login(south.people[Role.COMMITTEE])
    assert client.get(url).status_code == 404
