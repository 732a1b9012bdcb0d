"""Event and registration machines (DESIGN section 5)."""

from __future__ import annotations

from shangquan.core.statemachine import StateMachine, Transition

from .models import Contest, Event, Registration

E = Event.Status
R = Registration.Status

EVENT = StateMachine(
    "activities.event",
    states=E.values,
    initial=E.DRAFT,
    transitions=[
        Transition("publish", E.DRAFT, E.PUBLISHED),
        Transition("close", E.PUBLISHED, E.CLOSED),  # sign-up closed
        Transition("finish", E.CLOSED, E.DONE),
        Transition("archive", E.DONE, E.ARCHIVED),
    ],
)

REGISTRATION = StateMachine(
    "activities.registration",
    states=R.values,
    initial=[R.REGISTERED, R.WAITLISTED],
    transitions=[
        Transition("promote", R.WAITLISTED, R.REGISTERED),  # a place came free
        Transition("attend", R.REGISTERED, R.ATTENDED),  # hours confirmed
        Transition("absent", R.REGISTERED, R.NO_SHOW),
        Transition("cancel", [R.REGISTERED, R.WAITLISTED], R.CANCELLED),
    ],
)

C = Contest.Status

CONTEST = StateMachine(
    "activities.contest",
    states=C.values,
    initial=C.OPEN,
    transitions=[
        Transition("judge", C.OPEN, C.JUDGING),  # entries closed, judges score
        Transition("publish", C.JUDGING, C.PUBLISHED),  # results frozen and shown
    ],
)
