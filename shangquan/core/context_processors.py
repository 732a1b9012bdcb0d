from django.conf import settings

from .navigation import items_for
from .policies import roles_of
from .roles import Role


def shell(request):
    """What every page's shell needs: the current district and its console menu."""
    district = getattr(request, "district", None)
    context = {"site_name": "商圈共治", "current_district": district,
               "LANGUAGES": settings.LANGUAGES}
    user = getattr(request, "user", None)
    if district is not None and user is not None and user.is_authenticated:
        context["console_nav"] = items_for(user, district)
        context["current_roles"] = [Role(r).label for r in sorted(roles_of(user, district))]
        context["unread_count"] = user.notifications.filter(district=district,
                                                            read_at__isnull=True).count()
    return context
