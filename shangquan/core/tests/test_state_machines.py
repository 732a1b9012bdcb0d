"""The declared transition tables against DESIGN section 5, and the buttons against them.

Each machine's edges are compared with the design's, copied below as data: every edge
the design draws must be in the table, and every edge the table has beyond it is listed
here with the reason it exists. The console pages must then show exactly the buttons
the table and the policies allow, and each shown button must work.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shangquan.core import policies
from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.errors import InvalidTransition, PermissionDenied
from shangquan.core.roles import Role
from shangquan.core.statemachine import MACHINES
from shangquan.core.tests.factories import PASSWORD, department_factory, member_factory
from shangquan.crowd.states import ENTRY_CONTROL, control_action
from shangquan.inspections import services as inspections
from shangquan.inspections.models import Rectification
from shangquan.inspections.states import RECTIFICATION
from shangquan.inspections.tests.factories import merchant_factory, photo
from shangquan.workorders import services as workorders
from shangquan.workorders.models import Status, WorkOrder
from shangquan.workorders.policies import TRANSITION_ACTIONS
from shangquan.workorders.states import WORK_ORDER
from shangquan.workorders.tests.factories import advance, order_factory

# --- DESIGN section 5, as data ------------------------------------------------------------
# "Work order: submitted → dispatched → accepted → resolved → closed; dispatched →
# submitted (returned with reason); submitted → rejected | merged; resolved → reopened →
# dispatched on an unsatisfied rating; resolved → closed after a rating or after the
# rating window."
# "Rectification: issued → submitted (merchant evidence) → verified | rejected → …,
# overdue → escalated."
# "Entry control per crowd zone: open ⇄ limited ⇄ closed with hysteresis."
DESIGN = {
    "workorders.order": {
        "states": {"submitted", "dispatched", "accepted", "resolved", "reopened", "closed",
                   "rejected", "merged"},
        "edges": {
            ("submitted", "dispatched"), ("dispatched", "accepted"), ("accepted", "resolved"),
            ("resolved", "closed"), ("dispatched", "submitted"), ("submitted", "rejected"),
            ("submitted", "merged"), ("resolved", "reopened"), ("reopened", "dispatched"),
        },
    },
    "inspections.rectification": {
        "states": {"issued", "submitted", "verified", "rejected", "escalated"},
        "edges": {
            ("issued", "submitted"), ("submitted", "verified"), ("submitted", "rejected"),
            # "rejected → …": a rejected order goes round again with new evidence
            ("rejected", "submitted"),
            # "overdue → escalated": overdue while it is the merchant's turn
            ("issued", "escalated"), ("rejected", "escalated"),
        },
    },
    "crowd.entry_control": {
        "states": {"open", "limited", "closed"},
        "edges": {("open", "limited"), ("limited", "open"), ("limited", "closed"),
                  ("closed", "limited")},
    },
    # "Redemption: reserved → fulfilled | expired | cancelled."
    "points.redemption": {
        "states": {"reserved", "fulfilled", "expired", "cancelled"},
        "edges": {("reserved", "fulfilled"), ("reserved", "expired"), ("reserved", "cancelled")},
    },
    # "Event: draft → published → closed → done → archived."
    "activities.event": {
        "states": {"draft", "published", "closed", "done", "archived"},
        "edges": {("draft", "published"), ("published", "closed"), ("closed", "done"),
                  ("done", "archived")},
    },
    # "Booking: booked → arrived → done | no_show, waitlisted → booked, cancelled."
    "stations.booking": {
        "states": {"booked", "waitlisted", "arrived", "done", "no_show", "cancelled"},
        "edges": {("booked", "arrived"), ("arrived", "done"), ("booked", "no_show"),
                  ("waitlisted", "booked"), ("booked", "cancelled"),
                  ("waitlisted", "cancelled")},
    },
}

# Edges the tables have that the design does not draw, each with why the code needs it.
EXTRA = {
    "workorders.order": {
        ("reopened", "rejected"): "a reopened order the committee finds out of scope is "
                                  "rejected instead of dispatched again (work_order_reject)",
    },
    "inspections.rectification": {
        ("escalated", "submitted"): "escalation (督办) does not end the merchant's turn: "
                                    "evidence is still accepted and verified as usual",
    },
    "crowd.entry_control": {
        ("open", "closed"): "a surge past close_at or a density above the unstable bound "
                            "between two readings stops entry at once (rules.control_for); "
                            "staff may also close an open zone by override",
        ("closed", "open"): "a zone whose occupancy is already below open_below (evening "
                            "reset, head count, large exit batch) opens at once; "
                            "tests/test_rules.py test_closed_zone_can_drop_straight_to_open",
    },
    "points.redemption": {},
    "activities.event": {},
    "stations.booking": {},
}


@pytest.mark.parametrize("name", sorted(DESIGN))
def test_each_table_draws_the_design_and_names_its_extra_edges(name):
    machine = MACHINES[name]
    assert set(machine.states) == DESIGN[name]["states"]
    edges = machine.edges()
    assert DESIGN[name]["edges"] - edges == set(), "design edges missing from the table"
    assert edges - DESIGN[name]["edges"] == set(EXTRA[name]), "extra edges without a reason"
    # every state is reachable from the initial one
    reached, frontier = set(machine.initial), list(machine.initial)
    while frontier:
        state = frontier.pop()
        for action in machine.actions_from(state):
            target = machine.transitions[action].target
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(machine.states)


def test_the_machines_are_the_ones_the_apps_use():
    assert MACHINES["workorders.order"] is WORK_ORDER
    assert MACHINES["inspections.rectification"] is RECTIFICATION
    assert MACHINES["crowd.entry_control"] is ENTRY_CONTROL
    # the rating form offers both outcomes, so both leave from the same states
    transitions = WORK_ORDER.transitions
    assert transitions["rate_satisfied"].sources == transitions["rate_unsatisfied"].sources
    # every transition a person performs has its policy action, and the policy rule
    # reads this table
    for transition, action in TRANSITION_ACTIONS.items():
        assert transition in transitions and action in policies.REGISTRY
        assert policies.OBJECT_RULES[action].machine is WORK_ORDER


def test_entry_control_has_one_action_per_edge_and_refuses_a_stay():
    for before, after in ENTRY_CONTROL.edges():
        action = control_action(before, after)
        assert ENTRY_CONTROL.transitions[action].target == after
    with pytest.raises(InvalidTransition):
        control_action("open", "open")


# --- the work-order console follows the table ---------------------------------------------
def _login(client, user):
    client.logout()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def _order_in(north, status: str) -> WorkOrder:
    committee = north.people[Role.COMMITTEE]
    order = order_factory(north)
    if status in ("dispatched", "accepted", "resolved", "closed"):
        return advance(north, order, status)
    if status == "reopened":
        return advance(north, order, "closed", rating="unsatisfied")
    if status == "rejected":
        return workorders.work_order_reject(actor=committee, district=north.district,
                                            order=order, reason="不属于商圈管理范围")
    if status == "merged":
        return workorders.work_order_merge(actor=committee, district=north.district,
                                           order=order, into=order_factory(north),
                                           reason="同一问题重复反映")
    return order


ACT = re.compile(r'action="/console/[^"]+/workorders/\d+/(\w+)/"')


def _buttons(client, order: WorkOrder) -> set[str]:
    page = client.get(reverse("workorders:detail", kwargs={"code": order.district.code,
                                                           "pk": order.pk}))
    assert page.status_code == 200
    return set(ACT.findall(page.content.decode()))


def _forms_by_table(role: str, status: str) -> set[str]:
    """The transition forms DESIGN's table and the role table allow (rating is public)."""
    return {t for t, action in TRANSITION_ACTIONS.items()
            if not t.startswith("rate_") and WORK_ORDER.allows(status, t)
            and role in policies.REGISTRY[action]}


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
def test_committee_sees_exactly_the_buttons_the_table_allows(north, client, status):
    order = _order_in(north, status)
    assert order.status == status
    buttons = _buttons(_login(client, north.people[Role.COMMITTEE]), order)
    transitions = buttons & set(TRANSITION_ACTIONS)
    assert transitions == _forms_by_table(Role.COMMITTEE, status)
    ended = not WORK_ORDER.actions_from(status)
    assert ("escalate" in buttons) is not ended
    assert ("follow_up" in buttons) is (status == Status.CLOSED)
    # each button shown is a click the service accepts
    for transition in sorted(transitions):
        data = {"department": north.department.pk, "reason": "理由充分", "note": "说明"}
        if transition == "merge":
            data["into"] = order_factory(north).number
        r = client.post(reverse("workorders:act", kwargs={
            "code": north.district.code, "pk": order.pk, "action": transition}), data)
        assert r.status_code == 302, (transition, r.status_code)
        order.refresh_from_db()
        assert order.status == WORK_ORDER.transitions[transition].target
        break  # one move changes the state; the other buttons were checked above


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["dispatched", "accepted"])
def test_only_the_handling_department_sees_accept_return_resolve(north, client, status):
    order = _order_in(north, status)
    handler = _buttons(_login(client, north.people[Role.DEPARTMENT]), order)
    assert handler & set(TRANSITION_ACTIONS) == _forms_by_table(Role.DEPARTMENT, status)
    assert handler & {"accept", "return", "resolve"}
    # A department user of another department who may still read the order (she also
    # works for the street): the role passes, the handler rule does not.
    other_dept = department_factory(north.district, "xf", "消防救援")
    outsider = member_factory(north.district, Role.DEPARTMENT, department=other_dept)
    core_services.membership_grant(actor=SYSTEM, district=north.district, user=outsider,
                                       role=Role.STREET)
    policies.forget_memberships(outsider)
    seen = _buttons(_login(client, outsider), order)
    assert not seen & {"accept", "return", "resolve"}
    assert "escalate" not in seen  # may_whistle: neither committee nor handler
    assert not policies.can(outsider, "workorders.accept", order)
    action = "accept" if status == "dispatched" else "resolve"
    r = client.post(reverse("workorders:act", kwargs={
        "code": north.district.code, "pk": order.pk, "action": action}), {"note": "已处理"})
    assert r.status_code == 403
    order.refresh_from_db()
    assert order.status == status


@pytest.mark.django_db
def test_a_refused_transition_uses_the_table_and_keeps_its_error_codes(north):
    order = _order_in(north, "closed")
    with pytest.raises(InvalidTransition) as refused:
        workorders.work_order_dispatch(actor=north.people[Role.COMMITTEE],
                                       district=north.district, order=order,
                                       department=north.department)
    assert refused.value.details == {"machine": "workorders.order", "state": "closed",
                                     "action": "dispatch"}
    dispatched = _order_in(north, "dispatched")
    other_dept = department_factory(north.district, "xf", "消防救援")
    outsider = member_factory(north.district, Role.DEPARTMENT, department=other_dept)
    with pytest.raises(PermissionDenied) as denied:
        workorders.work_order_accept(actor=outsider, district=north.district,
                                     order=dispatched)
    assert denied.value.code == "not_assigned"
    resolved = _order_in(north, "resolved")
    with pytest.raises(PermissionDenied) as denied:
        workorders.work_order_rate(actor=north.people[Role.COMMITTEE],
                                   district=north.district, order=resolved, rating="basic")
    assert denied.value.code == "not_reporter"
    # 不满意 takes the table's rate_unsatisfied edge, and audits as the one "rate" action
    reopened = workorders.work_order_rate(actor=resolved.reporter, district=north.district,
                                          order=resolved, rating="unsatisfied")
    assert reopened.status == WORK_ORDER.transitions["rate_unsatisfied"].target
    assert list(reopened.events.values_list("action", flat=True))[-1] == "rate"


# --- the rectification page follows the table ---------------------------------------------
def _rectification_in(north, shop, status: str) -> Rectification:
    inspector, owner = north.people[Role.DEPARTMENT], north.people[Role.MERCHANT]
    order = inspections.rectification_issue(actor=inspector, district=north.district,
                                            merchant=shop, title="灭火器压力不足",
                                            severity="general", source="inspection")
    if status == "escalated":
        past = timezone.now() - dt.timedelta(days=30)
        Rectification.objects.filter(pk=order.pk).update(issued_at=past,
                                                         deadline=past + dt.timedelta(days=1))
        assert inspections.rectification_escalate_overdue(district=north.district) == 1
    if status in ("submitted", "verified", "rejected"):
        inspections.rectification_evidence_submit(actor=owner, district=north.district,
                                                  rectification=order, note="已更换灭火器",
                                                  photos=[photo()])
    if status == "verified":
        inspections.rectification_verify(actor=inspector, district=north.district,
                                          rectification=order)
    if status == "rejected":
        inspections.rectification_reject(actor=inspector, district=north.district,
                                          rectification=order, note="照片不清晰")
    order.refresh_from_db()
    return order


RECT_ACTION = re.compile(r'name="action" value="(\w+)"')
FORM_OF = {"evidence": "submit", "verify": "verify", "reject": "reject"}


@pytest.mark.django_db
@pytest.mark.parametrize("status", Rectification.Status.values)
def test_rectification_buttons_follow_the_table(north, client, status):
    shop = merchant_factory(north.district, owner=north.people[Role.MERCHANT])
    order = _rectification_in(north, shop, status)
    assert order.status == status
    url = reverse("inspections:rectification", kwargs={"code": north.district.code,
                                                       "rectification_id": order.pk})
    seen = {}
    for role in (Role.DEPARTMENT, Role.MERCHANT):
        page = _login(client, north.people[role]).get(url)
        assert page.status_code == 200
        seen[role] = {FORM_OF[a] for a in RECT_ACTION.findall(page.content.decode())
                      if a in FORM_OF}
    assert seen[Role.DEPARTMENT] == {t for t in ("verify", "reject")
                                     if RECTIFICATION.allows(status, t)}
    assert seen[Role.MERCHANT] == ({"submit"} if RECTIFICATION.allows(status, "submit")
                                   else set())
