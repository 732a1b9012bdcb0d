"""The public merchant page's inspection section: date, result, open findings. No people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .selectors import merchant_latest_outcome


def sections(merchant) -> list[dict]:
    outcome = merchant_latest_outcome(merchant)
    return [{"order": 40, "title": _("安全检查"),
             "template": "inspections/_public_section.html",
             "context": {"outcome": outcome}}]
