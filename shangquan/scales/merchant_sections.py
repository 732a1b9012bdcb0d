"""The merchant's public page: each scale's current state first (in use or suspended,
certificate valid or expired), then recent spot-check results (date, type, pass) — no names."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .selectors import merchant_public_checks, merchant_public_scales


def sections(merchant) -> list[dict]:
    scales = merchant_public_scales(merchant=merchant)
    checks = merchant_public_checks(merchant=merchant, limit=8)
    if not scales and not checks:
        return []
    return [{"order": 40, "title": _("计量器具查验"), "template": "scales/_merchant_section.html",
             "context": {"scales_now": scales, "scale_checks": checks,
                         "scales_unusable": sum(1 for s in scales if not s["usable"])}}]
