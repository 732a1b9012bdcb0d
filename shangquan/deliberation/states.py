"""The deliberation state machines (DESIGN section 5) as declared tables.

Suggestion: ``submitted → reviewing → accepted | merged | declined``.
Convention: ``draft → comment → voting → adopted | rejected → in force → revised | repealed``.
"""

from __future__ import annotations

from shangquan.core.statemachine import StateMachine, Transition

from .models import Convention, Suggestion

S = Suggestion.Status
SUGGESTION = StateMachine(
    "deliberation.suggestion",
    states=S.values,
    initial=S.SUBMITTED,
    transitions=[
        Transition("review", S.SUBMITTED, S.REVIEWING),
        Transition("accept", S.REVIEWING, S.ACCEPTED),
        Transition("merge", S.REVIEWING, S.MERGED),
        Transition("decline", S.REVIEWING, S.DECLINED),
    ],
)

C = Convention.Status
CONVENTION = StateMachine(
    "deliberation.convention",
    states=C.values,
    initial=C.DRAFT,
    transitions=[
        Transition("open_comment", C.DRAFT, C.COMMENT),
        Transition("open_voting", C.COMMENT, C.VOTING),
        Transition("adopt", C.VOTING, C.ADOPTED),
        Transition("reject", C.VOTING, C.REJECTED),
        Transition("enact", C.ADOPTED, C.IN_FORCE),
        Transition("revise", C.IN_FORCE, C.REVISED),
        Transition("repeal", C.IN_FORCE, C.REPEALED),
    ],
)
