"""Who acts when no person does: timers, the demo loader, imports run by commands.

Services take ``actor`` as a required keyword. A person is a ``User``; an anonymous web
visitor is ``AnonymousUser``; the platform itself is :data:`SYSTEM`. ``None`` is not an
actor: passing it raises, so a forgotten actor can never skip a permission check.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own behalf (periodic jobs, demo data, migrations)."""

    reason: str = "system"

    is_authenticated = False
    is_anonymous = False
    is_superuser = False
    is_staff = False
    is_active = True
    pk = None
    id = None

    def get_username(self) -> str:
        return "system" if self.reason == "system" else f"system:{self.reason}"

    def __str__(self) -> str:
        return self.get_username()


SYSTEM = SystemActor()


def system(reason: str) -> SystemActor:
    """A system actor that says why it acts (``system("demo")``, ``system("timer")``)."""
    return SystemActor(reason=reason)


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def user_of(actor: object):
    """The person behind ``actor`` for a ``*_by`` foreign key: a User, or None for the
    platform itself and anonymous visitors."""
    return actor if getattr(actor, "is_authenticated", False) else None
