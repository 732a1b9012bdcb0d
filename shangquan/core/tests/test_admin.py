"""The back office is read-only for domain data; role grants and revocations made there go
through the services and are audited like any other."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from shangquan.core.models import AuditLog, Department, District, Membership
from shangquan.core.roles import Role

from .factories import user_factory

pytestmark = pytest.mark.django_db


def test_no_admin_may_add_change_or_delete_a_domain_row(city_admin):
    request = RequestFactory().get("/admin/")
    request.user = city_admin
    registered = admin.site._registry
    assert {"core.membership", "workorders.workorder", "scales.instrument"} <= {
        m._meta.label_lower for m in registered}
    for model, model_admin in registered.items():
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        if model is not Membership:  # a grant goes through the service (below)
            assert not model_admin.has_add_permission(request), model
        assert model_admin.has_view_permission(request), model


@pytest.mark.parametrize("model", [District, Department, Membership])
def test_change_form_post_answers_403(client, north, city_admin, model):
    client.force_login(city_admin)
    obj = model.objects.filter(district=north.district).first() if model is not District \
        else north.district
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/"
    assert client.get(url).status_code == 200  # still viewable
    assert client.post(url, {"name": "改了", "is_active": ""}).status_code == 403
    before = model.objects.get(pk=obj.pk)
    assert getattr(before, "name", "") != "改了"


def test_role_grant_in_admin_calls_the_service_and_is_audited(client, north, city_admin):
    client.force_login(city_admin)
    person = user_factory("newcomer")
    response = client.post("/admin/core/membership/add/", {
        "user": person.pk, "district": north.district.pk, "role": Role.STREET,
        "department": ""})
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, district=north.district)
    grant = AuditLog.objects.get(action="core.membership.grant", object_id=str(membership.pk))
    assert grant.actor == city_admin and grant.district == north.district

    # The service's refusal is the form's error; nothing is created.
    again = client.post("/admin/core/membership/add/", {
        "user": person.pk, "district": north.district.pk, "role": Role.DEPARTMENT,
        "department": ""})
    assert again.status_code == 200 and "只有职能部门角色需要指定部门" in again.content.decode()
    assert Membership.objects.filter(user=person).count() == 1

    revoked = client.post("/admin/core/membership/", {
        "action": "revoke_selected", "_selected_action": [membership.pk]})
    assert revoked.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert AuditLog.objects.filter(action="core.membership.revoke",
                                   object_id=str(membership.pk)).count() == 1
