"""Public pages: the honour board (光荣榜) and the residents' stars from the QR page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from shangquan.core.errors import DomainError
from shangquan.core.selectors import district_get_public
from shangquan.merchants.selectors import merchant_get_public

from .. import selectors, services
from ..models import Period


def honour_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    return render(request, "ratings/honour.html", {
        "district": district, **selectors.honour_board(district=district)})


@require_http_methods(["GET", "POST"])
def resident_score_view(request: HttpRequest, token: str) -> HttpResponse:
    """A resident who dealt with the shop gives 1–5 stars, once per period (verified phone)."""
    merchant = merchant_get_public(token=token)
    period = (Period.objects.filter(district_id=merchant.district_id, status=Period.Status.SCORING)
              .order_by("-starts_on").first())
    login_url = reverse("core:login_phone") + "?" + urlencode({"next": request.get_full_path()})
    error, done = None, False
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(login_url)
        try:
            services.resident_score_record(actor=request.user, merchant=merchant,
                                           stars=request.POST.get("stars", ""))
        except DomainError as exc:
            error = exc
        else:
            done = True
    return render(request, "ratings/resident_score.html", {
        "merchant": merchant, "district": merchant.district, "period": period,
        "error": error, "done": done, "login_url": login_url,
        "public_url": reverse("merchants:public_page", kwargs={"token": merchant.public_token}),
        "stars": range(1, 6),
    }, status=409 if error is not None and getattr(error, "status", 400) == 409 else
        (422 if error is not None else 200))
