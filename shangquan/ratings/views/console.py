"""Console pages: periods and their progress, the scoring grid, results, appeals, awards,
the scheme, the outdoor-display round and board, and the merchant's own results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shangquan.core import policies
from shangquan.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from shangquan.core.views import district_console_view
from shangquan.merchants.selectors import access_merchant, association_list, grid_list

from .. import selectors, services
from ..models import Appeal, Grade, Period, Title
from ..services.outdoor import ITEMS
from ..states import PERIOD, TITLE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationFailed(_("日期格式应为 2026-03-01"), code="bad_period_dates") from None


def _done(request: HttpRequest, fn, ok: str) -> bool:
    try:
        fn()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, ok)
    return True


# --- periods ----------------------------------------------------------------------------------
@district_console_view
def periods_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "ratings.view", district)
    if request.method == "POST":
        def create():
            services.period_create(actor=request.user, district=district,
                                   starts_on=_date(request.POST.get("starts_on")),
                                   ends_on=_date(request.POST.get("ends_on")),
                                   name=request.POST.get("name", ""))
        _done(request, create, _("已新建评比周期"))
        return redirect("ratings:periods", code=district.code)
    return render(request, "ratings/periods.html", {
        "periods": list(selectors.period_list(district=district)[:40]),
        "can_create": policies.can(request.user, "ratings.period_create", district),
    })


def _period(request: HttpRequest, period_id: int) -> Period:
    policies.require(request.user, "ratings.view", request.district)
    return selectors.access_period(district=request.district, period_id=period_id)


@district_console_view
def period_view(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    grade = request.GET.get("grade", "")
    results = Paginator(selectors.result_list(user=request.user, period=period, grade=grade,
                                              q=request.GET.get("q", "").strip()), 50)
    progress = (selectors.period_progress(user=request.user, period=period)
                if policies.can(request.user, "ratings.progress_view", period.district) else None)
    actions = [a for a in PERIOD.actions_from(period.status)
               if policies.can(request.user, f"ratings.{a}", period)]
    return render(request, "ratings/period.html", {
        "period": period, "progress": progress, "page": results.get_page(request.GET.get("page")),
        "actions": actions, "grades": Grade.choices, "grade": grade,
        "can_score": policies.can(request.user, "ratings.score", period.district)
        and period.status == Period.Status.SCORING,
        "can_export": policies.can(request.user, "ratings.export", period.district),
        "reratings": list(selectors.rerating_list(district=period.district, period=period)[:50]),
        "can_rerate": policies.can(request.user, "ratings.rerating_complete", period.district),
    })


ACTION_LABELS = {"open": "开始评分", "close": "结束评分并公示", "publish": "发布结果",
                 "archive": "归档"}


@require_POST
@district_console_view
def period_action_view(request: HttpRequest, period_id: int, action: str) -> HttpResponse:
    period = _period(request, period_id)
    steps = {"open": services.period_open, "close": services.period_close,
             "archive": services.period_archive}
    if action == "publish":
        _done(request, lambda: services.period_publish(
            actor=request.user, period=period, force=request.POST.get("force") == "1"),
              _("已发布"))
    elif action in steps:
        _done(request, lambda: steps[action](actor=request.user, period=period), _("已完成"))
    else:
        raise NotFound()
    return redirect("ratings:period", code=request.district.code, period_id=period.pk)


@district_console_view
def export_view(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    response = HttpResponse(services.period_export_xlsx(actor=request.user, period=period),
                            content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ratings-{period.pk}.xlsx"'
    return response


# --- the scoring grid -------------------------------------------------------------------------
def _cells(post: Any, merchant_id: int, codes: list[str]) -> tuple[dict, dict]:
    scores, versions = {}, {}
    for code in codes:
        raw = post.get(f"s-{merchant_id}-{code}", "").strip()
        if raw != "":
            scores[code] = raw
            versions[code] = post.get(f"v-{merchant_id}-{code}", "")
    return scores, versions


@district_console_view
def grid_view(request: HttpRequest, period_id: int) -> HttpResponse:
    """Merchants × dimensions, the rater's own scores; works on a phone (one card per shop)."""
    period = _period(request, period_id)
    grid, association = request.GET.get("grid", ""), request.GET.get("association", "")
    q = request.GET.get("q", "").strip()
    errors: dict[int, str] = {}
    if request.method == "POST":
        codes = [d["code"] for d in period.dimensions]
        saved = 0
        for raw_id in request.POST.getlist("merchant"):
            try:
                merchant = access_merchant(district=period.district, merchant_id=int(raw_id))
            except (ValueError, NotFound):
                continue
            scores, versions = _cells(request.POST, merchant.pk, codes)
            if not scores:
                continue
            try:
                services.score_record(actor=request.user, period=period, merchant=merchant,
                                      scores=scores, versions=versions)
                saved += 1
            except DomainError as exc:
                errors[merchant.pk] = str(exc.message)
        if not errors:
            messages.success(request, _("已保存 %(n)s 家商户的评分") % {"n": saved})
            return redirect(request.get_full_path())
        messages.error(request, _("部分评分未保存，请查看标红的商户"))
    data = selectors.scoring_grid(user=request.user, period=period, grid=grid or None,
                                  association=association or None, q=q)
    for row in data["rows"]:
        pk = row["merchant"].pk
        row["error"] = errors.get(pk, "")
        for cell in row["cells"]:  # a refused row keeps what was typed
            cell["posted"] = (request.POST.get(f"s-{pk}-{cell['dimension']}")
                              if row["error"] else None)
    return render(request, "ratings/grid.html", {
        "period": period, "grid_data": data, "grids": grid_list(district=period.district),
        "associations": association_list(district=period.district), "grid": grid,
        "association": association, "q": q,
    })


# --- results ----------------------------------------------------------------------------------
@district_console_view
def result_view(request: HttpRequest, result_id: int) -> HttpResponse:
    result = selectors.access_result(district=request.district, result_id=result_id)
    staff = policies.can(request.user, "ratings.view", request.district)
    own = policies.can(request.user, "ratings.reply", result)
    if not staff and not own:
        raise NotFound()
    appeal = Appeal.objects.filter(district=request.district, result=result).first()
    return render(request, "ratings/result.html", {
        **selectors.result_explained(result=result), "own": own, "appeal": appeal,
        "may_appeal": policies.can(request.user, "ratings.appeal_file", result) and appeal is None,
        "may_rerate": policies.can(request.user, "ratings.rerating_request", result)
        and result.rerating == "",
    })


@require_POST
@district_console_view
def result_action_view(request: HttpRequest, result_id: int, action: str) -> HttpResponse:
    result = selectors.access_result(district=request.district, result_id=result_id)
    text = request.POST.get("text", "")
    steps = {"reply": lambda: services.result_reply(actor=request.user, result=result, text=text),
             "appeal": lambda: services.appeal_file(
                 actor=request.user, result=result, reason=text,
                 adjustments=[v for v in request.POST.getlist("contest") if v.isdigit()]),
             "rerating": lambda: services.rerating_request(actor=request.user, result=result,
                                                           note=text)}
    if action not in steps:
        raise NotFound()
    _done(request, steps[action], {"reply": _("回应已公开"), "appeal": _("申诉已提交"),
                                   "rerating": _("已申请复评")}[action])
    return redirect("ratings:result", code=request.district.code, result_id=result.pk)


@district_console_view
def mine_view(request: HttpRequest) -> HttpResponse:
    """The signed-in person's shops' results (empty for someone who owns none)."""
    return render(request, "ratings/mine.html", {
        "results": selectors.own_results(user=request.user, district=request.district)})


# --- appeals ----------------------------------------------------------------------------------
@district_console_view
def appeals_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    appeals = list(selectors.appeal_list(user=request.user, district=district,
                                         status=request.GET.get("status", ""))[:100])
    contested = selectors.contested_adjustments(appeals=appeals)
    for appeal in appeals:
        appeal.may_decide = policies.can(request.user, "ratings.appeal_uphold", appeal)
        appeal.contested = [contested[i] for i in appeal.contested_adjustments if i in contested]
    return render(request, "ratings/appeals.html", {"appeals": appeals,
                                                    "statuses": Appeal.Status.choices})


@require_POST
@district_console_view
def appeal_decide_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = selectors.access_appeal(district=request.district, appeal_id=appeal_id)
    # the contested deductions the decider ticked (none ticked on an upheld appeal: none voided)
    void = [int(v) for v in request.POST.getlist("void") if v.isdigit()]
    _done(request, lambda: services.appeal_decide(
        actor=request.user, appeal=appeal, uphold=request.POST.get("outcome") == "uphold",
        decision=request.POST.get("decision", ""), void_adjustments=void), _("已裁决"))
    return redirect("ratings:appeals", code=request.district.code)


@require_POST
@district_console_view
def rerating_complete_view(request: HttpRequest, rerating_id: int) -> HttpResponse:
    rerating = selectors.rerating_list(district=request.district).filter(pk=rerating_id).first()
    if rerating is None:
        raise NotFound()
    _done(request, lambda: services.rerating_complete(actor=request.user, rerating=rerating),
          _("复评完成，结果已重新计算"))
    return redirect("ratings:period", code=request.district.code, period_id=rerating.period_id)


# --- awards -----------------------------------------------------------------------------------
@district_console_view
def awards_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "ratings.view", district)
    if request.method == "POST":
        def propose():
            kind = selectors.title_kind_list(district=district).filter(
                pk=request.POST.get("kind") or 0).first()
            if kind is None:
                raise ValidationFailed(_("请选择称号"), code="unknown_title_kind")
            merchant = access_merchant(district=district, merchant_id=request.POST.get("merchant") or 0)
            services.title_propose(actor=request.user, district=district, merchant=merchant,
                                   kind=kind, reason=request.POST.get("reason", ""))
        _done(request, propose, _("已推荐候选"))
        return redirect("ratings:awards", code=district.code)
    titles = list(selectors.title_list(district=district, status=request.GET.get("status", ""))[:200])
    for title in titles:
        title.actions = [a for a in TITLE.actions_from(title.status)
                         if policies.can(request.user, f"ratings.title_{a}", title)]
    return render(request, "ratings/awards.html", {
        "holders": selectors.flag_holders(district=district),
        "history": selectors.flag_history(district=district),
        "titles": titles, "kinds": list(selectors.title_kind_list(district=district)),
        "statuses": Title.Status.choices,
        "can_propose": policies.can(request.user, "ratings.title_propose", district),
        "can_ceremony": policies.can(request.user, "ratings.ceremony", district),
        "occasions": OCCASION_LABELS,
        "merchants": list(selectors.merchants_in_scope(district=district).select_related(None)
                          .only("id", "name", "stall_no")[:300]),
    })


OCCASION_LABELS = (("315", "3·15"), ("year_end", gettext_lazy("年终")))


@require_POST
@district_console_view
def ceremony_view(request: HttpRequest) -> HttpResponse:
    """The batch award of a ceremony: the PDF of certificates and plaques, one per page."""
    district = request.district
    try:
        data = services.ceremony_print(
            actor=request.user, district=district, occasion=request.POST.get("occasion", ""),
            kinds=request.POST.getlist("kind"),
            award_candidates=request.POST.get("award_candidates") == "1",
            flags=request.POST.get("flags") == "1", plaques=request.POST.get("plaques") == "1")
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, str(exc.message))
        return redirect("ratings:awards", code=district.code)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="ceremony.pdf"'
    return response


TITLE_ACTION_LABELS = {"list": "授牌", "warn": "警示", "clear": "解除警示", "delist": "摘牌",
                       "relist": "重新授牌"}


@require_POST
@district_console_view
def title_action_view(request: HttpRequest, title_id: int, action: str) -> HttpResponse:
    title = selectors.access_title(district=request.district, title_id=title_id)
    if action not in TITLE.transitions:
        raise NotFound()

    def move():
        services.title_transition(actor=request.user, title=title, action=action,
                                  reason=request.POST.get("reason", ""),
                                  deadline=_date(request.POST.get("deadline")))
    _done(request, move, _("已完成"))
    return redirect("ratings:awards", code=request.district.code)


# --- the scheme -------------------------------------------------------------------------------
@district_console_view
def scheme_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "ratings.scheme_manage", district)
    if request.method == "POST":
        rows = []
        for i in range(12):
            code = request.POST.get(f"code-{i}", "").strip()
            if code:
                rows.append({"code": code, "name": request.POST.get(f"name-{i}", ""),
                             "weight": request.POST.get(f"weight-{i}", "")})
        titles = [t for t in request.POST.get("titles", "").splitlines() if t.strip()]
        ok = _done(request, lambda: services.scheme_update(
            actor=request.user, district=district,
            shares={p: request.POST.get(f"share-{p}", "0") or "0"
                    for p in ("association", "community", "residents")},
            dimensions=rows, flag_scope=request.POST.get("flag_scope", "association"),
            titles=titles), _("评比方案已保存"))
        if ok:
            return redirect("ratings:scheme", code=district.code)
    scheme = selectors.scheme_get(district=district)
    dims = list(selectors.dimension_list(district=district))
    return render(request, "ratings/scheme.html", {
        "scheme": scheme, "dimensions": dims, "blank": range(len(dims), len(dims) + 2),
        "titles": "\n".join(k.name for k in selectors.title_kind_list(district=district)),
        "settings_url": reverse("core:settings", kwargs={"code": district.code}),
    })


# --- outdoor display --------------------------------------------------------------------------
@district_console_view
def outdoor_view(request: HttpRequest) -> HttpResponse:
    """The grid leader's daily round on a phone."""
    return render(request, "ratings/outdoor.html", {
        "round": selectors.outdoor_today(user=request.user, district=request.district)})


@district_console_view
def outdoor_check_view(request: HttpRequest, merchant_id: int) -> HttpResponse:
    district = request.district
    policies.require(request.user, "ratings.outdoor_check", district)
    merchant = access_merchant(district=district, merchant_id=merchant_id)
    zone = selectors.outdoor_zone_for(merchant=merchant)
    error = None
    if request.method == "POST":
        try:
            check = services.outdoor_check_record(
                actor=request.user, merchant=merchant,
                items={code: request.POST.get(code, "") for code in ITEMS},
                photo=request.FILES.get("photo"), note=request.POST.get("note", ""),
                client_key=request.POST.get("client_key", ""))
        except DomainError as exc:
            error = exc
        else:
            if check.passed:
                messages.success(request, _("已记录：达标"))
            else:
                messages.warning(request, _("已记录：不达标") + (
                    _("，已转整改") if check.rectification_id else ""))
            return redirect("ratings:outdoor", code=district.code)
    return render(request, "ratings/outdoor_check.html", {
        "merchant": merchant, "zone": zone, "items": ITEMS, "error": error,
        "threshold": selectors.settings_for(district).outdoor_threshold,
        "recent": selectors.outdoor_recent(merchant=merchant, limit=5),
        "form": request.POST if request.method == "POST" else {},
    })


@district_console_view
def outdoor_board_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _outdoor_zone_post(request)
    data = selectors.outdoor_compliance(user=request.user, district=request.district)
    return render(request, "ratings/outdoor_board.html", {
        "k": data, "chart": {"weeks": [str(r["week"]) for r in data["by_week"]],
                             "rates": [r["rate"] for r in data["by_week"]]},
        "zones": list(selectors.outdoor_zone_list(district=request.district)[:200]),
        "can_manage": policies.can(request.user, "ratings.outdoor_zone_manage", request.district),
    })


def _outdoor_zone_post(request: HttpRequest) -> HttpResponse:
    district = request.district

    def save():
        merchant = access_merchant(district=district, merchant_id=request.POST.get("merchant") or 0)
        services.outdoor_zone_save(actor=request.user, merchant=merchant,
                                   area_m2=request.POST.get("area_m2", ""),
                                   hours=request.POST.get("hours", ""),
                                   passage_m=request.POST.get("passage_m", "1.5"))
    _done(request, save, _("外摆区域已登记"))
    return redirect("ratings:outdoor_board", code=district.code)
