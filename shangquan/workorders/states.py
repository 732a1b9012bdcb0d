"""The work-order state machine (DESIGN section 5) as one declared table.

Services move orders only with ``WORK_ORDER.apply``; the console's buttons ask
``policies.can``, which reads the same table through the object rules in ``policies.py``;
``core/tests/test_state_machines.py`` compares the edges with the design. This module
imports nothing but the model's status names, so models, services and policies may all
import it.
"""

from __future__ import annotations

from shangquan.core.statemachine import StateMachine, Transition

from .models import Status

S = Status

WORK_ORDER = StateMachine(
    "workorders.order",
    states=Status.values,
    initial=S.SUBMITTED,
    transitions=[
        # 派单: a new order, or one reopened by an unsatisfied rating
        Transition("dispatch", (S.SUBMITTED, S.REOPENED), S.DISPATCHED),
        # the assigned department (object rule ``is_handler``)
        Transition("accept", S.DISPATCHED, S.ACCEPTED),
        Transition("return", S.DISPATCHED, S.SUBMITTED),  # 退回 with a reason
        Transition("resolve", S.ACCEPTED, S.RESOLVED),
        # 评单 by the reporter: 满意 / 基本满意 close, 不满意 reopens. The rating form
        # offers both, so they leave from the same states (the test holds that).
        Transition("rate_satisfied", S.RESOLVED, S.CLOSED),
        Transition("rate_unsatisfied", S.RESOLVED, S.REOPENED),
        # the rating window passed without a rating (periodic job)
        Transition("auto_close", S.RESOLVED, S.CLOSED),
        # 不予受理: also for a reopened order the committee finds out of scope
        Transition("reject", (S.SUBMITTED, S.REOPENED), S.REJECTED),
        Transition("merge", S.SUBMITTED, S.MERGED),
    ],
)


def is_ended(order) -> bool:
    """No transition leaves the order's state (closed, rejected, merged)."""
    return not WORK_ORDER.actions_from(WORK_ORDER.state_of(order))
