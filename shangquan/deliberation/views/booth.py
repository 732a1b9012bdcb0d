"""The 公约表决 booth on a tablet: a staffed kiosk where residents and shopkeepers vote one
after another on the officer's signed-in tablet.

1. The officer checks the person's ID and types their phone or licence number (never kept
   in the session or the browser's form memory); the roll is asked whether they may vote.
2. The tablet shows the voter only the three choices; the form carries the voter as a
   signed token that lives three minutes and names this convention and this officer.
3. The vote goes through ``vote_booth`` (the roll's unique row: one vote per person on
   every channel); the tablet returns to step 1 and shows neither who voted nor how.

Every answer is ``Cache-Control: no-store``, so the back button cannot bring the previous
voter's screen back."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import Conflict, DomainError, ValidationFailed
from shangquan.core.views import district_console_view

from .. import rules, selectors
from ..models import Choice, College, Convention
from ..services import conventions

SALT = "deliberation.booth"
TOKEN_SECONDS = 180


def _masked(college: str, phone: str, shop: object) -> str:
    if college == College.MERCHANT:
        return str(getattr(shop, "name", ""))
    return f"{phone[:3]}****{phone[-4:]}"


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "deliberation/console/booth.html", context, status=status)
    add_never_cache_headers(response)
    return response


@district_console_view
def booth_view(request: HttpRequest, pk: int) -> HttpResponse:
    d = request.district
    c = selectors.access_convention(district=d, pk=pk)
    policies.require(request.user, "deliberation.ballot_officer", c)
    base = {"c": c, "choices": Choice.choices, "is_voting": c.status == Convention.Status.VOTING,
            "turnout": selectors.turnout(convention=c)}
    if request.method != "POST":
        return _page(request, {**base, "step": "verify", "done": request.GET.get("done") == "1"})
    action = request.POST.get("action")
    try:
        if action == "verify":
            phone = request.POST.get("phone", "").strip()
            licence_no = request.POST.get("licence_no", "").strip()
            college, key, shop = rules.officer_voter(c, phone=phone, licence_no=licence_no)
            if not base["is_voting"]:
                raise Conflict(_("不在表决时间内"), code="outside_window")
            if selectors.has_voted(convention=c, key=key) is not None:
                raise Conflict(_("此人已经投过票，以第一次为准"), code="already_voted")
            token = signing.dumps({"c": c.pk, "o": request.user.pk, "k": key,
                                   "p": phone if college == College.RESIDENT else "",
                                   "l": licence_no if college == College.MERCHANT else "",
                                   "n": secrets.token_hex(8)}, salt=SALT)
            return _page(request, {**base, "step": "vote", "token": token,
                                   "voter": _masked(college, key[4:], shop),
                                   "college": college})
        if action == "vote":
            try:
                data = signing.loads(request.POST.get("token", ""), salt=SALT,
                                     max_age=TOKEN_SECONDS)
            except signing.BadSignature:
                raise ValidationFailed(_("本次核验已过期，请重新核验身份"),
                                       code="booth_expired") from None
            if data.get("c") != c.pk or data.get("o") != request.user.pk:
                raise ValidationFailed(_("本次核验已过期，请重新核验身份"), code="booth_expired")
            conventions.vote_booth(actor=request.user, convention=c,
                                   choice=request.POST.get("choice", ""),
                                   phone=data.get("p", ""), licence_no=data.get("l", ""))
            return redirect(f"{request.path}?done=1")
        raise ValidationFailed(_("未知操作"), details={"action": action})
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _page(request, {**base, "step": "verify"}, status=exc.status)
