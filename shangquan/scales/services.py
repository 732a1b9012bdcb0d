"""Every write of the scales app: registry, spot checks, certificates, re-weighs."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies, ratelimit
from shangquan.core.actors import SYSTEM, is_system
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import District
from shangquan.core.pii import photo_clean
from shangquan.core.services import notification_send
from shangquan.inspections.services import rectification_issue
from shangquan.merchants.models import Merchant
from shangquan.workorders.services import work_order_submit

from . import metrology, planner, retail
from .messages import as_validation_error, grams
from .models import DailyPlan, Instrument, Reweigh, SpotCheck
from .policies import may_check, owns_merchant, sees_all
from .selectors import plan_candidates, settings_for

EDITABLE_FIELDS = ("kind", "maker", "model_no", "serial_no", "max_capacity_g", "e_g",
                   "accuracy_class", "certificate_no", "certificate_date", "next_due",
                   "in_service_since", "commitment_signed_on")


def _snap(instrument: Instrument, fields: list[str] | None = None) -> dict[str, Any]:
    """core.audit.snapshot, but an empty image field is None (its ``.url`` raises)."""
    names = [f.name for f in Instrument._meta.concrete_fields if f.name != "commitment_scan"]
    data = snapshot(instrument, [n for n in names if fields is None or n in fields])
    if fields is None or "commitment_scan" in fields:
        data["commitment_scan"] = instrument.commitment_scan.name or None
    return data


# --- registry ---------------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return metrology.dec(value)
    except metrology.MetrologyError as exc:
        raise as_validation_error(exc, field) from None


def _clean_instrument(district: District, instrument: Instrument) -> None:
    """Shared checks for registration, edits and imports."""
    instrument.maker = (instrument.maker or "").strip()
    instrument.serial_no = (instrument.serial_no or "").strip()
    if not instrument.maker or not instrument.serial_no:
        raise ValidationFailed(_("请填写制造商和出厂编号"), code="maker_serial_required")
    if instrument.kind not in Instrument.Kind.values:
        raise ValidationFailed(_("未知的器具类型"), code="unknown_kind")
    instrument.max_capacity_g = _decimal(instrument.max_capacity_g, "max_capacity_g")
    instrument.e_g = _decimal(instrument.e_g, "e_g")
    try:
        metrology.validate_instrument(max_capacity=instrument.max_capacity_g,
                                      e=instrument.e_g, cls=instrument.accuracy_class)
    except metrology.MetrologyError as exc:
        raise as_validation_error(exc, "e_g") from None
    if instrument.merchant.district_id != district.pk:
        raise NotFound()
    if instrument.certificate_date and not instrument.next_due:
        months = settings_for(district).verification_months
        instrument.next_due = add_months(instrument.certificate_date, months)
    if (instrument.certificate_date and instrument.next_due
            and instrument.next_due < instrument.certificate_date):
        raise ValidationFailed(_("检定有效期不能早于检定日期"), code="due_before_certificate")
    duplicate = (Instrument.objects.filter(district=district, maker=instrument.maker,
                                           serial_no=instrument.serial_no)
                 .exclude(pk=instrument.pk).exists())
    if duplicate:
        raise Conflict(_("该制造商的此出厂编号已登记"), code="instrument_exists",
                       details={"serial_no": instrument.serial_no})


def _require_manage(actor: Any, district: District, merchant: Merchant) -> None:
    policies.require(actor, "scales.instrument_manage", district)
    if merchant.district_id != district.pk:
        raise NotFound()


@audited("scales.instrument.register")
@transaction.atomic
def instrument_register(*, actor: Any, district: District, merchant: Merchant, maker: str,
                        serial_no: str, max_capacity_g: Decimal | str, e_g: Decimal | str,
                        accuracy_class: str = "III", kind: str = "price_computing",
                        model_no: str = "", certificate_no: str = "",
                        certificate_date: dt.date | None = None,
                        next_due: dt.date | None = None, is_new: bool = False,
                        in_service_since: dt.date | None = None,
                        commitment_signed_on: dt.date | None = None) -> Instrument:
    """备案: record a trade scale. ``is_new`` leaves it to be accepted by a first check."""
    _require_manage(actor, district, merchant)
    if in_service_since is None and not is_new:
        in_service_since = timezone.localdate()
    instrument = Instrument(district=district, merchant=merchant, kind=kind, maker=maker,
                            model_no=model_no.strip(), serial_no=serial_no,
                            max_capacity_g=max_capacity_g, e_g=e_g,
                            accuracy_class=str(accuracy_class).upper(),
                            certificate_no=certificate_no.strip(),
                            certificate_date=certificate_date, next_due=next_due,
                            in_service_since=None if is_new else in_service_since,
                            commitment_signed_on=commitment_signed_on,
                            registered_by=actor if getattr(actor, "is_authenticated", False)
                            else None)
    _clean_instrument(district, instrument)
    try:
        with transaction.atomic():
            instrument.save()
    except IntegrityError:
        raise Conflict(_("该制造商的此出厂编号已登记"), code="instrument_exists") from None
    audit_record(actor=actor, district=district, obj=instrument, action="scales.instrument.register",
                 after=_snap(instrument))
    return instrument


def _lock(instrument: Instrument, district: District) -> Instrument:
    if instrument.district_id != district.pk:
        raise NotFound()
    return (Instrument.objects.select_for_update(of=("self",)).select_related("merchant")
            .get(pk=instrument.pk))


@audited("scales.instrument.update")
@transaction.atomic
def instrument_update(*, actor: Any, district: District, instrument: Instrument,
                      **fields: Any) -> Instrument:
    locked = _lock(instrument, district)
    _require_manage(actor, district, locked.merchant)
    if locked.status == Instrument.Status.RETIRED:
        raise InvalidTransition(_("已报废的器具不能修改"), code="instrument_retired")
    before = _snap(locked)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationFailed(_("该字段不能修改"), code="field_not_editable",
                                   details={"field": name})
        setattr(locked, name, value)
    if "certificate_date" in fields and "next_due" not in fields:
        locked.next_due = None  # recomputed from the new certificate
    if "next_due" in fields or "certificate_date" in fields:
        locked.expiry_warned_for = None
    _clean_instrument(district, locked)
    locked.save()
    audit_record(actor=actor, district=district, obj=locked, action="scales.instrument.update",
                 before=before, after=_snap(locked))
    return locked


def _set_status(*, actor: Any, district: District, instrument: Instrument, status: str,
                reason: str, action: str, note: str = "") -> Instrument:
    before = _snap(instrument)
    instrument.status = status
    instrument.status_reason = reason
    instrument.status_changed_at = timezone.now()
    instrument.save(update_fields=["status", "status_reason", "status_changed_at",
                                   "updated_at"])
    after = _snap(instrument)
    if note:
        after["note"] = note
    audit_record(actor=actor, district=district, obj=instrument, action=action,
                 before=before, after=after)
    return instrument


def _notify_merchant(district: District, instrument: Instrument, title: str, body: str) -> None:
    """The owner hears of it in the app (linked to the scale's page) and by SMS."""
    from django.urls import reverse

    merchant = instrument.merchant
    if merchant.owner_id:
        link = reverse("scales:instrument", kwargs={"code": district.code, "pk": instrument.pk})
        notification_send(district=district, user=merchant.owner, title=title, body=body,
                          link=link, sms=True)


@audited("scales.instrument.suspend")
@transaction.atomic
def instrument_suspend(*, actor: Any, district: District, instrument: Instrument,
                       note: str = "") -> Instrument:
    policies.require(actor, "scales.instrument_status", district)
    locked = _lock(instrument, district)
    if locked.status != Instrument.Status.IN_USE:
        raise InvalidTransition(details={"status": locked.status})
    _set_status(actor=actor, district=district, instrument=locked,
                status=Instrument.Status.SUSPENDED, reason=Instrument.StatusReason.MANUAL,
                action="scales.instrument.suspend", note=note)
    _notify_merchant(district, locked, _("计量器具停用通知"),
                     _("您的%(i)s已被停用：%(n)s") % {"i": locked, "n": note or _("人工停用")})
    return locked


@audited("scales.instrument.reinstate")
@transaction.atomic
def instrument_reinstate(*, actor: Any, district: District, instrument: Instrument) -> Instrument:
    """Back in use: only with a valid certificate and, after a failure, a passed re-check."""
    policies.require(actor, "scales.instrument_status", district)
    locked = _lock(instrument, district)
    if locked.status != Instrument.Status.SUSPENDED:
        raise InvalidTransition(details={"status": locked.status})
    today = timezone.localdate()
    if locked.next_due and locked.next_due < today:
        raise InvalidTransition(_("检定证书已过期，请先登记新的检定证书"),
                                code="certificate_expired")
    if locked.status_reason == Instrument.StatusReason.FAILED_CHECK:
        # The latest recorded check (by entry order, not by its stated time) must pass.
        last = locked.checks.order_by("-id").first()
        if last is None or not last.passed:
            raise InvalidTransition(_("查验不合格停用的器具须复查合格后才能恢复使用"),
                                    code="recheck_required")
    _set_status(actor=actor, district=district, instrument=locked,
                status=Instrument.Status.IN_USE, reason=Instrument.StatusReason.NONE,
                action="scales.instrument.reinstate")
    return locked


@audited("scales.instrument.retire")
@transaction.atomic
def instrument_retire(*, actor: Any, district: District, instrument: Instrument,
                      note: str = "") -> Instrument:
    policies.require(actor, "scales.instrument_status", district)
    locked = _lock(instrument, district)
    if locked.status == Instrument.Status.RETIRED:
        raise InvalidTransition(details={"status": locked.status})
    return _set_status(actor=actor, district=district, instrument=locked,
                       status=Instrument.Status.RETIRED, reason="",
                       action="scales.instrument.retire", note=note)


@audited("scales.instrument.commitment_sign")
@transaction.atomic
def commitment_sign(*, actor: Any, district: District, merchant: Merchant, signed_on: dt.date,
                    scan: Any = None) -> list[Instrument]:
    """计量器具规范使用承诺书: one signed sheet covers the merchant's instruments in use."""
    policies.require(actor, "scales.commitment_sign", district)
    if merchant.district_id != district.pk:
        raise NotFound()
    if not sees_all(actor, district) and not owns_merchant(actor, merchant):
        raise NotFound()
    if signed_on > timezone.localdate():
        raise ValidationFailed(_("签署日期不能晚于今天"), code="signed_in_future")
    instruments = list(Instrument.objects.select_for_update(of=("self",))
                       .filter(district=district, merchant=merchant)
                       .exclude(status=Instrument.Status.RETIRED).order_by("pk"))
    if not instruments:
        raise ValidationFailed(_("该商户还没有登记在用的计量器具"), code="no_instruments")
    stored = ""
    if scan is not None:
        clean = photo_clean(scan)
        stored = default_storage.save(
            f"scales/commitments/{district.code}/{merchant.pk}-{signed_on:%Y%m%d}.jpg",
            clean.content)
    for instrument in instruments:
        before = _snap(instrument, ["commitment_signed_on", "commitment_scan"])
        instrument.commitment_signed_on = signed_on
        if stored:
            instrument.commitment_scan = stored
        instrument.save(update_fields=["commitment_signed_on", "commitment_scan", "updated_at"])
        audit_record(actor=actor, district=district, obj=instrument,
                     action="scales.instrument.commitment_sign", before=before,
                     after=_snap(instrument, ["commitment_signed_on", "commitment_scan"]))
    return instruments


# --- spot checks ------------------------------------------------------------------------
def _severity(judgement: metrology.Judgement) -> str:
    # A scale that reads high by more than twice its limit short-weighs every buyer
    # (鬼秤); the rest is a plain measurement fault.
    if judgement.reads_high and judgement.worst_error > 2 * judgement.mpe:
        return "serious"
    return "major"


@audited("scales.spotcheck.record", "scales.instrument.accept")
@transaction.atomic
def spot_check_record(*, actor: Any, district: District, instrument: Instrument,
                      load_g: Decimal | str, indications: list[Decimal | str],
                      note: str = "", planned: bool = False,
                      checked_at: dt.datetime | None = None) -> SpotCheck:
    """砝码查验: judge the readings; a failure suspends the scale and opens a rectification."""
    policies.require(actor, "scales.check_record", district)
    if not may_check(actor, district):
        raise PermissionDenied(_("只有市场监管部门和商圈管理人员可以查验计量器具"),
                               code="not_a_metrology_department")
    locked = _lock(instrument, district)
    if locked.status == Instrument.Status.RETIRED:
        raise InvalidTransition(_("已报废的器具不能查验"), code="instrument_retired")
    basis = metrology.Basis.INITIAL if locked.is_new else metrology.Basis.IN_SERVICE
    try:
        judgement = metrology.judge(load=load_g, indications=indications, e=locked.e_g,
                                    max_capacity=locked.max_capacity_g,
                                    cls=locked.accuracy_class, basis=basis)
    except metrology.MetrologyError as exc:
        raise as_validation_error(exc, "load_g") from None
    checked_at = checked_at or timezone.now()
    check = SpotCheck.objects.create(
        district=district, instrument=locked, merchant=locked.merchant,
        checker=actor if getattr(actor, "is_authenticated", False) else None,
        checked_at=checked_at, checked_on=timezone.localdate(checked_at),
        load_g=judgement.load, indications=[str(i) for i in judgement.indications],
        worst_error_g=judgement.worst_error, mpe_g=judgement.mpe,
        repeatability_g=judgement.repeatability, basis=str(basis), passed=judgement.passed,
        planned=planned, note=note[:200])
    audit_record(actor=actor, district=district, obj=check, action="scales.spotcheck.record",
                 after=snapshot(check))
    if judgement.passed and locked.is_new:
        # A new scale passing at the verification MPE is accepted into service.
        before = _snap(locked, ["in_service_since"])
        locked.in_service_since = check.checked_on
        locked.save(update_fields=["in_service_since", "updated_at"])
        audit_record(actor=actor, district=district, obj=locked,
                     action="scales.instrument.accept", before=before,
                     after=_snap(locked, ["in_service_since"]))
    if not judgement.passed:
        _on_failure(actor=actor, district=district, instrument=locked, check=check,
                    judgement=judgement)
    return check


def _failure_text(instrument: Instrument, judgement: metrology.Judgement) -> str:
    parts = [_("砝码 %(load)s 克，示值 %(ind)s 克，最大误差 %(err)s 克，允许 ±%(mpe)s 克") % {
        "load": grams(judgement.load),
        "ind": "、".join(grams(i) for i in judgement.indications),
        "err": grams(judgement.worst_error), "mpe": grams(judgement.mpe)}]
    if not judgement.repeatability_ok:
        parts.append(_("重复性 %(r)s 克超过 %(mpe)s 克") % {
            "r": grams(judgement.repeatability), "mpe": grams(judgement.mpe)})
    return "；".join(parts)


def _on_failure(*, actor: Any, district: District, instrument: Instrument, check: SpotCheck,
                judgement: metrology.Judgement) -> None:
    if instrument.status == Instrument.Status.IN_USE:
        _set_status(actor=actor, district=district, instrument=instrument,
                    status=Instrument.Status.SUSPENDED,
                    reason=Instrument.StatusReason.FAILED_CHECK,
                    action="scales.instrument.suspend", note=f"spot_check:{check.pk}")
    detail = _failure_text(instrument, judgement)
    days = settings_for(district).rectification_days
    # Grid leaders may check but not issue orders: the failed check itself is the
    # authority then, and the order is issued by the system on its behalf.
    issuer = actor if policies.can(actor, "inspections.rectification_issue", district) else SYSTEM
    order = rectification_issue(
        actor=issuer, district=district, merchant=instrument.merchant,
        title=_("计量器具查验不合格：%(i)s") % {"i": instrument},
        severity=_severity(judgement), source="spot_check", source_ref=str(check.pk),
        deadline=timezone.now() + dt.timedelta(days=days),
        description=detail + "。" + _("该器具已停用，请送检或维修，复查合格后恢复使用。"))
    check.rectification_id = order.pk
    check.save(update_fields=["rectification_id"])
    _notify_merchant(district, instrument, _("计量器具查验不合格，已停用"),
                     _("%(i)s：%(d)s") % {"i": instrument, "d": detail})


# --- the daily plan -------------------------------------------------------------------
@audited("scales.plan.create")
def plan_ensure(*, district: District, day: dt.date | None = None) -> DailyPlan:
    """The day's plan, built and frozen the first time anyone (or the timer) asks."""
    day = day or timezone.localdate()
    existing = DailyPlan.objects.filter(district=district, day=day).first()
    if existing:
        return existing
    config = settings_for(district)
    candidates = plan_candidates(district=district, day=day)
    plan = planner.plan_day(day=day, district_code=district.code, candidates=candidates,
                            window_days=config.check_window_days,
                            quota=config.daily_quota or None)
    try:
        with transaction.atomic():
            stored = DailyPlan.objects.create(
                district=district, day=day, window_days=plan.window_days, quota=plan.quota,
                digest=plan.digest, inputs=planner.candidates_to_json(candidates),
                items=planner.items_to_json(plan.items))
            audit_record(actor=SYSTEM, district=district, obj=stored, action="scales.plan.create",
                         after={"day": day, "digest": plan.digest, "count": len(plan.items)})
    except IntegrityError:  # built by a concurrent request: theirs stands
        return DailyPlan.objects.get(district=district, day=day)
    return stored


@audited("scales.plan.create")
def plans_ensure_all(*, day: dt.date | None = None) -> int:
    made = 0
    for district in District.objects.filter(is_active=True):
        before = DailyPlan.objects.filter(district=district, day=day or timezone.localdate())
        if not before.exists():
            plan_ensure(district=district, day=day)
            made += 1
    return made


# --- certificates -----------------------------------------------------------------------
@audited("scales.instrument.certificate_warn", "scales.instrument.suspend")
@transaction.atomic
def certificates_sweep(*, district: District, today: dt.date | None = None) -> dict[str, int]:
    """Daily: warn merchants ahead of the due date, suspend on expiry when configured."""
    today = today or timezone.localdate()
    config = settings_for(district)
    warned = suspended = 0
    horizon = today + dt.timedelta(days=config.warn_days)
    soon = (Instrument.objects.select_for_update(of=("self",)).select_related("merchant")
            .filter(district=district, status=Instrument.Status.IN_USE,
                    next_due__isnull=False, next_due__gte=today, next_due__lte=horizon)
            .order_by("pk"))
    for instrument in soon:
        if instrument.expiry_warned_for == instrument.next_due:
            continue
        instrument.expiry_warned_for = instrument.next_due
        instrument.save(update_fields=["expiry_warned_for"])
        audit_record(actor=SYSTEM, district=district, obj=instrument,
                     action="scales.instrument.certificate_warn", after={"next_due": instrument.next_due})
        _notify_merchant(district, instrument, _("计量器具检定即将到期"),
                         _("%(i)s 的检定有效期至 %(d)s，请及时送检。") % {
                             "i": instrument, "d": instrument.next_due})
        warned += 1
    if config.suspend_on_expiry:
        expired = (Instrument.objects.select_for_update(of=("self",)).select_related("merchant")
                   .filter(district=district, status=Instrument.Status.IN_USE,
                           next_due__lt=today).order_by("pk"))
        for instrument in expired:
            _set_status(actor=SYSTEM, district=district, instrument=instrument,
                        status=Instrument.Status.SUSPENDED,
                        reason=Instrument.StatusReason.EXPIRED,
                        action="scales.instrument.suspend", note="certificate_expired")
            _notify_merchant(district, instrument, _("计量器具检定过期，已停用"),
                             _("%(i)s 的检定已于 %(d)s 到期，检定合格前不得用于贸易结算。") % {
                                 "i": instrument, "d": instrument.next_due})
            suspended += 1
    return {"warned": warned, "suspended": suspended}


@audited("scales.instrument.certificate_warn", "scales.instrument.suspend")
def certificates_sweep_all(*, today: dt.date | None = None) -> dict[str, int]:
    totals = {"warned": 0, "suspended": 0}
    for district in District.objects.filter(is_active=True):
        result = certificates_sweep(district=district, today=today)
        for key in totals:
            totals[key] += result[key]
    return totals


# --- consumer re-weighing ---------------------------------------------------------------
REWEIGH_RATE = (60, 3600)  # re-weighs per caller per window (s): the page and API share it


def _reweigh_throttle(*, actor: Any, client_key: str) -> None:
    """One counter per caller, whichever adapter (station page, API) it comes through.
    ``client_key`` names the caller (the client address); without one, a person is
    counted by account and anonymous callers share one bucket. The platform is not limited."""
    if is_system(actor):
        return
    if not client_key:
        client_key = (f"user:{actor.pk}" if getattr(actor, "is_authenticated", False)
                      else "anonymous")
    limit, window = REWEIGH_RATE
    ratelimit.hit(f"reweigh:{client_key}", limit=limit, window=window)


@audited("scales.reweigh.record")
@transaction.atomic
def reweigh_record(*, actor: Any, district: District, merchant: Merchant, goods: str,
                   claimed_g: Decimal | str, measured_g: Decimal | str, band: str = "",
                   unit_price: Decimal | str | None = None, price_unit: str = "kg",
                   method: str = "high_accuracy", client_key: str = "") -> Reweigh:
    """公平秤: compare the shortfall with the allowed negative deviation (rate-limited per
    caller: ``client_key``)."""
    _reweigh_throttle(actor=actor, client_key=client_key)
    policies.require(actor, "scales.reweigh_record", district)
    if merchant.district_id != district.pk:
        raise NotFound()
    goods = (goods or "").strip()
    if not goods:
        raise ValidationFailed(_("请填写商品名称"), code="goods_required")
    if method not in Reweigh.Method.values:
        raise ValidationFailed(_("未知的核称方法"), code="unknown_method")
    per_kg = None
    try:
        if unit_price not in (None, ""):
            per_kg = retail.price_per_kg(price=unit_price, unit=price_unit)
            if per_kg < 0:
                raise metrology.MetrologyError("negative_price")
            if per_kg >= 10**6:  # ¥1,000,000/kg: beyond any food and the column
                raise metrology.MetrologyError("too_large", value=str(unit_price)[:20])
        if not band:
            if per_kg is None:
                raise ValidationFailed(_("请选择价格档次或填写单价"), code="band_required")
            band = retail.band_for_unit_price(per_kg)
        if band not in Reweigh.Band.values:
            raise ValidationFailed(_("未知的价格档次"), code="unknown_band")
        if metrology.dec(claimed_g) <= 0:
            raise metrology.MetrologyError("non_positive")
        result = retail.reweigh(band=band, claimed_g=claimed_g, measured_g=measured_g,
                                method=method)
    except metrology.MetrologyError as exc:
        raise as_validation_error(exc, "claimed_g") from None
    record = Reweigh.objects.create(
        district=district, merchant=merchant, goods=goods[:60], band=band,
        unit_price_per_kg=per_kg.quantize(Decimal("0.01")) if per_kg is not None else None,
        claimed_g=result.claimed_g, measured_g=result.measured_g,
        shortfall_g=result.shortfall_g, allowed_g=result.allowed_g,
        verdict=str(result.verdict), method=method,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor, district=district, obj=record, action="scales.reweigh.record",
                 after=snapshot(record, ["merchant", "goods", "band", "claimed_g", "measured_g",
                                         "shortfall_g", "allowed_g", "verdict", "method"]))
    return record


@audited("scales.reweigh.complain")
@transaction.atomic
def reweigh_complain(*, actor: Any, district: District, reweigh: Reweigh,
                     reporter_phone: str = "", reporter_name: str = "") -> Reweigh:
    """One tap: a short re-weigh becomes a 计量/缺斤短两 work order against the merchant."""
    policies.require(actor, "scales.reweigh_record", district)
    if reweigh.district_id != district.pk:
        raise NotFound()
    record = (Reweigh.objects.select_for_update(of=("self",)).select_related("merchant")
              .get(pk=reweigh.pk))
    if record.verdict != Reweigh.Verdict.SHORT:
        raise InvalidTransition(_("复称结果在允许误差内，不能作为缺斤短两投诉"),
                                code="not_short")
    if record.work_order_id:
        raise Conflict(_("该复称记录已投诉"), code="already_complained",
                       details={"work_order": record.work_order_id})
    description = _("公平秤复称：在%(m)s购买%(g)s，结算 %(c)s 克，复称 %(x)s 克，短少 %(s)s 克，"
                    "超过允许负偏差 %(a)s 克。") % {
        "m": record.merchant.name, "g": record.goods, "c": grams(record.claimed_g),
        "x": grams(record.measured_g), "s": grams(record.shortfall_g),
        "a": grams(record.allowed_g)}
    order = work_order_submit(actor=actor, district=district, category_code="metrology",
                              description=description, channel="fair_scale",
                              merchant=record.merchant, grid=record.merchant.grid,
                              address=record.merchant.address,
                              reporter_name=reporter_name.strip()[:60],
                              reporter_phone=reporter_phone.strip())
    before = snapshot(record, ["work_order_id", "complained_at"])
    record.work_order_id = order.pk
    record.complained_at = timezone.now()
    record.save(update_fields=["work_order_id", "complained_at"])
    audit_record(actor=actor, district=district, obj=record, action="scales.reweigh.complain",
                 before=before, after=snapshot(record, ["work_order_id", "complained_at"]))
    record.work_order = order
    return record
