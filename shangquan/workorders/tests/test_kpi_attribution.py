"""KPIs by the department that handled each event at the time (issue 11 §4).

A hand-checked example, in one grid G1 unless said, all submitted today. 市场监管 = A,
城管执法 = B:

 order  handling 1                 handling 2
 X (G1) A: accepted, resolved, 不满意  B: accepted, resolved, 满意
 Y (G1) A: accepted, resolved, 满意
 Z (G2) B: dispatched, not accepted

            total disp resp resol rated 满意 不满意
 A            1    2    2    1     2    1    1     (Y; X's first handling)
 B            2    2    1    1     1    1    0     (X now, Z)
 G1           2    3    3    2     3    2    1
 G2           1    1    0    0     0    0    0
 all          3    4    3    2     3    2    1     = A + B = G1 + G2

Before the fix the unsatisfied rating cleared the department: A lost its 不满意, X sat in
the 未派单 row, and on re-dispatch B inherited the 不满意.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from shangquan.core.models import Department
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.merchants.tests.factories import grid_factory
from shangquan.workorders import kpi, rollup, services
from shangquan.workorders.models import KpiDaily

from .factories import advance, order_factory

pytestmark = pytest.mark.django_db
FIELDS = ("total", "dispatched", "responded", "resolved", "rated", "satisfied", "unsatisfied")


def table(district, dim: str) -> dict[str, tuple]:
    today = timezone.localdate()
    return {r.label: tuple(getattr(r, f) if hasattr(r, f) else r.counts[f] for f in FIELDS)
            for r in kpi.kpi_by(district=district, dim=dim, start=today, end=today)}


def counters(district) -> list[tuple]:
    """Every non-empty counter row (an order moving on leaves a row of zeros behind)."""
    return sorted(row for row in KpiDaily.objects.filter(district=district).values_list(
        "day", "dim", "key", *KpiDaily.COUNTERS) if any(row[3:]))


def totals(district) -> tuple:
    today = timezone.localdate()
    row = kpi.kpi_totals(district=district, start=today, end=today)
    return tuple(row._c(f) for f in FIELDS)


@pytest.fixture
def world(north):
    d = north.district
    a = north.department
    b = Department.objects.get(district=d, code="cgzf")
    b_user = member_factory(d, Role.DEPARTMENT, username="north-cgzf", department=b)
    g1, g2 = grid_factory(d, name="一号网格"), grid_factory(d, name="二号网格")
    return north, a, b, b_user, g1, g2


def _handle(persona, order, department, user, *, rating=None):
    d, c = persona.district, persona.people[Role.COMMITTEE]
    order = services.work_order_dispatch(actor=c, district=d, order=order, department=department)
    order = services.work_order_accept(actor=user, district=d, order=order)
    order = services.work_order_resolve(actor=user, district=d, order=order, note="已现场处置")
    if rating:
        order = services.work_order_rate(actor=order.reporter, district=d, order=order,
                                         rating=rating)
    return order


def test_each_event_counts_for_the_department_that_handled_it(world):
    north, a, b, b_user, g1, g2 = world
    d, a_user = north.district, north.people[Role.DEPARTMENT]
    x = order_factory(north, grid=g1)
    y = order_factory(north, grid=g1)
    z = order_factory(north, grid=g2)
    _handle(north, x, a, a_user, rating="unsatisfied")
    advance(north, y, "closed", rating="satisfied")
    services.work_order_dispatch(actor=north.people[Role.COMMITTEE], district=d, order=z,
                                 department=b)

    # X reopened, not yet re-dispatched: A keeps X and its 不满意; no 未派单 row.
    mid = table(d, "department")
    assert mid[a.name] == (2, 2, 2, 1, 2, 1, 1)
    assert mid[b.name] == (1, 1, 0, 0, 0, 0, 0)
    assert "未派单" not in mid

    _handle(north, x, b, b_user, rating="satisfied")
    by_department, by_grid = table(d, "department"), table(d, "grid")
    assert by_department == {a.name: (1, 2, 2, 1, 2, 1, 1), b.name: (2, 2, 1, 1, 1, 1, 0)}
    assert by_grid == {g1.name: (2, 3, 3, 2, 3, 2, 1), g2.name: (1, 1, 0, 0, 0, 0, 0)}
    assert totals(d) == (3, 4, 3, 2, 3, 2, 1)
    for rows in (by_department, by_grid):  # the same events, cut two ways
        assert tuple(map(sum, zip(*rows.values(), strict=True))) == totals(d)

    kept = counters(d)
    rollup.rebuild(district=d)
    assert counters(d) == kept


def test_an_excluded_unsatisfied_rating_is_excluded_for_the_department_that_earned_it(world):
    north, a, b, b_user, g1, _g2 = world
    d = north.district
    x = _handle(north, order_factory(north, grid=g1), a, north.people[Role.DEPARTMENT],
                rating="unsatisfied")
    services.rating_mark_unreasonable(actor=north.people[Role.COMMITTEE], district=d, order=x,
                                      reason="诉求与办理无关")
    _handle(north, x, b, b_user)
    rows = {r.label: r for r in kpi.kpi_by(district=d, dim="department",
                                           start=timezone.localdate(),
                                           end=timezone.localdate())}
    assert (rows[a.name].rated, rows[a.name].excluded, rows[a.name].counts["unsatisfied"]) == \
        (0, 1, 0)
    assert (rows[b.name].rated, rows[b.name].excluded, rows[b.name].dispatched) == (0, 0, 1)
    kept = counters(d)
    rollup.rebuild(district=d)
    assert counters(d) == kept
