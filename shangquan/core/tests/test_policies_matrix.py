"""Role × district × action: no role reaches another district or an action it lacks.

The matrix walks every action every app registers, and every district endpoint of
the API, so a new module is covered as soon as it declares its policies and routes.
"""

from __future__ import annotations

import re

import pytest

from shangquan.core import policies
from shangquan.core.errors import NotFound, PermissionDenied
from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_every_registered_action_matches_its_roles_in_own_district(north, south):
    assert policies.REGISTRY, "no policies registered"
    for action, allowed in policies.REGISTRY.items():
        for role, user in north.people.items():
            expected = role in allowed or action in policies.PUBLIC_ACTIONS
            assert policies.can(user, action, north.district) is expected, (action, role)
            if not expected:
                with pytest.raises(PermissionDenied):
                    policies.require(user, action, north.district)


def test_no_role_acts_in_another_district(north, south):
    for action in policies.REGISTRY:
        if action in policies.PUBLIC_ACTIONS:
            continue
        for role, user in north.people.items():
            assert policies.can(user, action, south.district) is False, (action, role)
            # "not yours" is indistinguishable from "not found"
            with pytest.raises(NotFound):
                policies.require(user, action, south.district)


def test_city_admin_may_do_everything(north, city_admin):
    for action in policies.REGISTRY:
        assert policies.can(city_admin, action, north.district)


def district_list_endpoints() -> list[str]:
    """Every GET under /districts/{code}/ with no other path parameter."""
    from django.urls import get_resolver

    out = []
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) != "api/v1/":
            continue
        for sub in pattern.url_patterns:
            route = str(sub.pattern)
            if route.startswith("districts/<code>/") and route.count("<") == 1:
                out.append("/api/v1/" + route.replace("<code>", "{code}"))
    return sorted(set(out))


def api_get_routes() -> list[tuple[str, tuple[str, ...]]]:
    """Every GET path of the API as ``("/api/v1/…/{param}…", (param, …))``.

    Walks the same resolver as :func:`district_list_endpoints`; the methods come from
    django-ninja's path view behind each URL pattern.
    """
    from django.urls import get_resolver

    out = set()
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) != "api/v1/":
            continue
        for sub in pattern.url_patterns:
            route = str(sub.pattern)
            cells = getattr(sub.callback, "__closure__", None) or ()
            views = [c.cell_contents for c in cells if hasattr(c.cell_contents, "operations")]
            if not views:
                assert not route.startswith(("districts/", "public/")), route
                continue  # the OpenAPI document and its docs page
            if not any("GET" in op.methods for op in views[0].operations):
                continue
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            out.add(("/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), params))
    return sorted(out)


def test_district_endpoints_hide_other_districts(north, south, api_client):
    endpoints = district_list_endpoints()
    assert "/api/v1/districts/{code}/departments" in endpoints
    for role, user in north.people.items():
        client = api_client(user)
        for endpoint in endpoints:
            response = client.get(endpoint.format(code=south.district.code))
            if response.status_code == 405:  # POST-only path
                continue
            assert response.status_code == 404, (role, endpoint, response.status_code)
            assert response.json()["code"] == "not_found"


def test_unknown_district_and_foreign_district_look_the_same(north, south, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    foreign = client.get(f"/api/v1/districts/{south.district.code}/departments")
    missing = client.get("/api/v1/districts/NOPE/departments")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_anonymous_gets_401_on_district_endpoints(north, api_client):
    client = api_client(None)
    for endpoint in district_list_endpoints():
        response = client.get(endpoint.format(code=north.district.code))
        if response.status_code == 405:
            continue
        assert response.status_code in (401, 404), endpoint
        assert response.json()["code"] in ("not_authenticated", "not_found")


def test_membership_department_constraint_in_database(north):
    from django.db import IntegrityError, transaction

    from shangquan.core.models import Membership

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(district=north.district, user=north.people[Role.RESIDENT],
                                  role=Role.DEPARTMENT, department=None)


def test_route_list_helper_is_consistent():
    assert all(re.match(r"^/api/v1/districts/\{code\}/", e) for e in district_list_endpoints())


def test_people_picked_from_input_must_belong_to_the_district(north, south):
    from shangquan.core.selectors import access_member_user

    assert access_member_user(district=north.district,
                              user_id=north.people[Role.GRID_LEADER].pk)
    for bad in (south.people[Role.GRID_LEADER].pk, 999999, "x", None):
        with pytest.raises(NotFound):
            access_member_user(district=north.district, user_id=bad)
    with pytest.raises(NotFound):
        access_member_user(district=north.district, user_id=north.people[Role.RESIDENT].pk,
                           roles=(Role.GRID_LEADER,))
