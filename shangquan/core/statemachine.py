"""State machines as declared transition tables.

Each machine of DESIGN section 5 is one :class:`StateMachine` in its app. Services move
objects with :meth:`StateMachine.apply`, which refuses an edge the table lacks; the
console's buttons ask :func:`shangquan.core.policies.can`, which reads the same table;
a test compares every table with the design. Nothing else lists allowed transitions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import InvalidTransition


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str

    def __init__(self, action: str, sources: Iterable[str] | str, target: str) -> None:
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources",
                           frozenset([sources] if isinstance(sources, str) else sources))
        object.__setattr__(self, "target", target)


class StateMachine:
    """A named table of ``action: sources → target`` over one state field."""

    def __init__(self, name: str, *, states: Iterable[str], initial: str | Iterable[str],
                 transitions: Iterable[Transition], field: str = "status") -> None:
        self.name = name
        self.field = field
        self.states = tuple(str(s) for s in states)
        self.initial = frozenset([initial] if isinstance(initial, str) else initial)
        self.transitions: dict[str, Transition] = {}
        for transition in transitions:
            if transition.action in self.transitions:
                raise ValueError(f"{name}: action {transition.action!r} declared twice")
            unknown = (transition.sources | {transition.target}) - set(self.states)
            if unknown:
                raise ValueError(f"{name}.{transition.action}: unknown states {unknown}")
            self.transitions[transition.action] = transition
        MACHINES[name] = self

    def __repr__(self) -> str:
        return f"<StateMachine {self.name}>"

    def allows(self, state: str, action: str) -> bool:
        transition = self.transitions.get(action)
        if transition is None:
            raise KeyError(f"{self.name}: unknown action {action!r}")
        return str(state) in transition.sources

    def target(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``; InvalidTransition otherwise."""
        if not self.allows(state, action):
            raise InvalidTransition(details={"machine": self.name, "state": str(state),
                                             "action": action})
        return self.transitions[action].target

    def state_of(self, obj: Any) -> str:
        return str(getattr(obj, self.field))

    def allows_on(self, obj: Any, action: str) -> bool:
        return self.allows(self.state_of(obj), action)

    def apply(self, obj: Any, action: str) -> str:
        """Move ``obj`` along ``action`` (in memory; the service saves). Returns the old state."""
        before = self.state_of(obj)
        setattr(obj, self.field, self.target(before, action))
        return before

    def actions_from(self, state: str) -> list[str]:
        return [a for a, t in self.transitions.items() if str(state) in t.sources]

    def edges(self) -> set[tuple[str, str]]:
        return {(source, t.target) for t in self.transitions.values() for source in t.sources}

    def as_rows(self) -> list[tuple[str, str, str]]:
        """(action, sources, target) for documentation pages."""
        return [(t.action, " | ".join(sorted(t.sources)), t.target)
                for t in self.transitions.values()]


MACHINES: dict[str, StateMachine] = {}
