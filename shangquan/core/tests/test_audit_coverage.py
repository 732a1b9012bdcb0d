"""Every service declares the audit actions it writes, so a forgotten audit row fails a test.

``@audited(...)`` (core/audit.py) raises ``AuditMissing`` in tests when a call writes a
domain table and records none of its declared actions; the whole suite exercising the
services is what turns that into failing tests. This file makes sure no write escapes the
check: every public function of every app's service modules carries ``@audited`` (or an
entry below saying why it does not), as the outermost decorator, naming registered actions.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction

from shangquan.core import ratelimit
from shangquan.core.audit import ACTIONS, audited
from shangquan.core.models import Department

# Modules that hold writes (and audited exports) besides an app's ``services.py`` /
# ``services/`` package. Not listed: workorders/catalog.py (seed data) and
# scales/planner.py (planning arithmetic) touch no table; core/idempotency.py writes only
# its own bookkeeping table (``audit.NOT_STATE``).
WRITE_MODULES = {
    "shangquan.merchants": ["grids", "rosters", "importing", "jobs", "exporting"],
    "shangquan.workorders": ["exporting", "metoo"],
    "shangquan.inspections": ["reports"],
    "shangquan.scales": ["xlsx"],
}

# "module.function" -> why it carries no @audited.
NOT_AUDITED: dict[str, str] = {
    "shangquan.core.services.token_resolve":
        "a read on every bearer request; its only write touches last_used_at (bookkeeping)",
    "shangquan.crowd.services.device_gate": "a read: the gate a counter device reports for",
    "shangquan.crowd.services.readings_ingest":
        "telemetry: raw readings and their minute roll-ups are the counters' own log and "
        "are not audited one by one (crowd/services.py docstring); every control change "
        "and alert they cause is audited inside _evaluate",
    "shangquan.crowd.services.alert_notify":
        "writes only notifications (core_notification, bookkeeping) through notification_send",
    "shangquan.scales.services.add_months": "date arithmetic",
    "shangquan.inspections.services.rectifications.default_deadline": "date arithmetic",
    "shangquan.inspections.services.rectifications.assert_can_see": "a permission check",
    "shangquan.inspections.services.rectifications.public_page_changed":
        "queues an on-commit cache bump of the merchant's QR page for the calling service, "
        "which writes the audit row",
    "shangquan.merchants.grids.grids_propose": "computes a proposal; grids_apply writes it",
    "shangquan.merchants.grids.grid_nearest": "a read: the grid nearest to a point",
    "shangquan.merchants.rosters.open_days": "calendar arithmetic",
    "shangquan.merchants.rosters.rotate": "list arithmetic",
    "shangquan.merchants.rosters.apply_swap": "list arithmetic",
    "shangquan.merchants.importing.read_table": "parses an uploaded file",
    "shangquan.merchants.importing.import_preview":
        "the dry run: parses the upload and compares it with the stored merchants, writes "
        "nothing (the job row that keeps it is written and audited by jobs.import_job_create)",
    "shangquan.merchants.importing.map_columns": "parses a header row",
    "shangquan.merchants.importing.parse_row": "parses one row",
    "shangquan.merchants.exporting.import_template_xlsx": "renders the blank import sheet",
    "shangquan.inspections.reports.campaign_xlsx":
        "renders the report; campaign_report checks the role and audits",
    "shangquan.inspections.reports.campaign_pdf":
        "renders the report; campaign_report checks the role and audits",
    "shangquan.scales.xlsx.export_bytes":
        "renders the sheet; instrument_export_xlsx checks the role and audits",
}

_AUDITED_WRAPPER = audited()(lambda: None).__code__


def _service_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shangquan."):
            continue
        names = ["services", *WRITE_MODULES.get(config.name, [])]
        for name in names:
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.{name}":
                    raise
                continue
            modules.append(module)
            if hasattr(module, "__path__"):  # a services/ package: its topic modules
                modules += [importlib.import_module(info.name) for info in
                            pkgutil.iter_modules(module.__path__, module.__name__ + ".")]
    return modules


def _public_functions() -> dict[str, object]:
    found = {}
    for module in _service_modules():
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and func.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = func
    return found


def test_the_service_modules_are_found():
    names = {module.__name__ for module in _service_modules()}
    assert {"shangquan.core.services", "shangquan.workorders.services",
            "shangquan.inspections.services.rectifications", "shangquan.merchants.grids",
            "shangquan.crowd.services"} <= names
    assert len(_public_functions()) > 100


def test_every_public_service_declares_its_audit_actions():
    missing = sorted(name for name, func in _public_functions().items()
                     if not hasattr(func, "audit_actions") and name not in NOT_AUDITED)
    assert not missing, ("add @audited(<the actions it writes>) above these services, or an "
                         f"entry with a reason to NOT_AUDITED: {missing}")


def test_audited_is_the_outermost_decorator():
    """Outermost, so the check sees the whole call: after its transaction has ended."""
    inner = sorted(name for name, func in _public_functions().items()
                   if hasattr(func, "audit_actions") and func.__code__ is not _AUDITED_WRAPPER)
    assert not inner, f"put @audited above every other decorator: {inner}"


def test_declared_actions_are_registered():
    unknown = sorted(f"{name}: {action}" for name, func in _public_functions().items()
                     for action in getattr(func, "audit_actions", ())
                     if action != "*" and action not in ACTIONS)
    assert not unknown, f"register these in the app's policies.py AUDIT_ACTIONS: {unknown}"


def test_the_exemptions_are_current():
    found = _public_functions()
    stale = sorted(name for name in NOT_AUDITED
                   if name not in found or hasattr(found[name], "audit_actions"))
    assert not stale, f"remove these from NOT_AUDITED: {stale}"


# --- what the check counts as a state change ---------------------------------------------
@audited("core.department.create")
def _hits_a_rate_limit() -> int:
    return ratelimit.hit("audit-coverage", limit=5, window=60)


@pytest.mark.django_db
def test_the_database_cache_is_bookkeeping(settings):
    """Without Redis the cache is a table; a rate limit or a cached permission written
    during a service that then changes nothing is not a state change."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "shangquan_cache"}}
    call_command("createcachetable", verbosity=0)
    assert _hits_a_rate_limit() == 1


@audited("core.department.create")
def _loses_a_race(*, district) -> None:
    try:
        with transaction.atomic():
            Department.objects.create(district=district, code="race", name="另一个")
    except IntegrityError:  # the other request's row stands; this one changed nothing
        return None


@pytest.mark.django_db
def test_an_insert_refused_by_a_constraint_is_no_write(north):
    Department.objects.create(district=north.district, code="race", name="先到")
    assert _loses_a_race(district=north.district) is None
