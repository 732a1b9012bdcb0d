"""Entry control per crowd zone (DESIGN section 5) as one declared table.

``rules.control_for`` picks the next control by hysteresis (pure, no database);
``services`` applies it, and staff overrides, only through :data:`ENTRY_CONTROL`, one
action per edge, so a jump the table lacks raises ``InvalidTransition``.
``core/tests/test_state_machines.py`` compares the edges with the design.
"""

from __future__ import annotations

from typing import Any

from shangquan.core.errors import InvalidTransition
from shangquan.core.statemachine import StateMachine, Transition

from .models import Control

ENTRY_CONTROL = StateMachine(
    "crowd.entry_control",
    field="control",
    states=Control.values,
    initial=Control.OPEN,
    transitions=[
        # open ⇄ limited ⇄ closed, each step at its own threshold (hysteresis)
        Transition("limit", Control.OPEN, Control.LIMITED),
        Transition("close", Control.LIMITED, Control.CLOSED),
        Transition("ease", Control.CLOSED, Control.LIMITED),
        Transition("open", Control.LIMITED, Control.OPEN),
        # a surge past close_at, or a density above the unstable bound, between two
        # evaluations: entry stops at once rather than one threshold later
        Transition("close_at_once", Control.OPEN, Control.CLOSED),
        # a closed zone whose occupancy is already below open_below (an evening reset,
        # a head count, a large exit batch) opens at once
        Transition("open_at_once", Control.CLOSED, Control.OPEN),
    ],
)


def control_action(before: str, after: str) -> str:
    """The one action of ENTRY_CONTROL from ``before`` to ``after``."""
    for action, transition in ENTRY_CONTROL.transitions.items():
        if str(before) in transition.sources and transition.target == str(after):
            return action
    raise InvalidTransition(details={"machine": ENTRY_CONTROL.name, "state": str(before),
                                     "target": str(after)})


def control_move(zone: Any, to: str) -> str:
    """Move ``zone.control`` to ``to`` along the table (in memory). Returns the old state."""
    return ENTRY_CONTROL.apply(zone, control_action(zone.control, to))
