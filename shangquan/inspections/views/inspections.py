"""Console pages for inspections: the list, planning, the phone checklist, templates, risk."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.district_settings import settings_form, settings_form_post
from shangquan.core.errors import DomainError, NotFound, ValidationFailed
from shangquan.core.models import Department
from shangquan.core.selectors import access_scoped, access_scoped_many
from shangquan.core.views import district_console_view
from shangquan.merchants.models import Grid, Merchant

from .. import selectors, services
from ..models import Answer, ChecklistTemplate, Inspection, Severity
from ..policies import own_merchant_ids


def _ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values if v]
    except ValueError:
        raise ValidationFailed() from None


def _date(raw: str | None, default: date | None = None) -> date:
    value = parse_date(raw or "") if raw else None
    if value is None and default is None:
        raise ValidationFailed(_("日期格式不正确"), code="invalid_date")
    return value or default


@district_console_view
def inspection_list_view(request: HttpRequest) -> HttpResponse:
    district, user = request.district, request.user
    status = request.GET.get("status", "")
    mine = request.GET.get("mine", "1" if policies.has_role(user, district, "department")
                           and not policies.is_city_admin(user) else "") == "1"
    qs = selectors.inspection_list(user=user, district=district, status=status,
                                   kind=request.GET.get("kind", ""), mine=mine,
                                   campaign_id=request.GET.get("campaign") or None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "inspections/list.html", {
        "page": page, "status": status, "mine": mine,
        "campaign": request.GET.get("campaign", ""), "statuses": Inspection.Status.choices,
        "kinds": Inspection.Kind.choices, "kind": request.GET.get("kind", ""),
        "can_plan": policies.can(user, "inspections.plan", district),
        "today": timezone.localdate()})


@district_console_view
def inspection_plan_view(request: HttpRequest) -> HttpResponse:
    district, user = request.district, request.user
    policies.require(user, "inspections.plan", district)
    templates = selectors.template_list(user=user, district=district)
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            merchant = (access_scoped(Merchant, district=district, pk=p["merchant"])
                        if p.get("target") == "merchant" and p.get("merchant") else None)
            grid = (access_scoped(Grid, district=district, pk=p["grid"])
                    if p.get("target") == "grid" and p.get("grid") else None)
            chosen = access_scoped_many(ChecklistTemplate, district=district,
                                        ids=_ids(p.getlist("templates")))
            follow_up = (selectors.rectification_get(user=user, district=district,
                                                     rectification_id=p["follow_up_of"])
                         if p.get("follow_up_of") else None)
            inspection = services.inspection_plan(
                actor=user, district=district, templates=chosen,
                planned_for=_date(p.get("planned_for"), timezone.localdate()),
                merchant=merchant, grid=grid, kind=p.get("kind") or "routine",
                departments=access_scoped_many(Department, district=district,
                                               ids=_ids(p.getlist("departments"))),
                reason=p.get("reason", ""), follow_up_of=follow_up)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("检查已安排"))
            return redirect("inspections:detail", code=district.code,
                            inspection_id=inspection.pk)
    q = request.GET.get("q", "").strip()
    merchants = Merchant.objects.filter(district=district).exclude(status="deregistered")
    if q:
        merchants = merchants.filter(name__icontains=q)
    return render(request, "inspections/plan.html", {
        "templates": templates, "grids": Grid.objects.filter(district=district),
        "merchants": merchants.order_by("name")[:60], "q": q,
        "departments": Department.objects.filter(district=district, is_active=True),
        "kinds": Inspection.Kind.choices, "error": error, "form": request.POST,
        "preset_merchant": request.GET.get("merchant", ""),
        "follow_up_of": request.GET.get("follow_up", "") or request.POST.get("follow_up_of", ""),
        "today": timezone.localdate()}, status=error.status if error else 200)


def _save_posted_answers(request: HttpRequest, inspection: Inspection) -> int:
    """The no-JavaScript path: the whole sheet posted at once."""
    saved = 0
    for section in selectors.inspection_sheet(inspection):
        for row in section["items"]:
            item = row["item"]
            value = request.POST.get(f"item-{item.pk}")
            if value:
                services.answer_save(actor=request.user, district=request.district,
                                     inspection=inspection, item_id=item.pk, value=value,
                                     note=request.POST.get(f"note-{item.pk}", ""))
                saved += 1
            for upload in request.FILES.getlist(f"photo-{item.pk}"):
                services.answer_photo_add(actor=request.user, district=request.district,
                                          inspection=inspection, item_id=item.pk,
                                          upload=upload)
    return saved


def _signature_bytes(data_url: str) -> bytes | None:
    if not data_url:
        return None
    try:
        return base64.b64decode(data_url.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(_("签名须为 PNG 图片"), code="signature_invalid") from None


@district_console_view
def inspection_detail_view(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """The phone page: tick items, photos, notes, sign. Autosaves through the API."""
    district, user = request.district, request.user
    inspection = selectors.inspection_get(user=user, district=district,
                                          inspection_id=inspection_id)
    error = None
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "complete":
                services.inspection_complete(
                    actor=user, district=district, inspection=inspection,
                    signed_name=request.POST.get("signed_name", ""),
                    signature_png=_signature_bytes(request.POST.get("signature", "")),
                    notes=request.POST.get("notes", ""),
                    stop_business=request.POST.get("stop_business") == "1")
                messages.success(request, _("检查已完成并签名，隐患已生成整改单"))
                target = inspection.parent_id or inspection.pk
                return redirect("inspections:detail", code=district.code, inspection_id=target)
            if action == "cancel":
                services.inspection_cancel(actor=user, district=district, inspection=inspection,
                                           reason=request.POST.get("reason", ""))
                messages.success(request, _("检查已取消"))
                return redirect("inspections:detail", code=district.code,
                                inspection_id=inspection.pk)
            saved = _save_posted_answers(request, inspection)
            messages.success(request, _("已保存 %(n)s 项") % {"n": saved})
            return redirect("inspections:detail", code=district.code,
                            inspection_id=inspection.pk)
        except DomainError as exc:
            error = exc
    can_conduct = (policies.can(user, "inspections.conduct", district)
                   and inspection.status in ("planned", "in_progress"))
    context = {"inspection": inspection, "error": error, "can_conduct": can_conduct,
               "can_plan": policies.can(user, "inspections.plan", district),
               "values": Answer.Value.choices, "severities": dict(Severity.choices),
               "departments": inspection.departments.all(),
               "inspectors": inspection.inspectors.all()}
    if can_conduct:
        context["js_labels"] = _js_labels()
    if inspection.is_grid:
        context["children"] = selectors.inspection_children(inspection)
    else:
        context["sheet"] = selectors.inspection_sheet(inspection)
        context["progress"] = selectors.inspection_progress(inspection)
        context["findings"] = inspection.findings.select_related("rectification", "repeat_of")
        context["has_serious"] = any(r["item"].severity == "serious"
                                     for s in context["sheet"] for r in s["items"])
    return render(request, "inspections/detail.html", context,
                  status=error.status if error else 200)


def _js_labels() -> dict[str, str]:
    """The phone page's status messages, translated here (the script has no catalogue)."""
    return {"pending": _("待发送…"), "saved": _("已保存"),
            "offline": _("网络不佳：已暂存在本机，恢复后自动发送"), "error": _("保存失败"),
            "all_saved": _("全部已保存"), "n_pending": _("%(n)s 项待发送"),
            "poor": _("网络不佳，"), "full": _("（本机存储已满，请勿关闭页面）"),
            "photo_first": _("请先选择检查结果，再拍照"), "photo_bad": _("无法读取这张照片"),
            "photo_saved": _("照片已上传"), "photo_waiting": _("现场照片（待上传）"),
            "unsent": _("还有 %(n)s 项未发送，请稍候或到网络较好处再完成检查。")}


@district_console_view
def template_list_view(request: HttpRequest) -> HttpResponse:
    district, user = request.district, request.user
    templates = selectors.template_list(user=user, district=district, active_only=False)
    error = None
    if request.method == "POST" and request.POST.get("action") == "seed":
        policies.require(user, "inspections.template_manage", district)
        created = services.checklist_seed(district=district)
        messages.success(request, _("已添加 %(n)s 张标准检查表") % {"n": len(created)})
        return redirect("inspections:templates", code=district.code)
    if request.method == "POST" and request.POST.get("action") == "rules":
        try:
            settings_form_post(actor=user, district=district, app="inspections",
                               data=request.POST)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("检查规则已保存"))
            return redirect("inspections:templates", code=district.code)
    return render(request, "inspections/templates.html", {
        "templates": templates, "error": error, "settings_error": error,
        "settings_form": settings_form(user=user, district=district, app="inspections"),
        "settings_marker": ("action", "rules"),
        "can_manage": policies.can(user, "inspections.template_manage", district)},
        status=error.status if error else 200)


def _parse_items(text: str) -> list[dict]:
    """One item a line: 代码 | 检查内容 | 一般/较重/严重 | 法律依据 | 拍照(是/否)."""
    levels = {label: value for value, label in Severity.choices}
    levels.update({v: v for v in Severity.values})
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", "", "", "", ""]
        items.append({"code": parts[0], "text": parts[1],
                      "severity": levels.get(parts[2], parts[2] or "general"),
                      "legal_basis": parts[3], "photo_required": parts[4] in ("是", "1", "yes")})
    return items


def _items_text(version) -> str:
    labels = dict(Severity.choices)
    return "\n".join(f"{i.code} | {i.text} | {labels[i.severity]} | {i.legal_basis} | "
                     f"{'是' if i.photo_required else '否'}" for i in version.items.all())


@district_console_view
def template_detail_view(request: HttpRequest, template_id: int) -> HttpResponse:
    district, user = request.district, request.user
    template = selectors.template_get(user=user, district=district, template_id=template_id)
    versions = list(template.versions.all())
    error = None
    if request.method == "POST":
        try:
            services.checklist_version_publish(
                actor=user, district=district, template=template,
                items=_parse_items(request.POST.get("items", "")),
                note=request.POST.get("note", ""))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("新版本已发布；已完成的检查仍保留原版本"))
            return redirect("inspections:template", code=district.code, template_id=template.pk)
    shown = versions[0] if versions else None
    wanted = request.GET.get("v")
    if wanted:
        shown = next((v for v in versions if str(v.number) == wanted), shown)
    return render(request, "inspections/template_detail.html", {
        "template": template, "versions": versions, "shown": shown,
        "items_text": request.POST.get("items") or (_items_text(versions[0]) if versions else ""),
        "severities": dict(Severity.choices), "error": error,
        "can_manage": policies.can(user, "inspections.template_manage", district)},
        status=error.status if error else 200)


@district_console_view
def risk_view(request: HttpRequest) -> HttpResponse:
    district, user = request.district, request.user
    return render(request, "inspections/risk.html", {
        "rows": selectors.risk_register(user=user, district=district),
        "warnings": selectors.repeat_warnings(user=user, district=district, limit=30),
        "window": selectors.rules_for(district).repeat_window_days})


@district_console_view
def merchant_history_view(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """The staff (and the shop's own) view of a merchant's inspections and orders."""
    district = request.district
    merchant = Merchant.objects.filter(district=district, pk=merchant_id).first()
    if merchant is None:
        raise NotFound()
    history = selectors.merchant_history(user=request.user, district=district,
                                         merchant=merchant)
    return render(request, "inspections/merchant_history.html", {
        "merchant": merchant, **history,
        "can_plan": policies.can(request.user, "inspections.plan", district)})



@district_console_view
def my_history_view(request: HttpRequest) -> HttpResponse:
    """A merchant's own shops: straight to the history when there is one."""
    ids = sorted(own_merchant_ids(request.user, request.district))
    if len(ids) == 1:
        return redirect("inspections:merchant_history", code=request.district.code,
                        merchant_id=ids[0])
    shops = Merchant.objects.filter(district=request.district, pk__in=ids).order_by("name")
    return render(request, "inspections/my_shops.html", {"shops": shops})
