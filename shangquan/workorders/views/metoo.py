"""我也遇到 and the public map of reports (residents, phones)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangquan.core.errors import DomainError
from shangquan.core.selectors import district_get_public

from .. import metoo, metoo_reads, selectors


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


@require_POST
def metoo_view(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """Tap 我也遇到: sign in by phone first if needed, then join and follow the report."""
    district = district_get_public(code=code)
    order = selectors.work_order_by_number(district=district, number=number)
    track = reverse("workorders:track", kwargs={"code": district.code, "number": order.number})
    back = _back(request, track)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"code": "not_authenticated",
                                 "message": _("请先用手机号验证登录")}, status=401)
        return redirect(reverse("core:login_phone") + "?next=" + track)
    try:
        metoo.metoo_add(actor=request.user, district=district, order=order)
    except DomainError as exc:
        if wants_json:
            return JsonResponse({"code": exc.code, "message": str(exc.message)},
                                status=exc.status)
        messages.error(request, exc.message)
        return redirect(back)
    count = metoo_reads.metoo_counts(orders=[order]).get(order.pk, 0)
    text = _("已加入：您会收到这个问题的办理进度。共 %(n)s 位居民也遇到。") % {"n": count}
    if wants_json:
        return JsonResponse({"count": count, "message": text})
    messages.success(request, text)
    return redirect(back)
