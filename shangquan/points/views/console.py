"""Console pages: the ledger, an account's statement, items and stock, the counter
(fulfil by code) with the merchant's monthly settlement, and adjustments to approve."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError, NotFound, ValidationFailed
from shangquan.core.exports import XLSX
from shangquan.core.inputs import form_int
from shangquan.core.views import district_console_view
from shangquan.merchants.selectors import access_merchant

from .. import selectors
from ..models import Eligibility, Item
from ..services import exports, ledger, shop


def _int(raw: str, field: str, *, low: int = 0, default: int | None = None) -> int:
    """An integer form field (422 naming the field otherwise), by core's one parser."""
    value = form_int(raw, field, low=low, high=10**9, default=default)
    if value is None:
        raise ValidationFailed(_("请输入整数"), details={field: [_("请输入整数")]})
    return value


@district_console_view
def ledger_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    accounts = selectors.account_list(user=request.user, district=district,
                                      kind=request.GET.get("kind", ""),
                                      q=request.GET.get("q", "").strip())
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    postings = selectors.posting_list(user=request.user, district=district)[:20]
    return render(request, "points/console/ledger.html", {
        "page": page, "postings": postings, "rules": selectors.rule_list(district=district),
        "can_export": policies.can(request.user, "points.export", district),
        "month": timezone.localdate().strftime("%Y-%m")})


@district_console_view
def account_view(request: HttpRequest, pk: int) -> HttpResponse:
    district = request.district
    account = selectors.access_account(user=request.user, district=district, account_id=pk)
    page = Paginator(selectors.movements(account=account), 50).get_page(request.GET.get("page"))
    return render(request, "points/console/account.html", {
        "account": account, "statement": selectors.statement(account=account), "page": page,
        "can_adjust": policies.can(request.user, "points.manage", district)})


@district_console_view
def items_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "points.view", district)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "stock":
                item = selectors.access_item(district=district, item_id=request.POST.get("item"))
                shop.item_update(actor=request.user, item=item,
                                 stock_add=_int(request.POST.get("stock_add", ""), "stock_add",
                                                low=-10**9))
                messages.success(request, _("库存已更新"))
            else:
                merchant = None
                if request.POST.get("merchant"):
                    merchant = access_merchant(district=district,
                                               merchant_id=request.POST["merchant"])
                shop.item_create(
                    actor=request.user, district=district, name=request.POST.get("name", ""),
                    price=_int(request.POST.get("price", ""), "price", low=1),
                    kind=request.POST.get("kind", Item.Kind.GOODS), merchant=merchant,
                    stock=_int(request.POST.get("stock", ""), "stock", default=0),
                    daily_capacity=_int(request.POST.get("daily_capacity", ""),
                                        "daily_capacity", default=0),
                    limit_per_month=_int(request.POST.get("limit_per_month", ""),
                                         "limit_per_month", low=1, default=1),
                    eligibility=request.POST.get("eligibility", Eligibility.ANYONE),
                    provider=request.POST.get("provider", "")[:80])
                messages.success(request, _("已上架"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            return redirect("points:items", code=district.code)
    return render(request, "points/console/items.html", {
        "items": selectors.item_list(district=district, active_only=False),
        "kinds": Item.Kind.choices, "eligibilities": Eligibility.choices,
        "can_manage": policies.can(request.user, "points.manage", district)}, status=status)


@district_console_view
def fulfil_view(request: HttpRequest) -> HttpResponse:
    """The counter: type (or scan) the code. Also the month's settlement of my shop."""
    district = request.district
    policies.require(request.user, "points.fulfil", district)
    done, status = None, 200
    if request.method == "POST":
        try:
            done = shop.redemption_fulfil(actor=request.user, district=district,
                                          code=request.POST.get("code", ""))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("核销成功：%(item)s（%(points)s 积分）")
                             % {"item": done.item.name, "points": done.points})
            return redirect("points:fulfil", code=district.code)
    month = timezone.localdate().strftime("%Y-%m")
    settlements = [selectors.settlement(district=district, merchant=a.merchant, month=month)
                   for a in selectors.merchant_accounts_mine(user=request.user,
                                                             district=district)[:5]]
    waiting = selectors.redemption_list(user=request.user, district=district,
                                        status="reserved")[:50]
    recent = selectors.redemption_list(user=request.user, district=district,
                                       status="fulfilled")[:20]
    return render(request, "points/console/fulfil.html", {
        "waiting": waiting, "recent": recent, "settlements": settlements, "month": month},
        status=status)


@district_console_view
def adjustments_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") in ("approve", "reject"):
                adjustment = selectors.access_adjustment(
                    user=request.user, district=district,
                    adjustment_id=request.POST.get("adjustment"))
                ledger.adjustment_decide(actor=request.user, adjustment=adjustment,
                                         approve=request.POST["action"] == "approve")
                messages.success(request, _("已处理"))
            else:
                account = selectors.access_account(user=request.user, district=district,
                                                   account_id=request.POST.get("account"))
                adjustment = ledger.adjustment_request(
                    actor=request.user, account=account,
                    amount=_int(request.POST.get("amount", ""), "amount",
                                low=-10**9),
                    reason=request.POST.get("reason", ""))
                messages.success(request, _("已记账") if adjustment.posting_id
                                 else _("已提交，待另一名工作人员复核"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            return redirect("points:adjustments", code=district.code)
    rows = selectors.adjustment_list(user=request.user, district=district)[:100]
    return render(request, "points/console/adjustments.html", {
        "adjustments": rows,
        "can_approve": policies.can(request.user, "points.approve", district),
        "can_request": policies.can(request.user, "points.manage", district)}, status=status)


@district_console_view
def export_view(request: HttpRequest, what: str) -> HttpResponse:
    district = request.district
    if what == "ledger":
        data = exports.ledger_export_xlsx(actor=request.user, district=district)
    elif what == "settlement":
        month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
        try:
            selectors.month_bounds(month)
        except (ValueError, TypeError):
            raise NotFound() from None
        data = exports.settlement_export_xlsx(actor=request.user, district=district,
                                              month=month)
    elif what == "redemptions":
        month = request.GET.get("month", "")
        if month:
            try:
                selectors.month_bounds(month)
            except (ValueError, TypeError):
                raise NotFound() from None
        data = exports.redemptions_export_xlsx(actor=request.user, district=district,
                                               month=month)
    elif what == "items":
        data = exports.items_export_xlsx(actor=request.user, district=district)
    elif what == "adjustments":
        data = exports.adjustments_export_xlsx(actor=request.user, district=district)
    else:
        raise NotFound()
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="points-{what}-{district.code}.xlsx"'
    return response
