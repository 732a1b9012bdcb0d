"""The rectification state machine (DESIGN section 5) as one declared table.

``services/rectifications.py`` moves orders only with ``RECTIFICATION.apply``; the detail
page's buttons ask ``policies.can``, which reads the same table through the object rules
in ``policies.py``; ``core/tests/test_state_machines.py`` compares it with the design.
"""

from __future__ import annotations

from shangquan.core.statemachine import StateMachine, Transition

from .models import Rectification

S = Rectification.Status

RECTIFICATION = StateMachine(
    "inspections.rectification",
    states=S.values,
    initial=S.ISSUED,
    transitions=[
        # the merchant answers with evidence; again after a rejection or while escalated
        Transition("submit", (S.ISSUED, S.REJECTED, S.ESCALATED), S.SUBMITTED),
        # an inspector decides on the evidence
        Transition("verify", S.SUBMITTED, S.VERIFIED),
        Transition("reject", S.SUBMITTED, S.REJECTED),
        # the periodic job: past the deadline and still the merchant's turn (督办)
        Transition("escalate", (S.ISSUED, S.REJECTED), S.ESCALATED),
    ],
)
