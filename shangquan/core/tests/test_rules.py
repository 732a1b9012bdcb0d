"""Rules as data: the system actor, registered audit actions, @audited, transition tables,
and object-level policies shared by services and templates."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, system, user_of
from shangquan.core.audit import (
    ACTIONS,
    AuditMissing,
    UnknownAuditAction,
    audit_record,
    audited,
    register_actions,
)
from shangquan.core.errors import InvalidTransition, PermissionDenied
from shangquan.core.models import Department
from shangquan.core.roles import Role
from shangquan.core.statemachine import StateMachine, Transition

pytestmark = pytest.mark.django_db


def test_none_is_not_an_actor(north):
    with pytest.raises(TypeError):
        policies.require(None, "department.manage", north.district)
    with pytest.raises(TypeError):
        audit_record(actor=None, district=north.district, action="core.user.create")


def test_the_system_actor_may_act_and_is_named_in_the_audit(north):
    assert policies.can(SYSTEM, "department.manage", north.district)
    row = audit_record(actor=system("demo"), district=north.district, action="core.user.create")
    assert row.actor_id is None and row.actor_label == "system:demo"
    assert user_of(SYSTEM) is None
    assert user_of(north.people[Role.COMMITTEE]) == north.people[Role.COMMITTEE]


def test_audit_actions_are_registered_in_one_scheme(north):
    assert len(ACTIONS) > 50
    for name in ACTIONS:
        assert name.count(".") == 2, name
    with pytest.raises(ValueError):
        register_actions({"merchant_create": "x"})
    with pytest.raises(UnknownAuditAction):
        audit_record(actor=SYSTEM, district=north.district, action="core.nothing.happened")


@audited("core.department.create")
def _writes_with_audit(*, district):
    department = Department.objects.create(district=district, code="t1", name="测试一")
    audit_record(actor=SYSTEM, district=district, obj=department,
                 action="core.department.create")
    return department


@audited("core.department.create")
def _writes_without_audit(*, district):
    return Department.objects.create(district=district, code="t2", name="测试二")


@audited("core.department.create")
def _reads_only(*, district):
    return Department.objects.filter(district=district).count()


def test_a_service_that_changes_state_without_its_audit_action_fails(north):
    assert _writes_with_audit(district=north.district).pk
    assert _reads_only(district=north.district) >= 1
    with pytest.raises(AuditMissing):
        _writes_without_audit(district=north.district)


def test_nested_services_each_need_their_own_action(north):
    @audited("core.membership.grant")
    def outer(*, district):
        return _writes_with_audit(district=district)  # writes only the inner's action

    with pytest.raises(AuditMissing):
        outer(district=north.district)


MACHINE = StateMachine("test.door", states=["shut", "open", "locked"], initial="shut",
                       transitions=[Transition("open", "shut", "open"),
                                    Transition("close", "open", "shut"),
                                    Transition("lock", "shut", "locked")])


class Door:
    def __init__(self, district, status="shut"):
        self.district, self.status = district, status


def test_transition_table_moves_and_refuses():
    door = Door(None)
    assert MACHINE.actions_from("shut") == ["open", "lock"]
    assert MACHINE.apply(door, "open") == "shut" and door.status == "open"
    with pytest.raises(InvalidTransition):
        MACHINE.apply(door, "lock")
    assert MACHINE.edges() == {("shut", "open"), ("open", "shut"), ("shut", "locked")}
    with pytest.raises(ValueError):
        StateMachine("test.bad", states=["a"], initial="a", transitions=[Transition("x", "a", "b")])


def test_object_rules_and_states_are_what_can_and_require_share(north):
    policies.register({"test.door_open": {Role.COMMITTEE, Role.DEPARTMENT}})
    policies.rule("test.door_open", check=lambda user, door: door.status != "locked"
                  and policies.has_role(user, door.district, Role.COMMITTEE),
                  machine=MACHINE, transition="open")
    committee, department = north.people[Role.COMMITTEE], north.people[Role.DEPARTMENT]
    door = Door(north.district)
    assert policies.can(committee, "test.door_open", door)
    assert not policies.can(department, "test.door_open", door)  # object rule
    with pytest.raises(PermissionDenied):
        policies.require(department, "test.door_open", door)
    door.status = "open"
    assert not policies.can(committee, "test.door_open", door)  # no such transition
    with pytest.raises(InvalidTransition):
        policies.require(committee, "test.door_open", door)
    door.status = "shut"
    html = Template('{% load policy_tags %}{% can "test.door_open" door as may %}'
                    '{% if may %}yes{% else %}no{% endif %}')
    assert html.render(Context({"door": door, "request": type("R", (), {
        "user": committee})()})) == "yes"
    assert html.render(Context({"door": door, "request": type("R", (), {
        "user": department})()})) == "no"
