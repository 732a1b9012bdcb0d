from functools import cache

from django.conf import settings

from .navigation import items_for, menu_html
from .policies import roles_of
from .roles import Role


def shell(request):
    """What every page's shell needs: the current district and its console menu.

    The menu and the unread count are computed only if the page shows them (a template
    variable that names a callable calls it), once per request: the count is a query
    that only the console home displays.
    """
    district = getattr(request, "district", None)
    context = {"site_name": "商圈共治", "current_district": district,
               "LANGUAGES": settings.LANGUAGES}
    user = getattr(request, "user", None)
    if district is not None and user is not None and user.is_authenticated:

        @cache
        def console_nav() -> list[dict]:
            return items_for(user, district)

        @cache
        def console_nav_html():
            return menu_html(user, district, request.path)

        @cache
        def current_roles() -> list:
            return [Role(r).label for r in sorted(roles_of(user, district))]

        @cache
        def unread_count() -> int:
            return user.notifications.filter(district=district, read_at__isnull=True).count()

        context.update(console_nav=console_nav, console_nav_html=console_nav_html,
                       current_roles=current_roles, unread_count=unread_count)
    return context
