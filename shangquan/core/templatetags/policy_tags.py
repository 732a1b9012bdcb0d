"""``{% can "workorders.order.dispatch" order as may_dispatch %}``: the same question the
service asks (role, object rule, state), so a button shows exactly when a click works."""

from django import template

from shangquan.core import policies

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, target) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return False
    return policies.can(user, action, target)
