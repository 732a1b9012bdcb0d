"""Phone pages for residents, riders and merchants: my points, the shop, my redemptions."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangquan.core import policies
from shangquan.core.errors import DomainError
from shangquan.core.qr import qr_svg
from shangquan.core.selectors import access_district

from .. import selectors
from ..services import shop


@login_required
def me_view(request: HttpRequest, code: str) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.statement", district)
    account = selectors.account_mine(user=request.user, district=district)
    statement = selectors.statement(account=account) if account else None
    page = Paginator(selectors.movements(account=account) if account else [], 30)\
        .get_page(request.GET.get("page"))
    return render(request, "points/me.html", {
        "district": district, "statement": statement, "page": page,
        "merchant_accounts": selectors.merchant_accounts_mine(user=request.user,
                                                              district=district)})


@login_required
def shop_view(request: HttpRequest, code: str) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.shop", district)
    account = selectors.account_mine(user=request.user, district=district)
    return render(request, "points/shop.html", {
        "district": district, "items": selectors.item_list(district=district),
        "balance": account.balance if account else 0,
        "can_redeem": policies.can(request.user, "points.redeem", district),
        "form_key": uuid.uuid4().hex})


@login_required
@require_POST
def redeem_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    item = selectors.access_item(district=district, item_id=pk, active_only=True)
    try:
        redemption = shop.redemption_reserve(
            actor=request.user, item=item, key=request.POST.get("idempotency_key", "")[:80])
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("points:shop", code=district.code)
    messages.success(request, _("已预约兑换，请凭核销码到店领取"))
    return redirect("points:redemption", code=district.code, pk=redemption.pk)


@login_required
def redemptions_view(request: HttpRequest, code: str) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    rows = selectors.redemption_list_mine(user=request.user, district=district)[:100]
    return render(request, "points/redemptions.html", {"district": district,
                                                       "redemptions": rows})


@login_required
def redemption_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    redemption = selectors.access_redemption(user=request.user, district=district,
                                             redemption_id=pk)
    mine = redemption.user_id == request.user.pk
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            shop.redemption_cancel(actor=request.user, redemption=redemption)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已取消兑换，积分已退回"))
        return redirect("points:redemption", code=district.code, pk=redemption.pk)
    qr = ""
    if mine and redemption.status == redemption.Status.RESERVED:
        qr = qr_svg(redemption.code, css_class="pickup-qr", label=_("核销二维码"))
    return render(request, "points/redemption.html", {
        "district": district, "r": redemption, "mine": mine, "qr": qr,
        "can_cancel": policies.can(request.user, "points.cancel", redemption)})
