"""Suite-wide guard: no audit row written by any test holds an unmasked phone.

A pytest plugin (``conftest.py`` lists it). Around each test that uses the database it
reads the audit rows the test left (each test runs in a rolled-back transaction or
a flushed database, so "all rows" is "this test's rows") and fails the test if one
carries a mainland mobile number in clear, in any column: actor label, object, before,
after. One query per database test.
"""

from __future__ import annotations

import json
import re

import pytest

# Written out here, not imported from core.masking: the guard checks the helpers.
MOBILE = re.compile(r"(?:(?<!\d)|(?<=86))1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences",
               "django_db_serialized_rollback"}


def unmasked_phones(rows) -> list[str]:
    """Every (row id, clear phone) found in ``rows`` (dicts of AuditLog columns)."""
    found = []
    for row in rows:
        text = json.dumps([row["actor_label"], row["object_id"], row["object_repr"],
                           row["before"], row["after"]], ensure_ascii=False, default=str)
        found += [f"#{row['id']} {row['action']}: {m}" for m in MOBILE.findall(text)]
    return found


def _uses_db(item) -> bool:
    return bool(DB_FIXTURES & set(getattr(item, "fixturenames", ()))
                or item.get_closest_marker("django_db"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    from django.db import connection

    # A test whose code closed the connection (a finished event stream gives its
    # connection back) has nothing left to read here; the next test's rows are checked.
    raw = connection.connection
    if _uses_db(item) and raw is not None and not getattr(raw, "closed", False):
        from shangquan.core.models import AuditLog

        found = unmasked_phones(AuditLog.objects.values(
            "id", "action", "actor_label", "object_id", "object_repr", "before", "after"))
        if found:
            pytest.fail("audit rows hold unmasked phones (mask them, or store a reference):\n"
                        + "\n".join(found[:20]), pytrace=False)
    return result
