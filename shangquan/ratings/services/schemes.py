"""The rating scheme: dimensions, weights, the parties' shares; and the title list."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import ValidationFailed
from shangquan.core.models import District

from ..models import Dimension, FlagScope, Scheme, TitleKind

# 永安里商会's six dimensions (weights in percent).
DEFAULT_DIMENSIONS = (
    ("hygiene", "卫生", 20),
    ("service", "服务", 20),
    ("integrity", "诚信计量/明码标价", 20),
    ("safety", "安全", 15),
    ("frontage", "门前三包/外摆", 15),
    ("charity", "公益参与", 10),
)
DEFAULT_TITLES = (
    ("fangxin", "放心店"),
    ("shifanhu", "示范户"),
    ("fangxin_xiaofei", "放心消费示范单位"),
    ("weiquan_chengxin", "消费维权诚信个体工商户"),
    ("dangyuan_shifan", "党员示范店"),
)


def _scheme_snapshot(scheme: Scheme) -> dict[str, Any]:
    return {"shares": scheme.shares(), "flag_scope": scheme.flag_scope,
            "dimensions": [{"code": d.code, "name": d.name, "weight": d.weight}
                           for d in scheme.dimensions.order_by("position", "id")]}


@audited("ratings.scheme.create")
@transaction.atomic
def scheme_ensure(*, actor: Any, district: District) -> Scheme:
    """The district's scheme, created with the defaults (and the default titles) if missing."""
    scheme = Scheme.objects.filter(district=district).first()
    if scheme is not None:
        return scheme
    scheme, created = Scheme.objects.get_or_create(district=district)
    if not created:
        return scheme
    Dimension.objects.bulk_create([
        Dimension(district=district, scheme=scheme, code=code, name=name, weight=weight,
                  position=i) for i, (code, name, weight) in enumerate(DEFAULT_DIMENSIONS)])
    for i, (code, name) in enumerate(DEFAULT_TITLES):
        TitleKind.objects.get_or_create(district=district, code=code,
                                        defaults={"name": name, "position": i})
    audit_record(actor=actor, district=district, obj=scheme, action="ratings.scheme.create",
                 after=_scheme_snapshot(scheme))
    return scheme


@audited("ratings.scheme.create")
def scheme_seed_district(*, actor: Any, district: District) -> None:
    """``Contributions.district_created``: a new district starts with the default scheme."""
    scheme_ensure(actor=actor, district=district)


@audited("ratings.scheme.update")
@transaction.atomic
def scheme_update(*, actor: Any, district: District, shares: dict[str, int],
                  dimensions: list[dict[str, Any]], flag_scope: str = FlagScope.ASSOCIATION,
                  titles: list[str] | None = None) -> Scheme:
    """Replace the scheme's shares and dimensions (by code). Periods already scoring keep
    the copy they took when they opened."""
    policies.require(actor, "ratings.scheme_manage", district)
    scheme_ensure(actor=actor, district=district)
    scheme = Scheme.objects.select_for_update(of=("self",)).get(district=district)
    before = _scheme_snapshot(scheme)
    try:
        values = {p: int(shares.get(p, 0)) for p in ("association", "community", "residents")}
    except (TypeError, ValueError):
        raise ValidationFailed(_("占比须为整数"), code="shares_must_sum_100") from None
    if any(v < 0 or v > 100 for v in values.values()) or sum(values.values()) != 100:
        raise ValidationFailed(_("三方占比之和须为 100%"), code="shares_must_sum_100",
                               details={"shares": values})
    if flag_scope not in FlagScope.values:
        raise ValidationFailed(_("未知的流动红旗范围"), code="not_in_scope")
    cleaned = []
    seen = set()
    for row in dimensions:
        code = str(row.get("code", "")).strip().lower()[:20]
        name = str(row.get("name", "")).strip()[:30]
        try:
            weight = int(row.get("weight", 0))
        except (TypeError, ValueError):
            weight = 0
        if not code or not name or not 1 <= weight <= 100 or code in seen:
            raise ValidationFailed(_("每个维度须有代码、名称和 1–100 的权重"),
                                   code="weights_invalid", details={"dimension": code})
        seen.add(code)
        cleaned.append((code, name, weight))
    if not cleaned:
        raise ValidationFailed(_("至少需要一个评比维度"), code="weights_invalid")
    scheme.share_association = values["association"]
    scheme.share_community = values["community"]
    scheme.share_residents = values["residents"]
    scheme.flag_scope = flag_scope
    scheme.save()
    Dimension.objects.filter(district=district).exclude(code__in=seen).delete()
    for i, (code, name, weight) in enumerate(cleaned):
        Dimension.objects.update_or_create(district=district, code=code, defaults={
            "scheme": scheme, "name": name, "weight": weight, "position": i})
    if titles is not None:
        names = [t.strip()[:40] for t in titles if t.strip()]
        existing = {k.name: k for k in TitleKind.objects.filter(district=district)}
        for i, name in enumerate(names):
            kind = existing.get(name)
            if kind is None:
                TitleKind.objects.create(district=district, code=f"t{uuid.uuid4().hex[:12]}",
                                         name=name, position=i)
            else:
                kind.position, kind.is_active = i, True
                kind.save(update_fields=["position", "is_active"])
        TitleKind.objects.filter(district=district).exclude(name__in=names).update(is_active=False)
    audit_record(actor=actor, district=district, obj=scheme, action="ratings.scheme.update",
                 before=before, after=_scheme_snapshot(scheme))
    return scheme
