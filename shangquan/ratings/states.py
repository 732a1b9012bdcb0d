"""The ratings state machines (DESIGN section 5) as declared tables.

Period: draft → scoring → provisional → published → archived.
Title: candidate → listed → warned → delisted (relisting after a good period).
Appeal: pending → upheld | dismissed.
Services move rows only with ``.apply``; console buttons ask ``policies.can``, which reads
the same tables through the object rules in ``policies.py``.
"""

from __future__ import annotations

from shangquan.core.statemachine import StateMachine, Transition

from .models import Appeal, Period, Title

P, T, A = Period.Status, Title.Status, Appeal.Status

PERIOD = StateMachine(
    "ratings.period",
    states=P.values,
    initial=P.DRAFT,
    transitions=[
        Transition("open", P.DRAFT, P.SCORING),
        # compute every merchant's result and show it to the merchants (公示)
        Transition("close", P.SCORING, P.PROVISIONAL),
        Transition("publish", P.PROVISIONAL, P.PUBLISHED),
        Transition("archive", P.PUBLISHED, P.ARCHIVED),
    ],
)

TITLE = StateMachine(
    "ratings.title",
    states=T.values,
    initial=T.CANDIDATE,
    transitions=[
        Transition("list", T.CANDIDATE, T.LISTED),
        Transition("warn", T.LISTED, T.WARNED),
        # fixed before the deadline
        Transition("clear", T.WARNED, T.LISTED),
        # 优进绌退: by rule (annual grade, complaints, a failed re-weigh) or by hand;
        # a listed title can lose its plaque at once (a failed re-weigh needs no warning)
        Transition("delist", (T.LISTED, T.WARNED), T.DELISTED),
        # after a period at 良好 or better
        Transition("relist", T.DELISTED, T.LISTED),
    ],
)

APPEAL = StateMachine(
    "ratings.appeal",
    states=A.values,
    initial=A.PENDING,
    transitions=[
        Transition("uphold", A.PENDING, A.UPHELD),
        Transition("dismiss", A.PENDING, A.DISMISSED),
    ],
)
