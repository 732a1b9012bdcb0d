"""Ceremonies (3·15, year end): a batch award that prints the certificates and plaques."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import ValidationFailed
from shangquan.core.models import District

from .. import selectors
from ..certificates import Page, ceremony_pdf
from ..models import Title
from .awards import _move

# occasion → how the certificate names it (with the year)
OCCASIONS = {
    "315": "%(year)s年“3·15”国际消费者权益日诚信评选",
    "year_end": "%(year)s年度文明诚信商户评比",
}


def _occasion_text(occasion: str, year: int) -> str:
    if occasion not in OCCASIONS:
        raise ValidationFailed(_("未知的颁奖场合"), code="unknown_occasion",
                               details={"occasion": occasion, "known": sorted(OCCASIONS)})
    return OCCASIONS[occasion] % {"year": year}


@audited("ratings.ceremony.print", "ratings.title.list")
@transaction.atomic
def ceremony_print(*, actor: Any, district: District, occasion: str,
                   kinds: list[str] | None = None, award_candidates: bool = False,
                   flags: bool = True, plaques: bool = True) -> bytes:
    """The batch award of a ceremony as one PDF, one page each.

    ``award_candidates`` first lists every candidate of the chosen title kinds (each move
    audited, the merchant told). Then every listed title of those kinds (all kinds when
    none is named) gets a certificate and, with ``plaques``, its plaque; with ``flags`` each
    current 流动红旗 holder gets a certificate too."""
    policies.require(actor, "ratings.ceremony", district)
    today = timezone.localdate()
    occasion_label = _occasion_text(occasion, today.year)
    known = {k.code: k for k in selectors.title_kind_list(district=district)}
    chosen = list(kinds or [])
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise ValidationFailed(_("未知的称号"), code="unknown_title_kind",
                               details={"kinds": unknown})
    kind_ids = [known[c].pk for c in chosen] or [k.pk for k in known.values()]
    awarded = 0
    if award_candidates:
        candidates = (Title.objects.select_for_update(of=("self",))
                      .filter(district=district, kind_id__in=kind_ids,
                              status=Title.Status.CANDIDATE)
                      .select_related("kind", "merchant", "merchant__district", "district")
                      .order_by("pk"))
        for title in candidates:
            policies.require(actor, "ratings.title_list", title)
            _move(actor, title, "list", reason=occasion_label)
            awarded += 1
    # a certificate is a Chinese document whatever the console's language
    issuer = f"{district.name}商圈共治委员会"
    date = f"{today.year}年{today.month}月{today.day}日"
    pages: list[Page] = []
    titles = list(Title.objects.filter(district=district, kind_id__in=kind_ids,
                                       status=Title.Status.LISTED)
                  .select_related("kind", "merchant").order_by("kind__position", "merchant__name"))
    for title in titles:
        common = {"merchant": title.merchant.name, "title": title.kind.name,
                  "district": district.name, "occasion": occasion_label, "issuer": issuer,
                  "date": date}
        pages.append(Page(kind="certificate", **common))
        if plaques:
            pages.append(Page(kind="plaque", **common))
    holders = selectors.flag_holders(district=district) if flags else []
    for flag in holders:
        pages.append(Page(kind="certificate", merchant=flag.merchant.name, title="流动红旗",
                          district=district.name, occasion=occasion_label, issuer=issuer,
                          date=date, detail=f"{flag.period.name} · {flag.group_name}"))
    if not pages:
        raise ValidationFailed(_("没有可颁发的称号或红旗"), code="nothing_to_print")
    data = ceremony_pdf(pages, title=occasion_label)
    audit_record(actor=actor, district=district, action="ratings.ceremony.print",
                 object_type="ratings.ceremony", object_id=occasion,
                 after={"occasion": occasion, "kinds": chosen, "awarded": awarded,
                        "certificates": sum(p.kind == "certificate" for p in pages),
                        "plaques": sum(p.kind == "plaque" for p in pages),
                        "pages": len(pages)})
    return data
