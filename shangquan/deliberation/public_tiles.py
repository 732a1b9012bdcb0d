"""Tiles on the public district home /d/<code>/: suggestions, open votes and surveys."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Announcement, Convention, Survey


def tiles(district: Any, user: Any) -> list[dict]:
    code = district.code
    out = [{"order": 50, "title": _("商情民意直通车 · 提建议"),
            "url": reverse("deliberation:suggestions_public", args=[code]),
            "text": _("提出建议，15 个工作日内公开答复")}]
    latest = Announcement.objects.filter(district=district).order_by("-published_at").first()
    if latest is not None:
        out.append({"order": 53, "title": _("公告宣传"),
                    "url": reverse("deliberation:announcements_public", args=[code]),
                    "text": latest.title})
    for c in Convention.objects.filter(district=district, status__in=[
            Convention.Status.COMMENT, Convention.Status.VOTING, Convention.Status.IN_FORCE
    ]).order_by("-created_at")[:3]:
        out.append({"order": 51, "title": _("公约：%(t)s") % {"t": c.title},
                    "url": reverse("deliberation:convention_public", args=[code, c.pk]),
                    "text": str(c.get_status_display())})
    for s in Survey.objects.filter(district=district, status=Survey.Status.OPEN)[:2]:
        out.append({"order": 52, "title": _("问卷：%(t)s") % {"t": s.title},
                    "url": reverse("deliberation:survey_public", args=[code, s.pk]),
                    "text": _("参与问卷调查")})
    return out
