"""Redemption (DESIGN section 5): ``reserved → fulfilled | expired | cancelled``."""

from __future__ import annotations

from shangquan.core.statemachine import StateMachine, Transition

from .models import Redemption

S = Redemption.Status

REDEMPTION = StateMachine(
    "points.redemption",
    states=S.values,
    initial=S.RESERVED,
    transitions=[
        # the merchant or station staff types or scans the one-time code
        Transition("fulfil", S.RESERVED, S.FULFILLED),
        # the pickup window ran out: points and stock are released
        Transition("expire", S.RESERVED, S.EXPIRED),
        # the person (or staff) cancels before fulfilment: a reversal
        Transition("cancel", S.RESERVED, S.CANCELLED),
    ],
)
