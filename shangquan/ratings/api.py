"""Ratings API under /api/v1/districts/{code}/ratings/ (and the public open data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Path, Router, Schema, Status
from ninja.files import UploadedFile

from shangquan.core import policies
from shangquan.core.apibase import OPTIONAL_AUTH, Id, file_download, paginate
from shangquan.core.errors import NotFound
from shangquan.core.selectors import access_district, district_get_public
from shangquan.merchants.selectors import access_merchant, merchant_get_public

from . import selectors, services
from .models import Appeal, Flag, OutdoorCheck, OutdoorZone, Period, Result, Title

PathStr = Path[str]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

router = Router(tags=["ratings"])
public_router = Router(tags=["ratings"])
OPTIONAL_PHOTO = File(None)


# --- schemas ----------------------------------------------------------------------------------
class RatingDimension(Schema):
    code: str
    name: str
    weight: int


class RatingShares(Schema):
    association: int
    community: int
    residents: int


class RatingSchemeOut(Schema):
    shares: RatingShares
    flag_scope: str
    dimensions: list[RatingDimension]
    titles: list[str]


class RatingSchemeIn(Schema):
    shares: RatingShares
    flag_scope: str = "association"
    dimensions: list[RatingDimension]
    titles: list[str] | None = None


class RatingPeriodOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    year_end: bool
    dimensions: list[RatingDimension]
    shares: dict[str, int]
    flag_scope: str
    provisional_at: dt.datetime | None
    published_at: dt.datetime | None


class RatingPeriodIn(Schema):
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    name: str = ""
    year_end: bool | None = None


class RatingPublishIn(Schema):
    force: bool = False


class RatingRaterRow(Schema):
    rater_id: int
    rater: str
    party: str
    cells: int
    merchants: int


class RatingProgressOut(Schema):
    merchants: int
    association: int
    community: int
    resident_scores: int
    residents_enough: int
    raters: list[RatingRaterRow]


class RatingScoresIn(Schema):
    scores: dict[str, int | None]
    versions: dict[str, int] = {}
    note: str = ""


class RatingScoreOut(Schema):
    dimension: str
    value: int
    version: int
    party: str


class RatingResultOut(Schema):
    id: int
    period_id: int
    merchant_id: int
    merchant_name: str
    total: float
    grade: str
    band_grade: str
    capped: bool
    cap_reasons: list[str]
    sub_scores: dict[str, float]
    party_scores: dict[str, float | None]
    shares_used: dict[str, int]
    resident_count: int
    complaints: int
    reply: str
    rerating: str

    @staticmethod
    def resolve_merchant_name(obj: Result) -> str:
        return obj.merchant.name

    @staticmethod
    def resolve_total(obj: Result) -> float:
        return obj.total_tenths / 10

    @staticmethod
    def resolve_sub_scores(obj: Result) -> dict[str, float]:
        return {k: v / 10 for k, v in obj.dimension_tenths.items()}

    @staticmethod
    def resolve_party_scores(obj: Result) -> dict[str, float | None]:
        return {k: (None if v is None else v / 10) for k, v in obj.party_tenths.items()}


class RatingAdjustmentOut(Schema):
    id: int
    dimension: str
    rule: str
    points: int
    source_type: str
    source_id: int
    source_label: str
    source_url: str
    source_date: dt.date | None
    voided: bool
    void_reason: str


class RatingResultDetail(RatingResultOut):
    adjustments: list[RatingAdjustmentOut]


class RatingTextIn(Schema):
    text: str


class RatingAppealOut(Schema):
    id: int
    result_id: int
    period_id: int
    merchant_id: int
    merchant_name: str
    reason: str
    status: str
    filed_at: dt.datetime
    decision: str
    decided_at: dt.datetime | None
    contested_adjustments: list[int]
    voided_adjustments: list[int]

    @staticmethod
    def resolve_merchant_name(obj: Appeal) -> str:
        return obj.merchant.name


class RatingAppealIn(Schema):
    text: str
    # the deductions contested: ids of this result's adjustments (see the result's detail)
    adjustments: list[int] = []


class RatingDecisionIn(Schema):
    uphold: bool
    decision: str
    # upheld: which contested adjustments to void (omitted: all the appeal contested)
    void_adjustments: list[int] | None = None


class RatingReratingOut(Schema):
    id: int
    period_id: int
    merchant_id: int
    status: str
    note: str
    requested_at: dt.datetime


class RatingFlagOut(Schema):
    id: int
    period_id: int
    period_name: str
    scope: str
    association_id: int | None
    grid_id: int | None
    group_name: str
    merchant_id: int
    merchant_name: str
    total: float
    awarded_at: dt.datetime

    @staticmethod
    def resolve_period_name(obj: Flag) -> str:
        return obj.period.name

    @staticmethod
    def resolve_group_name(obj: Flag) -> str:
        group = obj.association or obj.grid
        return group.name if group else ""

    @staticmethod
    def resolve_merchant_name(obj: Flag) -> str:
        return obj.merchant.name

    @staticmethod
    def resolve_total(obj: Flag) -> float:
        return obj.total_tenths / 10


class RatingTitleOut(Schema):
    id: int
    kind: str
    kind_name: str
    merchant_id: int
    merchant_name: str
    status: str
    warned_until: dt.date | None
    public_reason: str
    listed_on: dt.date | None
    delisted_on: dt.date | None

    @staticmethod
    def resolve_kind(obj: Title) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: Title) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_merchant_name(obj: Title) -> str:
        return obj.merchant.name


class RatingTitleIn(Schema):
    merchant_id: Id
    kind: str
    reason: str = ""


class RatingTitleMoveIn(Schema):
    reason: str = ""
    deadline: dt.date | None = None


class RatingCeremonyIn(Schema):
    occasion: str  # "315" or "year_end"
    kinds: list[str] = []  # title kind codes; none = every kind
    award_candidates: bool = False
    flags: bool = True
    plaques: bool = True


class RatingZoneOut(Schema):
    id: int
    merchant_id: int
    merchant_name: str
    area_m2: float
    hours: str
    passage_m: float
    note: str

    @staticmethod
    def resolve_merchant_name(obj: OutdoorZone) -> str:
        return obj.merchant.name


class RatingZoneIn(Schema):
    area_m2: float
    hours: str = "17:00-23:00"
    passage_m: float = 1.5
    note: str = ""


class RatingCheckOut(Schema):
    id: int
    merchant_id: int
    checked_at: dt.datetime
    items: dict[str, int]
    score: float
    passed: bool
    has_photo: bool
    rectification_id: int | None

    @staticmethod
    def resolve_score(obj: OutdoorCheck) -> float:
        return obj.score_tenths / 10

    @staticmethod
    def resolve_has_photo(obj: OutdoorCheck) -> bool:
        return bool(obj.photo)


class RatingRateRow(Schema):
    total: int
    passed: int
    rate: float | None


class RatingWeekRow(RatingRateRow):
    week: dt.date | None


class RatingGridRow(RatingRateRow):
    grid: str


class RatingMerchantRow(RatingRateRow):
    merchant_id: int
    merchant: str


class RatingComplianceOut(Schema):
    since: dt.date
    total: int
    passed: int
    rate: float | None
    by_week: list[RatingWeekRow]
    by_grid: list[RatingGridRow]
    by_merchant: list[RatingMerchantRow]


class RatingHistoryRow(Schema):
    period: str
    starts_on: dt.date
    published_at: dt.datetime | None
    grade: str
    total: float


class RatingOpenDataRow(Schema):
    merchant: str
    token: str
    grade: str
    total: float
    rated_on: dt.datetime | None
    capped: bool
    sub_scores: dict[str, float]
    reply: str
    history: list[RatingHistoryRow]


class RatingStarsIn(Schema):
    stars: int


class RatingStarsOut(Schema):
    period_id: int
    merchant_id: int
    stars: int


# --- helpers ----------------------------------------------------------------------------------
def _period(request: HttpRequest, code: str, period_id: int) -> Period:
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.view", district)
    return selectors.access_period(district=district, period_id=period_id)


def _result_for_merchant_side(request: HttpRequest, code: str, result_id: int) -> Result:
    district = access_district(user=request.user, code=code)
    return selectors.access_result(district=district, result_id=result_id)


def _scheme_out(district: Any) -> dict[str, Any]:
    scheme = selectors.scheme_get(district=district)
    if scheme is None:
        from_defaults = services.schemes.DEFAULT_DIMENSIONS
        return {"shares": {"association": 40, "community": 30, "residents": 30},
                "flag_scope": "association",
                "dimensions": [{"code": c, "name": n, "weight": w} for c, n, w in from_defaults],
                "titles": [n for _c, n in services.schemes.DEFAULT_TITLES]}
    return {"shares": scheme.shares(), "flag_scope": scheme.flag_scope,
            "dimensions": list(selectors.dimension_list(district=district)
                               .values("code", "name", "weight")),
            "titles": [k.name for k in selectors.title_kind_list(district=district)]}


# --- scheme -------------------------------------------------------------------------------------
@router.get("ratings/scheme", response=RatingSchemeOut)
def scheme_detail(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.view", district)
    return _scheme_out(district)


@router.put("ratings/scheme", response=RatingSchemeOut)
def scheme_put(request: HttpRequest, code: PathStr, payload: RatingSchemeIn):
    district = access_district(user=request.user, code=code)
    services.scheme_update(actor=request.user, district=district, shares=payload.shares.dict(),
                           dimensions=[d.dict() for d in payload.dimensions],
                           flag_scope=payload.flag_scope, titles=payload.titles)
    return _scheme_out(district)


# --- periods ------------------------------------------------------------------------------------
@router.get("ratings/periods", response=list[RatingPeriodOut])
@paginate
def period_list(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.view", district)
    return selectors.period_list(district=district)


@router.post("ratings/periods", response={201: RatingPeriodOut})
def period_create(request: HttpRequest, code: PathStr, payload: RatingPeriodIn):
    district = access_district(user=request.user, code=code)
    return Status(201, services.period_create(actor=request.user, district=district,
                                              **payload.dict()))


@router.get("ratings/periods/{period_id}", response=RatingPeriodOut)
def period_detail(request: HttpRequest, code: PathStr, period_id: Id):
    return _period(request, code, period_id)


@router.post("ratings/periods/{period_id}/open", response=RatingPeriodOut)
def period_open(request: HttpRequest, code: PathStr, period_id: Id):
    return services.period_open(actor=request.user, period=_period(request, code, period_id))


@router.post("ratings/periods/{period_id}/close", response=RatingPeriodOut)
def period_close(request: HttpRequest, code: PathStr, period_id: Id):
    return services.period_close(actor=request.user, period=_period(request, code, period_id))


@router.post("ratings/periods/{period_id}/publish", response=RatingPeriodOut)
def period_publish(request: HttpRequest, code: PathStr, period_id: Id,
                   payload: RatingPublishIn | None = None):
    return services.period_publish(actor=request.user, period=_period(request, code, period_id),
                                   force=bool(payload and payload.force))


@router.post("ratings/periods/{period_id}/archive", response=RatingPeriodOut)
def period_archive(request: HttpRequest, code: PathStr, period_id: Id):
    return services.period_archive(actor=request.user, period=_period(request, code, period_id))


@router.get("ratings/periods/{period_id}/progress", response=RatingProgressOut)
def period_progress(request: HttpRequest, code: PathStr, period_id: Id):
    period = _period(request, code, period_id)
    return selectors.period_progress(user=request.user, period=period)


@router.post("ratings/periods/{period_id}/export", openapi_extra=file_download(XLSX))
def period_export(request: HttpRequest, code: PathStr, period_id: Id):
    """The period's results as xlsx (a POST: every export writes its audit row)."""
    period = _period(request, code, period_id)
    response = HttpResponse(services.period_export_xlsx(actor=request.user, period=period),
                            content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ratings-{period.pk}.xlsx"'
    return response


@router.put("ratings/periods/{period_id}/scores/{merchant_id}", response=list[RatingScoreOut])
def score_put(request: HttpRequest, code: PathStr, period_id: Id, merchant_id: Id,
              payload: RatingScoresIn):
    period = _period(request, code, period_id)
    merchant = access_merchant(district=period.district, merchant_id=merchant_id)
    return services.score_record(actor=request.user, period=period, merchant=merchant,
                                 scores=payload.scores, versions=payload.versions,
                                 note=payload.note)


# --- results ------------------------------------------------------------------------------------
@router.get("ratings/results", response=list[RatingResultOut])
@paginate
def result_list(request: HttpRequest, code: PathStr, period: Id | None = None, grade: str = "",
                q: str = ""):
    """A period's results (default: the latest period with results), best first."""
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.view", district)
    chosen = (selectors.access_period(district=district, period_id=period) if period
              else selectors.period_list(district=district).exclude(
                  status__in=[Period.Status.DRAFT, Period.Status.SCORING]).first())
    if chosen is None:
        return Result.objects.none()
    return selectors.result_list(user=request.user, period=chosen, grade=grade, q=q)


@router.get("ratings/results/{result_id}", response=RatingResultDetail)
def result_detail(request: HttpRequest, code: PathStr, result_id: Id):
    result = _result_for_merchant_side(request, code, result_id)
    if not (policies.can(request.user, "ratings.view", result.district)
            or policies.can(request.user, "ratings.reply", result)):
        raise NotFound()
    result.adjustments = selectors.result_explained(result=result)["adjustments"]
    return result


@router.get("ratings/mine", response=list[RatingResultOut])
def my_results(request: HttpRequest, code: PathStr):
    """The signed-in person's shops' results (owner or staff; empty for anyone else)."""
    district = access_district(user=request.user, code=code)
    return selectors.own_results(user=request.user, district=district)


@router.post("ratings/results/{result_id}/reply", response=RatingResultOut)
def result_reply(request: HttpRequest, code: PathStr, result_id: Id, payload: RatingTextIn):
    result = _result_for_merchant_side(request, code, result_id)
    return services.result_reply(actor=request.user, result=result, text=payload.text)


@router.post("ratings/results/{result_id}/appeal", response={201: RatingAppealOut})
def result_appeal(request: HttpRequest, code: PathStr, result_id: Id, payload: RatingAppealIn):
    result = _result_for_merchant_side(request, code, result_id)
    return Status(201, services.appeal_file(actor=request.user, result=result, reason=payload.text,
                                            adjustments=payload.adjustments))


@router.post("ratings/results/{result_id}/rerating", response={201: RatingReratingOut})
def result_rerating(request: HttpRequest, code: PathStr, result_id: Id, payload: RatingTextIn):
    result = _result_for_merchant_side(request, code, result_id)
    return Status(201, services.rerating_request(actor=request.user, result=result,
                                                 note=payload.text))


# --- appeals and re-ratings -----------------------------------------------------------------------
@router.get("ratings/appeals", response=list[RatingAppealOut])
@paginate
def appeal_list(request: HttpRequest, code: PathStr, status: str = ""):
    district = access_district(user=request.user, code=code)
    return selectors.appeal_list(user=request.user, district=district, status=status)


@router.post("ratings/appeals/{appeal_id}/decide", response=RatingAppealOut)
def appeal_decide(request: HttpRequest, code: PathStr, appeal_id: Id, payload: RatingDecisionIn):
    district = access_district(user=request.user, code=code)
    appeal = selectors.access_appeal(district=district, appeal_id=appeal_id)
    return services.appeal_decide(actor=request.user, appeal=appeal, uphold=payload.uphold,
                                  decision=payload.decision,
                                  void_adjustments=payload.void_adjustments)


@router.get("ratings/reratings", response=list[RatingReratingOut])
@paginate
def rerating_list(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.view", district)
    return selectors.rerating_list(district=district)


@router.post("ratings/reratings/{rerating_id}/complete", response=RatingResultOut)
def rerating_complete(request: HttpRequest, code: PathStr, rerating_id: Id):
    district = access_district(user=request.user, code=code)
    rerating = selectors.rerating_list(district=district).filter(pk=rerating_id).first()
    if rerating is None:
        raise NotFound()
    return services.rerating_complete(actor=request.user, rerating=rerating)


# --- awards ---------------------------------------------------------------------------------------
@router.get("ratings/flags", response=list[RatingFlagOut])
def flag_list(request: HttpRequest, code: PathStr):
    """The flags, newest period first (the first period's rows are the holders)."""
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.view", district)
    return selectors.flag_history(district=district)


@router.get("ratings/titles", response=list[RatingTitleOut])
@paginate
def title_list(request: HttpRequest, code: PathStr, status: str = ""):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.view", district)
    return selectors.title_list(district=district, status=status)


@router.post("ratings/titles", response={201: RatingTitleOut})
def title_propose(request: HttpRequest, code: PathStr, payload: RatingTitleIn):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.title_propose", district)
    merchant = access_merchant(district=district, merchant_id=payload.merchant_id)
    kind = selectors.title_kind_list(district=district).filter(code=payload.kind).first()
    if kind is None:
        raise NotFound()
    return Status(201, services.title_propose(actor=request.user, district=district,
                                              merchant=merchant, kind=kind, reason=payload.reason))


@router.post("ratings/titles/{title_id}/{action}", response=RatingTitleOut)
def title_move(request: HttpRequest, code: PathStr, title_id: Id, action: str,
               payload: RatingTitleMoveIn):
    district = access_district(user=request.user, code=code)
    title = selectors.access_title(district=district, title_id=title_id)
    return services.title_transition(actor=request.user, title=title, action=action,
                                     reason=payload.reason, deadline=payload.deadline)


@router.post("ratings/ceremonies", openapi_extra=file_download(PDF))
def ceremony(request: HttpRequest, code: PathStr, payload: RatingCeremonyIn):
    """A ceremony's batch award (3·15, year end): certificates and plaques as one PDF, one
    per page, the Chinese font embedded; optionally lists the candidates first."""
    district = access_district(user=request.user, code=code)
    data = services.ceremony_print(actor=request.user, district=district,
                                   occasion=payload.occasion, kinds=payload.kinds,
                                   award_candidates=payload.award_candidates,
                                   flags=payload.flags, plaques=payload.plaques)
    response = HttpResponse(data, content_type=PDF)
    response["Content-Disposition"] = 'attachment; filename="ceremony.pdf"'
    return response


# --- outdoor display ----------------------------------------------------------------------------------
@router.get("ratings/outdoor/zones", response=list[RatingZoneOut])
@paginate
def zone_list(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "ratings.outdoor_view", district)
    return selectors.outdoor_zone_list(district=district)


@router.put("ratings/outdoor/zones/{merchant_id}", response=RatingZoneOut)
def zone_put(request: HttpRequest, code: PathStr, merchant_id: Id, payload: RatingZoneIn):
    district = access_district(user=request.user, code=code)
    merchant = access_merchant(district=district, merchant_id=merchant_id)
    return services.outdoor_zone_save(actor=request.user, merchant=merchant,
                                      area_m2=str(payload.area_m2), hours=payload.hours,
                                      passage_m=str(payload.passage_m), note=payload.note)


@router.post("ratings/outdoor/checks", response={201: RatingCheckOut})
def check_create(request: HttpRequest, code: PathStr, merchant_id: Form[int],
                 area: Form[int], passage: Form[int], tidy: Form[int], hours: Form[int],
                 note: Form[str] = "", client_key: Form[str] = "",
                 photo: UploadedFile | None = OPTIONAL_PHOTO):
    district = access_district(user=request.user, code=code)
    merchant = access_merchant(district=district, merchant_id=merchant_id)
    check = services.outdoor_check_record(
        actor=request.user, merchant=merchant,
        items={"area": area, "passage": passage, "tidy": tidy, "hours": hours},
        photo=photo, note=note, client_key=client_key)
    return Status(201, check)


@router.get("ratings/outdoor/compliance", response=RatingComplianceOut)
def compliance(request: HttpRequest, code: PathStr, weeks: int = 8):
    district = access_district(user=request.user, code=code)
    return selectors.outdoor_compliance(user=request.user, district=district,
                                        weeks=max(1, min(weeks, 104)))


# --- public -------------------------------------------------------------------------------------------
@public_router.get("ratings/{code}/grades", response=list[RatingOpenDataRow], auth=None)
def open_data(request: HttpRequest, code: PathStr, limit: int = 500, offset: int = 0):
    """Open data: each merchant's latest published grade, sub-scores, date and history."""
    district = district_get_public(code=code)
    return selectors.open_data(district=district, limit=max(1, min(limit, 500)),
                               offset=max(0, offset))


@public_router.post("ratings/m/{token}/score", response={201: RatingStarsOut}, auth=OPTIONAL_AUTH)
def resident_score(request: HttpRequest, token: PathStr, payload: RatingStarsIn):
    """A resident's stars, from the QR page (signed in with a verified phone)."""
    merchant = merchant_get_public(token=token)
    row = services.resident_score_record(actor=request.user, merchant=merchant,
                                         stars=payload.stars)
    return Status(201, {"period_id": row.period_id, "merchant_id": row.merchant_id,
                        "stars": row.stars})


