"""The result computation: evidence → adjustments (each linked to its row) → results."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from .. import rules, selectors
from ..models import Adjustment, Period, Result


def _compute(period: Period, merchant_ids: Iterable[int] | None = None) -> int:
    """Gather the evidence, store its adjustments (each linked to its row; a voided one
    stays voided) and (re)compute the results of the period's merchants. Returns the
    number of results written. A fixed number of queries, whatever the merchant count."""
    district = period.district
    settings = selectors.settings_for(district)
    ids = None if merchant_ids is None else list(merchant_ids)
    if ids is None:
        merchants = list(selectors.merchants_in_scope(district=district).values_list("pk", flat=True))
    else:
        merchants = ids
    evidence = selectors.period_evidence(period=period)
    wanted = set(merchants)
    Adjustment.objects.bulk_create([
        Adjustment(district=district, period=period, merchant_id=merchant_id, **row)
        for merchant_id, rows in evidence["adjustments"].items() if merchant_id in wanted
        for row in rows], ignore_conflicts=True, batch_size=500)
    scores = selectors.staff_scores(period=period, merchant_ids=ids)
    residents = selectors.resident_values(period=period, merchant_ids=ids)
    adjustments = selectors.adjustment_totals(period=period, merchant_ids=ids)
    existing = {r.merchant_id: r for r in Result.objects.filter(
        district=district, period=period, **({"merchant_id__in": ids} if ids is not None else {}))}
    now = timezone.now()
    create, update = [], []
    for merchant_id in merchants:
        outcome = rules.compute(
            dimensions=period.dimensions, shares=period.shares,
            staff_scores=scores.get(merchant_id, {}),
            resident_values=residents.get(merchant_id, []),
            adjustments=adjustments.get(merchant_id, {}),
            min_residents=settings.min_resident_scores, trim_percent=settings.trim_percent,
            open_serious=merchant_id in evidence["open_serious"])
        fields = {"total_tenths": outcome.total_tenths, "grade": outcome.grade,
                  "band_grade": outcome.band_grade, "capped": outcome.capped,
                  "cap_reasons": outcome.cap_reasons,
                  "dimension_tenths": outcome.dimension_tenths,
                  "party_tenths": outcome.party_tenths, "shares_used": outcome.shares_used,
                  "resident_count": outcome.resident_count,
                  "complaints": evidence["complaints"].get(merchant_id, 0), "computed_at": now}
        result = existing.get(merchant_id)
        if result is None:
            create.append(Result(district=district, period=period, merchant_id=merchant_id,
                                 **fields))
        else:
            for key, value in fields.items():
                setattr(result, key, value)
            update.append(result)
    Result.objects.bulk_create(create, batch_size=500)
    if update:
        Result.objects.bulk_update(update, list(fields), batch_size=500)
    return len(create) + len(update)


