"""Public page: a mobile party member checks in at a liaison station from a phone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from shangquan.core.errors import DomainError

from .. import selectors, services


@require_http_methods(["GET", "POST"])
def check_in_view(request: HttpRequest, token: str) -> HttpResponse:
    station = selectors.station_get_public(token=token)
    context: dict = {"station": station, "form": request.POST}
    if request.method == "POST":
        try:
            record = services.check_in(request=request, station=station,
                                       name=request.POST.get("name", ""),
                                       phone=request.POST.get("phone", ""),
                                       home_unit=request.POST.get("home_unit", ""))
        except DomainError as exc:
            context["error"] = exc
            return render(request, "org/check_in.html", context, status=exc.status)
        # The name as typed, and the count only for the member themself (services.check_in).
        return render(request, "org/check_in_done.html",
                      {"station": station, "record": record,
                       "name": request.POST.get("name", "").strip()[:40],
                       "count": record.member_check_ins})
    return render(request, "org/check_in.html", context)
