"""Dashboard rows built through the services, for other apps' tests."""

from __future__ import annotations

from shangquan.core.actors import SYSTEM
from shangquan.core.indicators import Measure
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.dashboard import selectors, services
from shangquan.dashboard.models import SnapshotSource


def budget_seed(persona, n: int, tag: str, ids: dict) -> None:
    """For the query budgets: last week's report (its figures frozen as the demo's
    history is, so the closed week has data), its id for the report's detail routes."""
    week = Period.containing("week", selectors.today()).previous()
    services.snapshots_freeze(actor=SYSTEM, district=persona.district, periods=[week],
                              values={("workorders.total", week): Measure(float(n))},
                              source=SnapshotSource.DEMO)
    report, _created = services.report_generate(actor=persona.people[Role.COMMITTEE],
                                                district=persona.district, period=week)
    ids.setdefault("report_id", report.pk)
