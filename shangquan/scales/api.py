"""Scales API under /api/v1/districts/{code}/scales/ (plus the anonymous fair-scale station)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, FilterSchema, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shangquan.core import policies, ratelimit
from shangquan.core.apibase import OPTIONAL_AUTH, Id, file_download, paginate
from shangquan.core.district_settings import district_settings_update, settings_read
from shangquan.core.errors import ValidationFailed
from shangquan.core.selectors import access_district, district_get_public

from . import selectors, services, xlsx
from .messages import as_validation_error
from .metrology import MetrologyError, min_capacity
from .metrology import mpe as compute
from .models import Instrument, Reweigh, SpotCheck
from .policies import may_check

# ``code`` comes from the mount prefix /districts/{code}/, so it is declared as a path part.
PathStr = Path[str]

router = Router(tags=["scales"])
public_router = Router(tags=["scales"])

# ``File[UploadedFile] | None`` loses the File marker; an explicit File(None) keeps it.
OPTIONAL_SCAN = File(None)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- schemas ----------------------------------------------------------------------------
class InstrumentOut(Schema):
    id: int
    merchant_id: int
    merchant_name: str
    kind: str
    maker: str
    model_no: str
    serial_no: str
    max_capacity_g: Decimal
    e_g: Decimal
    accuracy_class: str
    min_capacity_g: Decimal
    certificate_no: str
    certificate_date: dt.date | None
    next_due: dt.date | None
    in_service_since: dt.date | None
    status: str
    status_reason: str
    commitment_signed_on: dt.date | None
    commitment_scan: str | None

    @staticmethod
    def resolve_merchant_name(obj: Instrument) -> str:
        return obj.merchant.name

    @staticmethod
    def resolve_min_capacity_g(obj: Instrument) -> Decimal:
        return min_capacity(e=obj.e_g, cls=obj.accuracy_class)

    @staticmethod
    def resolve_commitment_scan(obj: Instrument) -> str | None:
        return obj.commitment_scan.url if obj.commitment_scan else None


class InstrumentFilter(FilterSchema):
    status: str = ""
    kind: str = ""
    merchant: Id | None = None
    q: str = ""
    due_before: dt.date | None = None


class InstrumentIn(Schema):
    merchant_id: Id
    maker: str
    serial_no: str
    max_capacity_g: Decimal
    e_g: Decimal
    accuracy_class: str = "III"
    kind: str = "price_computing"
    model_no: str = ""
    certificate_no: str = ""
    certificate_date: dt.date | None = None
    next_due: dt.date | None = None
    is_new: bool = False
    commitment_signed_on: dt.date | None = None


class InstrumentPatch(Schema):
    kind: str | None = None
    maker: str | None = None
    model_no: str | None = None
    serial_no: str | None = None
    max_capacity_g: Decimal | None = None
    e_g: Decimal | None = None
    accuracy_class: str | None = None
    certificate_no: str | None = None
    certificate_date: dt.date | None = None
    next_due: dt.date | None = None


class InstrumentNoteIn(Schema):
    note: str = ""


class CheckIn(Schema):
    instrument_id: Id
    load_g: Decimal
    indications: list[Decimal]
    note: str = ""
    planned: bool = False


class CheckOut(Schema):
    id: int
    instrument_id: int
    merchant_id: int
    checked_at: dt.datetime
    checked_on: dt.date
    load_g: Decimal
    indications: list[str]
    worst_error_g: Decimal
    mpe_g: Decimal
    repeatability_g: Decimal | None
    basis: str
    passed: bool
    planned: bool
    rectification_id: int | None


class CheckFilter(FilterSchema):
    instrument: Id | None = None
    merchant: Id | None = None
    passed: bool | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class PlanRow(Schema):
    instrument: InstrumentOut
    reason: str
    due_on: dt.date
    checked: bool
    passed: bool | None


class PlanOut(Schema):
    day: dt.date
    window_days: int
    quota: int
    digest: str
    done: int
    items: list[PlanRow]


class CertificatesOut(Schema):
    overdue: list[InstrumentOut]
    due_soon: list[InstrumentOut]
    missing: list[InstrumentOut]


class ReweighIn(Schema):
    merchant_id: Id | None = None  # staff, in the console API
    merchant_token: str = ""  # the merchant's public QR token (the public station)
    goods: str
    claimed_g: Decimal
    measured_g: Decimal
    band: str = ""
    unit_price: Decimal | None = None
    price_unit: str = "kg"
    method: str = "high_accuracy"


class ReweighOut(Schema):
    token: str
    merchant_id: int
    merchant_name: str
    goods: str
    band: str
    unit_price_per_kg: Decimal | None
    claimed_g: Decimal
    measured_g: Decimal
    shortfall_g: Decimal
    allowed_g: Decimal | None
    verdict: str
    method: str
    work_order_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_token(obj: Reweigh) -> str:
        return obj.public_token

    @staticmethod
    def resolve_merchant_name(obj: Reweigh) -> str:
        return obj.merchant.name


class ReweighFilter(FilterSchema):
    verdict: str = ""
    merchant: Id | None = None


class ComplaintIn(Schema):
    reporter_phone: str = ""
    reporter_name: str = ""


class ComplaintOut(Schema):
    token: str
    work_order_id: int
    work_order_number: str


class SettingsIO(Schema):
    check_window_days: int | None = None
    daily_quota: int | None = None
    lookback_days: int | None = None
    warn_days: int | None = None
    suspend_on_expiry: bool | None = None
    verification_months: int | None = None
    rectification_days: int | None = None


class ImportOut(Schema):
    created: int
    updated: int


class KpiPeriodRow(Schema):
    period: dt.date | None
    total: int
    passed: int
    rate: float | None


class KpiGridRow(Schema):
    grid: str
    total: int
    passed: int
    rate: float | None


class ScalesKpiOut(Schema):
    start: dt.date
    end: dt.date
    period: str
    checks: int
    passed: int
    pass_rate: float | None
    by_period: list[KpiPeriodRow]
    by_grid: list[KpiGridRow]
    instruments: dict[str, int]
    overdue_certificates: int
    due_soon: int
    commitments: int
    active_instruments: int
    reweighs: int
    reweigh_short: int
    reweigh_complaints: int


class MpeOut(Schema):
    load_g: str
    e_g: str
    accuracy_class: str
    basis: str
    mpe_g: str
    may_check: bool


# --- registry ---------------------------------------------------------------------------
@router.get("scales/instruments", response=list[InstrumentOut])
@paginate
def instrument_list(request: HttpRequest, code: PathStr, filters: Query[InstrumentFilter]):
    district = access_district(user=request.user, code=code)
    return selectors.instrument_list(user=request.user, district=district,
                                     status=filters.status, kind=filters.kind,
                                     merchant_id=filters.merchant, q=filters.q,
                                     due_before=filters.due_before)


@router.post("scales/instruments", response={201: InstrumentOut})
def instrument_create(request: HttpRequest, code: PathStr, payload: InstrumentIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    merchant = selectors.merchant_get(district=district, pk=data.pop("merchant_id"))
    instrument = services.instrument_register(actor=request.user, district=district,
                                              merchant=merchant, **data)
    return Status(201, instrument)


@router.get("scales/instruments.xlsx", openapi_extra=file_download(XLSX))
def instrument_export(request: HttpRequest, code: PathStr, status: str = ""):
    district = access_district(user=request.user, code=code)
    data = xlsx.instrument_export_xlsx(actor=request.user, district=district, status=status)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="instruments-{district.code}-{timezone.localdate()}.xlsx"')
    return response


@router.post("scales/instruments/import", response=ImportOut)
def instrument_import(request: HttpRequest, code: PathStr, file: File[UploadedFile]):
    district = access_district(user=request.user, code=code)
    return xlsx.import_file(actor=request.user, district=district, upload=file)


@router.get("scales/instruments/{instrument_id}", response=InstrumentOut)
def instrument_detail(request: HttpRequest, code: PathStr, instrument_id: Id):
    district = access_district(user=request.user, code=code)
    return selectors.instrument_get(user=request.user, district=district, pk=instrument_id)


@router.patch("scales/instruments/{instrument_id}", response=InstrumentOut)
def instrument_patch(request: HttpRequest, code: PathStr, instrument_id: Id,
                     payload: InstrumentPatch):
    district = access_district(user=request.user, code=code)
    instrument = selectors.instrument_get(user=request.user, district=district,
                                          pk=instrument_id)
    return services.instrument_update(actor=request.user, district=district,
                                      instrument=instrument,
                                      **payload.dict(exclude_unset=True))


def _status_change(request: HttpRequest, code: str, instrument_id: int, action: str,
                   note: str = "") -> Instrument:
    district = access_district(user=request.user, code=code)
    instrument = selectors.instrument_get(user=request.user, district=district,
                                          pk=instrument_id)
    if action == "reinstate":
        return services.instrument_reinstate(actor=request.user, district=district,
                                             instrument=instrument)
    fn = services.instrument_suspend if action == "suspend" else services.instrument_retire
    return fn(actor=request.user, district=district, instrument=instrument, note=note)


@router.post("scales/instruments/{instrument_id}/suspend", response=InstrumentOut)
def instrument_suspend(request: HttpRequest, code: PathStr, instrument_id: Id,
                       payload: InstrumentNoteIn):
    return _status_change(request, code, instrument_id, "suspend", payload.note)


@router.post("scales/instruments/{instrument_id}/reinstate", response=InstrumentOut)
def instrument_reinstate(request: HttpRequest, code: PathStr, instrument_id: Id):
    return _status_change(request, code, instrument_id, "reinstate")


@router.post("scales/instruments/{instrument_id}/retire", response=InstrumentOut)
def instrument_retire(request: HttpRequest, code: PathStr, instrument_id: Id,
                      payload: InstrumentNoteIn):
    return _status_change(request, code, instrument_id, "retire", payload.note)


@router.post("scales/merchants/{merchant_id}/commitment", response=list[InstrumentOut])
def commitment_sign(request: HttpRequest, code: PathStr, merchant_id: Id,
                    signed_on: Form[dt.date], scan: UploadedFile | None = OPTIONAL_SCAN):
    district = access_district(user=request.user, code=code)
    merchant = selectors.merchant_get(district=district, pk=merchant_id)
    return services.commitment_sign(actor=request.user, district=district, merchant=merchant,
                                    signed_on=signed_on, scan=scan)


# --- spot checks ------------------------------------------------------------------------
@router.get("scales/checks", response=list[CheckOut])
@paginate
def check_list(request: HttpRequest, code: PathStr, filters: Query[CheckFilter]):
    district = access_district(user=request.user, code=code)
    return selectors.spot_check_list(user=request.user, district=district,
                                     instrument_id=filters.instrument,
                                     merchant_id=filters.merchant, passed=filters.passed,
                                     start=filters.start, end=filters.end)


@router.post("scales/checks", response={201: CheckOut})
def check_create(request: HttpRequest, code: PathStr, payload: CheckIn):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "scales.check_record", district)
    instrument = selectors.instrument_get(user=request.user, district=district,
                                          pk=payload.instrument_id)
    check: SpotCheck = services.spot_check_record(
        actor=request.user, district=district, instrument=instrument, load_g=payload.load_g,
        indications=payload.indications, note=payload.note, planned=payload.planned)
    return Status(201, check)


@router.get("scales/plan", response=PlanOut)
def plan(request: HttpRequest, code: PathStr, day: dt.date | None = None):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "scales.plan_view", district)
    stored = services.plan_ensure(district=district, day=day)
    view = selectors.plan_view(user=request.user, district=district, plan=stored)
    return {"day": stored.day, "window_days": stored.window_days, "quota": stored.quota,
            "digest": stored.digest, "done": view.done,
            "items": [{"instrument": r["instrument"], "reason": r["item"]["reason"],
                       "due_on": r["item"]["due_on"], "checked": r["check"] is not None,
                       "passed": r["check"].passed if r["check"] else None}
                      for r in view.rows]}


@router.get("scales/certificates", response=CertificatesOut)
def certificates(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    return selectors.certificates_overview(user=request.user, district=district)


# --- re-weighs --------------------------------------------------------------------------
@router.get("scales/reweighs", response=list[ReweighOut])
@paginate
def reweigh_list(request: HttpRequest, code: PathStr, filters: Query[ReweighFilter]):
    district = access_district(user=request.user, code=code)
    return selectors.reweigh_list(user=request.user, district=district,
                                  verdict=filters.verdict, merchant_id=filters.merchant)


def _reweigh(request: HttpRequest, district, payload: ReweighIn, *,
             public: bool = False) -> Reweigh:
    data = payload.dict()
    merchant_id, token = data.pop("merchant_id"), data.pop("merchant_token")
    if token:
        merchant = selectors.merchant_get_by_token(district=district, token=token)
    elif merchant_id is not None and not public:
        merchant = selectors.merchant_get(district=district, pk=merchant_id)
    else:
        raise ValidationFailed(_("请选择商户"), code="merchant_required")
    return services.reweigh_record(actor=request.user, district=district, merchant=merchant,
                                   client_key=ratelimit.client_ip(request), **data)


def _complain(request: HttpRequest, district, token: str, payload: ComplaintIn) -> dict:
    record = selectors.reweigh_get_public(district=district, token=token)
    record = services.reweigh_complain(actor=request.user, district=district, reweigh=record,
                                       reporter_phone=payload.reporter_phone,
                                       reporter_name=payload.reporter_name)
    return {"token": record.public_token, "work_order_id": record.work_order_id,
            "work_order_number": record.work_order.number}


@router.post("scales/reweighs", response={201: ReweighOut})
def reweigh_create(request: HttpRequest, code: PathStr, payload: ReweighIn):
    district = access_district(user=request.user, code=code)
    return Status(201, _reweigh(request, district, payload))


@router.post("scales/reweighs/{token}/complaint", response={201: ComplaintOut})
def reweigh_complaint(request: HttpRequest, code: PathStr, token: str, payload: ComplaintIn):
    district = access_district(user=request.user, code=code)
    return Status(201, _complain(request, district, token, payload))


@public_router.post("districts/{code}/scales/reweighs", response={201: ReweighOut},
                    auth=OPTIONAL_AUTH)
def public_reweigh_create(request: HttpRequest, code: PathStr, payload: ReweighIn):
    """The fair scale station: anyone may re-weigh, signed in or not (rate-limited)."""
    district = district_get_public(code=code)
    return Status(201, _reweigh(request, district, payload, public=True))


@public_router.post("districts/{code}/scales/reweighs/{token}/complaint",
                    response={201: ComplaintOut}, auth=OPTIONAL_AUTH)
def public_reweigh_complaint(request: HttpRequest, code: PathStr, token: str,
                             payload: ComplaintIn):
    """One tap: the unguessable token from the re-weigh answer files the complaint."""
    district = district_get_public(code=code)
    return Status(201, _complain(request, district, token, payload))


# --- KPIs and settings ------------------------------------------------------------------
@router.get("scales/kpis", response=ScalesKpiOut)
def kpi(request: HttpRequest, code: PathStr, start: dt.date | None = None,
        end: dt.date | None = None, period: str = "month"):
    district = access_district(user=request.user, code=code)
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=180)
    data = selectors.kpis(user=request.user, district=district, start=start, end=end,
                          period="week" if period == "week" else "month")
    return data


@router.get("scales/settings", response=SettingsIO)
def settings_get(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    return dict(settings_read(user=request.user, district=district, app="scales"))


@router.patch("scales/settings", response=SettingsIO)
def settings_patch(request: HttpRequest, code: PathStr, payload: SettingsIO):
    district = access_district(user=request.user, code=code)
    return dict(district_settings_update(actor=request.user, district=district, app="scales",
                                         values=payload.dict(exclude_unset=True)))


@router.get("scales/mpe", response=MpeOut)

def mpe(request: HttpRequest, code: PathStr, load_g: Decimal | None = None,
        e_g: Decimal | None = None, accuracy_class: str = "III", basis: str = "in_service"):
    """The MPE for a load: a reference for checkers preparing test weights."""
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "scales.check_view", district)
    if load_g is None or e_g is None:
        raise ValidationFailed(_("请提供载荷和分度值"), code="load_and_e_required")
    try:
        value = compute(load=load_g, e=e_g, cls=accuracy_class,
                        basis="initial" if basis == "initial" else "in_service")
    except MetrologyError as exc:
        raise as_validation_error(exc, "load_g") from None
    return {"load_g": str(load_g), "e_g": str(e_g), "accuracy_class": accuracy_class,
            "basis": basis, "mpe_g": str(value), "may_check": may_check(request.user, district)}
