"""The kinds of notification a person can set one by one (immediately, in-app only, daily
digest, off). Apps register theirs from their ``policies.py``, like audit actions:
``register_kinds({"workorders.progress": _("我反映或关注的问题有进展")})``. A send with an
unregistered kind counts as ``general``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

GENERAL = "general"
KINDS: dict[str, object] = {GENERAL: _("其他通知")}


def register_kinds(kinds: dict[str, object]) -> None:
    KINDS.update(kinds)


def kind_of(kind: str) -> str:
    return kind if kind in KINDS else GENERAL
