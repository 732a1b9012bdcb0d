"""The booking machine (DESIGN section 5): booked → arrived → done, booked → no_show,
waitlisted → booked, cancelled."""

from __future__ import annotations

from shangquan.core.statemachine import StateMachine, Transition

from .models import Booking

B = Booking.Status

BOOKING = StateMachine(
    "stations.booking",
    field="status",
    states=B.values,
    initial=[B.BOOKED, B.WAITLISTED],
    transitions=[
        Transition("arrive", B.BOOKED, B.ARRIVED),
        Transition("finish", B.ARRIVED, B.DONE),
        Transition("no_show", B.BOOKED, B.NO_SHOW),
        Transition("promote", B.WAITLISTED, B.BOOKED),
        Transition("cancel", [B.BOOKED, B.WAITLISTED], B.CANCELLED),
    ],
)
