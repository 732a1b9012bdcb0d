"""The OpenAPI document: typed answers, unique schema names, enumerated error codes; and
the one pagination and filter behaviour every list endpoint shares."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from ninja import Schema

from shangquan.core.errors import DomainError, error_codes
from shangquan.core.roles import Role

METHODS = {"get", "post", "put", "patch", "delete"}
ROOT = Path(__file__).resolve().parents[2]  # the shangquan package


@pytest.fixture(scope="module")
def document() -> dict:
    from shangquan.api import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _resolve(document: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _typed(document: dict, schema: dict) -> bool:
    """An object with declared properties, or a list of such: never a bare dict."""
    schema = _resolve(document, schema)
    if schema.get("type") == "array":
        return _typed(document, schema.get("items", {}))
    return schema.get("type") == "object" and bool(schema.get("properties")) \
        and not schema.get("additionalProperties")


def test_document_builds_and_every_success_answer_is_typed(document):
    untyped = []
    for path, method, operation in operations(document):
        successes = {s: r for s, r in operation["responses"].items() if 200 <= int(s) < 300}
        assert successes, f"{method} {path}: no success response"
        for status, response in successes.items():
            content = response.get("content") or {}
            if not content:
                untyped.append(f"{method.upper()} {path} {status}: no content")
            for ctype, body in content.items():
                schema = body.get("schema", {})
                if ctype == "application/json":
                    ok = _typed(document, schema)
                else:  # a file download
                    ok = schema == {"type": "string", "format": "binary"}
                if not ok:
                    untyped.append(f"{method.upper()} {path} {status}: {ctype} {schema}")
    assert not untyped, "untyped answers:\n" + "\n".join(untyped)


def _app_schema_classes() -> dict[str, set[type]]:
    by_name: dict[str, set[type]] = defaultdict(set)
    stack = [Schema]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        module = cls.__module__
        if module.startswith("shangquan.") and ".tests." not in module:
            by_name[cls.__name__].add(cls)
    return by_name


def test_schema_names_are_unique_so_openapi_shows_the_right_one(document):
    """ninja names components by class name: two ``MemberOut`` classes share one entry."""
    by_name = _app_schema_classes()
    assert "PartyMemberOut" in by_name and "DistrictMemberOut" in by_name
    clashes = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
               for name, classes in by_name.items() if len(classes) > 1}
    assert not clashes, clashes
    components = document["components"]["schemas"]
    for name, (cls,) in by_name.items():
        if name in components and "properties" in components[name]:
            assert set(components[name]["properties"]) == set(cls.model_json_schema().get(
                "properties", {})), name


def _error_classes() -> dict[str, int]:
    found, stack = {}, [DomainError]
    while stack:
        cls = stack.pop()
        found[cls.__name__] = cls.status
        stack.extend(cls.__subclasses__())
    return found


def _raised_codes() -> dict[str, dict[str, set[int]]]:
    """app → code → statuses, from every ``SomeError(..., code="x")`` in the sources."""
    classes = _error_classes()
    raised: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for config in apps.get_app_configs():
        if not config.name.startswith("shangquan."):
            continue
        for path in Path(config.path).rglob("*.py"):
            if {"tests", "migrations"} & set(path.relative_to(config.path).parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name not in classes:
                    continue
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        raised[config.label][kw.value.value].add(classes[name])
    return raised


def test_every_raised_code_is_enumerated_in_its_app_with_its_status():
    raised = _raised_codes()
    assert raised["merchants"]["licence_exists"] == {409}
    missing = []
    for app, codes in raised.items():
        declared = error_codes(app)
        for code, statuses in codes.items():
            if not statuses <= set(declared.get(code, ())):
                missing.append(f"{app}: {code} {sorted(statuses)} "
                               f"(declared {declared.get(code)})")
    assert not missing, "add these to <app>/errors.py:\n" + "\n".join(missing)


def test_no_enumerated_code_is_stale():
    from shangquan.scales.messages import MESSAGES  # raised by code, not by literal

    raised = _raised_codes()
    from shangquan.core.errors import _REGISTRY

    stale = [f"{app}: {code}" for app, table in _REGISTRY.items() for code in table
             if code not in raised.get(app, {}) and not (app == "scales" and code in MESSAGES)]
    assert not stale, stale


def test_every_operation_documents_its_errors_with_the_apps_codes(document):
    components = document["components"]["schemas"]
    for path, method, operation in operations(document):
        app = operation["tags"][0]
        for status in (404, 422):
            assert status in operation["responses"], f"{method} {path}: no {status}"
        if operation.get("security"):
            assert 401 in operation["responses"] and 403 in operation["responses"]
        if method != "get":
            assert 409 in operation["responses"], f"{method} {path}: no 409"
        ref = operation["responses"][422]["content"]["application/json"]["schema"]["$ref"]
        schema = components[ref.rsplit("/", 1)[-1]]
        enum = set(schema["properties"]["code"]["enum"])
        assert {"validation_error", "not_found", "permission_denied"} <= enum
        assert set(error_codes(app)) == enum
    merchants = components["MerchantsErrorOut"]["properties"]["code"]["enum"]
    assert "licence_exists" in merchants and "already_escalated" not in merchants
    post = document["paths"]["/api/v1/districts/{code}/merchants"]["post"]["responses"]
    assert "`licence_exists`" in post[409]["description"]


# --- one pagination, typed filters --------------------------------------------------------
def base(persona) -> str:
    return f"/api/v1/districts/{persona.district.code}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["merchants", "workorders", "rectifications", "org/members",
                                  "scales/instruments", "crowd/zones", "audit"])
@pytest.mark.parametrize("query", [{"offset": "1e20"}, {"limit": "abc"}, {"limit": 0},
                                   {"limit": 501}, {"offset": -1}, {"offset": 10**6 + 1}])
def test_pagination_garbage_is_a_422_in_our_format(north, api_client, path, query):
    client = api_client(north.people[Role.COMMITTEE])
    response = client.get(f"{base(north)}/{path}", query)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    assert [d["loc"][-1] for d in body["details"]] == list(query)


@pytest.mark.django_db
def test_pagination_answers_items_count_limit_offset(north, api_client):
    from shangquan.merchants.tests.factories import merchant_factory

    for _ in range(3):
        merchant_factory(north.district)
    client = api_client(north.people[Role.COMMITTEE])
    page = client.get(f"{base(north)}/merchants", {"limit": 2, "offset": 1}).json()
    assert set(page) == {"items", "count", "limit", "offset"}
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 1, 2)
    assert client.get(f"{base(north)}/merchants").json()["limit"] == 50


@pytest.mark.django_db
@pytest.mark.parametrize("path,query", [
    ("merchants", {"grid": "abc"}), ("merchants", {"association": "1e20"}),
    ("inspections", {"grid_id": "1e20"}), ("inspections", {"merchant_id": "x"}),
    ("org/members", {"unit": str(10**30)}), ("scales/checks", {"instrument": 0}),
    ("workorders", {"department_id": "-3"}), ("rosters", {"grid": "abc"}),
])
def test_id_filters_are_bounded_ints(north, api_client, path, query):
    response = api_client(north.people[Role.COMMITTEE]).get(f"{base(north)}/{path}", query)
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["workorders/99999999999999999999",
                                  "merchants/99999999999999999999", "crowd/zones/0"])
def test_path_ids_are_bounded_ints(north, api_client, path):
    response = api_client(north.people[Role.COMMITTEE]).get(f"{base(north)}/{path}")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


@pytest.mark.django_db
def test_filter_schema_q_and_status_on_merchants(north, api_client):
    from shangquan.merchants.tests.factories import merchant_factory

    merchant_factory(north.district, name="老王烧烤")
    closed = merchant_factory(north.district, name="老王面馆")
    merchant_factory(north.district, name="小李奶茶")
    client = api_client(north.people[Role.COMMITTEE])
    client.post(f"{base(north)}/merchants/{closed.pk}/status",
                {"status": "suspended", "reason": "停业整改"})
    names = lambda query: sorted(m["name"] for m in  # noqa: E731
                                 client.get(f"{base(north)}/merchants", query).json()["items"])
    assert names({"q": "老王"}) == ["老王烧烤", "老王面馆"]
    assert names({"q": "老王", "status": "suspended"}) == ["老王面馆"]
    params = {p["name"] for p in _operation("/districts/{code}/merchants")["parameters"]}
    assert {"q", "status", "category", "grid", "limit", "offset"} <= params


@pytest.mark.django_db
def test_filter_schema_q_and_status_on_work_orders(north, api_client):
    from shangquan.workorders.tests.factories import advance, order_factory

    order_factory(north, description="夜市油烟扰民，晚上开不了窗")
    other = advance(north, order_factory(north, description="占道经营，油烟很大"), "dispatched")
    order_factory(north, description="凌晨噪音扰民")
    client = api_client(north.people[Role.COMMITTEE])
    found = lambda query: sorted(o["id"] for o in  # noqa: E731
                                 client.get(f"{base(north)}/workorders", query).json()["items"])
    assert len(found({"q": "油烟"})) == 2
    assert found({"q": "油烟", "status": "dispatched"}) == [other.pk]
    params = {p["name"] for p in _operation("/districts/{code}/workorders")["parameters"]}
    assert {"q", "status", "category", "department_id", "limit", "offset"} <= params


def _operation(path: str) -> dict:
    from shangquan.api import api

    return api.get_openapi_schema(path_prefix="/api/v1")["paths"][f"/api/v1{path}"]["get"]
