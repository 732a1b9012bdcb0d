"""The merchant's public page: grade with its face, sub-scores, flag, titles, the last four
periods, the merchant's reply, 复评中; and the residents' star form while scoring is open."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Period
from .selectors import merchant_public_rating


def sections(merchant) -> list[dict]:
    rating = merchant_public_rating(merchant=merchant)
    scoring = Period.objects.filter(district_id=merchant.district_id,
                                    status=Period.Status.SCORING).order_by("-starts_on").first()
    if rating is None and scoring is None:
        return []
    return [{"order": 20, "title": _("文明诚信评比"), "template": "ratings/_merchant_section.html",
             "context": {"rating": rating, "scoring": scoring}}]
