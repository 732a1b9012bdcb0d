"""Every query a district's request runs names the district: Citus could route it to one shard.

The role × district matrix (``test_policies_matrix.py``) proves another district's rows
answer 404; this test reads the SQL itself. With one district of the demo loaded, it
opens, as every role of that district, every console page of the menu and every GET
endpoint under ``/api/v1/districts/{code}/`` that takes no other parameter (the list the
matrix walks), captures the queries (``CaptureQueriesContext``) and holds each one that
touches a distributed table (a model carrying ``district``, see ``test_distribution.py``)
to this rule:

* it names ``district_id`` outside its select list: in ``WHERE``, a join condition, or the
  columns of an ``INSERT`` (a filter on ``district`` of a joined table counts), or
* it looks rows up by key: its only conditions are ``id`` / ``<fk>_id`` equal to, or in,
  literal values. None of these requests carries an id (only the district's code), so
  such values come from rows an earlier, district-filtered query of the same request
  returned (``prefetch_related``, a related object). In Citus these become look-ups by
  the composite ``(district_id, id)`` key; the test prints how many there are.

Anything else — a query over a distributed table that could read every district — fails.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shangquan.core.models import District
from shangquan.core.roles import Role

from .factories import member_factory, token_for
from .test_distribution import (
    REFERENCE_TABLES,
    REFERENCE_TABLES_BY_SCOPE,
    all_models,
    carries_district,
)
from .test_policies_matrix import district_list_endpoints

pytestmark = pytest.mark.django_db

DEMO_DISTRICT = "LHYS"

TABLE = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?', re.I)
KEY_CONDITION = re.compile(
    r'^\(*\s*(?:"(\w+)"\.)?"(\w+)"\s*(?:=\s*[\w\'-]+|IN\s*\([^()]*\))\s*\)*$', re.I)


def distributed_tables() -> set[str]:
    reference = REFERENCE_TABLES | REFERENCE_TABLES_BY_SCOPE
    return {m._meta.db_table for m in all_models()
            if m._meta.label not in reference and carries_district(m)}


def row_keys() -> dict[str, set[str]]:
    """Per distributed table, the columns that hold a distributed row's id: its own
    ``id`` and its foreign keys to other distributed tables (not ``user_id``: a user's
    rows across districts are not one district's)."""
    distributed = distributed_tables()
    out: dict[str, set[str]] = {}
    for model in all_models():
        table = model._meta.db_table
        if table not in distributed:
            continue
        out[table] = {model._meta.pk.column} | {
            f.column for f in model._meta.local_fields
            if f.is_relation and f.name != "district"
            and f.related_model._meta.db_table in distributed}
    return out


def _without_select_list(sql: str) -> str:
    """The SQL after the outermost select list (which may name district_id harmlessly)."""
    match = re.match(r"\s*SELECT\b(.*?)\bFROM\b", sql, re.I | re.S)
    return sql[match.end() - 4:] if match else sql


def _where_conditions(sql: str) -> list[str]:
    tail = re.split(r"\bWHERE\b", sql, maxsplit=1, flags=re.I)
    if len(tail) < 2:
        return []
    where = re.split(r"\b(?:ORDER BY|GROUP BY|LIMIT|RETURNING|FOR UPDATE)\b", tail[1],
                     maxsplit=1, flags=re.I)[0]
    return [c.strip() for c in re.split(r"\bAND\b", where, flags=re.I)]


def _is_key_condition(condition: str, tables: set[str], keys: dict[str, set[str]]) -> bool:
    match = KEY_CONDITION.match(condition)
    if not match:
        return False
    table, column = match.groups()
    candidates = [table] if table else list(tables)
    return any(column in keys.get(t, ()) for t in candidates)


def classify(sql: str, distributed: set[str], keys: dict[str, set[str]]) -> str:
    """"reference" (no distributed table), "district", "key" or "unscoped"."""
    tables = set(TABLE.findall(sql)) & distributed
    if not tables:
        return "reference"
    if re.search(r"\bdistrict_id\b", _without_select_list(sql), re.I):
        return "district"
    if re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", sql, re.I):
        return "reference"
    conditions = _where_conditions(sql)
    if conditions and all(_is_key_condition(c, tables, keys) for c in conditions):
        return "key"
    return "unscoped"


def test_classifier_can_fail():
    tables = {"merchants_merchant", "workorders_workorder"}
    keys = {"merchants_merchant": {"id", "grid_id"}, "workorders_workorder": {"id"}}

    def classify_(sql: str, tables: set[str]) -> str:
        return classify(sql, tables, keys)

    assert classify_('SELECT "merchants_merchant"."id" FROM "merchants_merchant" '
                    'WHERE "merchants_merchant"."district_id" = 3', tables) == "district"
    assert classify_('SELECT "merchants_merchant"."district_id" FROM "merchants_merchant" '
                    'WHERE "merchants_merchant"."status" = \'open\'', tables) == "unscoped"
    assert classify_('SELECT COUNT(*) FROM "workorders_workorder"', tables) == "unscoped"
    assert classify_('SELECT * FROM "workorders_workorder" INNER JOIN "merchants_merchant" '
                    'ON ("workorders_workorder"."merchant_id" = "merchants_merchant"."id") '
                    'WHERE "merchants_merchant"."district_id" = 3', tables) == "district"
    assert classify_('SELECT * FROM "merchants_merchant" WHERE "merchants_merchant"."id" '
                    'IN (1, 2, 3)', tables) == "key"
    assert classify_('SELECT * FROM "merchants_merchant" WHERE "merchants_merchant"."id" '
                    'IN (1, 2) AND "merchants_merchant"."name" LIKE \'%a%\'',
                    tables) == "unscoped"
    assert classify_('SELECT * FROM "auth_user" WHERE "auth_user"."id" = 1', tables) == (
        "reference")
    # a user's rows in every district are not one district's
    assert classify_('SELECT * FROM "merchants_merchant" WHERE '
                     '"merchants_merchant"."owner_id" = 7', tables) == "unscoped"
    assert classify_('SELECT * FROM "merchants_merchant" WHERE '
                     '"merchants_merchant"."grid_id" IN (4, 5)', tables) == "key"


def cross_district_links() -> list[str]:
    """Every foreign key between distributed tables whose two rows are in two districts.

    The unique constraints with ``district`` mean what the old ones did only if a link
    never crosses districts; this reads every such link of the database.
    """
    from django.db.models import F

    reference = REFERENCE_TABLES | REFERENCE_TABLES_BY_SCOPE
    out = []
    for model in all_models():
        if model._meta.label in reference or not carries_district(model):
            continue
        for field in model._meta.local_fields:
            target = field.related_model if field.is_relation else None
            if (field.name == "district" or target is None
                    or target._meta.label in reference or not carries_district(target)):
                continue
            crossing = (model._base_manager.filter(**{f"{field.name}__isnull": False})
                        .exclude(district_id=F(f"{field.name}__district_id")).count())
            if crossing:
                out.append(f"{model._meta.label}.{field.name}: {crossing} rows")
    return out


def _pages(district: District) -> list[tuple[str, frozenset[str]]]:
    from django.urls import reverse

    from shangquan.core.navigation import all_items

    out = []
    for item in all_items():
        out.append((reverse(item.url_name, kwargs={"code": district.code}), item.roles))
    return out


def test_district_requests_name_their_district(settings):
    call_command("demo", only=DEMO_DISTRICT, stdout=open("/dev/null", "w"))
    district = District.objects.get(code=DEMO_DISTRICT)
    distributed, keys = distributed_tables(), row_keys()
    people = {role: member_factory(district, role, username=f"dist-{role}") for role in Role}
    pages = _pages(district)
    endpoints = [e.format(code=district.code) for e in district_list_endpoints()]
    assert pages and endpoints

    # each menu page as every role that sees it, each endpoint as the committee (the
    # widest district role) and a resident (the narrowest)
    targets: list[tuple[str, Client, str]] = []
    for role, user in people.items():
        browser = Client()
        browser.force_login(user)
        targets += [(role, browser, url) for url, roles in pages if not roles or role in roles]
        if role in (Role.COMMITTEE, Role.RESIDENT):
            api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
            targets += [(role, api, url) for url in endpoints]

    counts: Counter[str] = Counter()
    unscoped: list[str] = []
    requests = 0
    for role, client, url in targets:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        requests += 1
        assert response.status_code < 500, (role, url, response.status_code)
        for query in queries.captured_queries:
            kind = classify(query["sql"], distributed, keys)
            counts[kind] += 1
            if kind == "unscoped":
                unscoped.append(f"{role} GET {url}\n    {query['sql'][:400]}")
    print(f"\n{requests} requests: {counts['district']} queries filter by district, "
          f"{counts['key']} by key from a district-filtered row, "
          f"{counts['reference']} read only reference tables, "
          f"{counts['unscoped']} unscoped")
    assert counts["district"] > 0
    assert not unscoped, "\n".join(sorted(set(unscoped))[:60])
    # and every link the demo and these requests made stays inside its district
    assert cross_district_links() == []
