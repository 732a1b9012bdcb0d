"""Console home cards: overdue suggestions and votes in progress (two cheap counts)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import Convention, Suggestion


def cards(user, district) -> list[dict]:
    if not policies.can(user, "deliberation.view", district):
        return []
    overdue = Suggestion.objects.filter(district=district, status__in=Suggestion.OPEN,
                                        answer_due__lt=timezone.localdate()).count()
    voting = Convention.objects.filter(district=district, status=Convention.Status.VOTING).count()
    return [
        {"label": _("逾期未答复建议"), "value": overdue, "tone": "danger" if overdue else "ok",
         "url": reverse("deliberation:suggestions", kwargs={"code": district.code}) + "?overdue=1"},
        {"label": _("表决中的公约"), "value": voting, "tone": "ok",
         "url": reverse("deliberation:conventions", kwargs={"code": district.code})},
    ]
