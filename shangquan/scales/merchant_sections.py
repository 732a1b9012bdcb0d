"""The merchant's public page: recent spot-check results (date, type, pass) — no names."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .selectors import merchant_public_checks


def sections(merchant) -> list[dict]:
    checks = merchant_public_checks(merchant=merchant, limit=8)
    if not checks:
        return []
    return [{"order": 40, "title": _("计量器具查验"), "template": "scales/_merchant_section.html",
             "context": {"scale_checks": checks}}]
