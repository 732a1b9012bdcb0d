"""十邻铺: proposing grids of ~10 neighbouring shops, editing them, 邻铺长+N contacts.

The proposal orders shops along a Hilbert curve over their coordinates (neighbours on
the map stay neighbours in the order) and cuts the order into balanced runs, so the
same shops always give the same grids and every shop lands in exactly one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, ValidationFailed
from shangquan.core.models import District
from shangquan.core.pii import phone_normalize

from .models import Grid, GridContact, Merchant

HILBERT_ORDER = 16


def _hilbert_index(x: int, y: int, order: int = HILBERT_ORDER) -> int:
    n = 1 << order
    d = 0
    s = n >> 1
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = n - 1 - x, n - 1 - y
            x, y = y, x
        s >>= 1
    return d


@dataclass
class ProposedGrid:
    name: str
    merchant_ids: list[int] = field(default_factory=list)
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _order_key_factory(rows: list[dict]):
    located = [r for r in rows if r["latitude"] is not None and r["longitude"] is not None]
    if not located:
        return lambda r: (1, 0, r["address"], r["stall_no"], r["id"])
    lats = [float(r["latitude"]) for r in located]
    lons = [float(r["longitude"]) for r in located]
    lat0, lon0 = min(lats), min(lons)
    # Scale both axes alike (metres-ish) so the curve does not stretch one direction.
    span = max(max(lats) - lat0, (max(lons) - lon0) * math.cos(math.radians(lat0)), 1e-9)
    top = (1 << HILBERT_ORDER) - 1

    def key(r: dict):
        if r["latitude"] is None or r["longitude"] is None:
            # Shops without coordinates follow, in address/stall order.
            return (1, 0, r["address"], r["stall_no"], r["id"])
        x = int((float(r["longitude"]) - lon0) * math.cos(math.radians(lat0)) / span * top)
        y = int((float(r["latitude"]) - lat0) / span * top)
        return (0, _hilbert_index(x, y), r["address"], r["stall_no"], r["id"])

    return key


def grids_propose(*, district: District, size: int = 10, prefix: str = "") -> list[ProposedGrid]:
    """Balanced groups of about ``size`` neighbouring shops (not yet saved)."""
    if not 2 <= size <= 50:
        raise ValidationFailed(_("每个网格的商户数应在 2–50 之间"), code="grid_size")
    rows = list(Merchant.objects.filter(district=district)
                .exclude(status=Merchant.Status.DEREGISTERED)
                .values("id", "latitude", "longitude", "address", "stall_no"))
    if not rows:
        return []
    rows.sort(key=_order_key_factory(rows))
    count = max(1, round(len(rows) / size))
    base, extra = divmod(len(rows), count)
    prefix = prefix or "十邻铺"  # grid names are data, kept in Chinese
    out, start = [], 0
    for i in range(count):
        chunk = rows[start:start + base + (1 if i < extra else 0)]
        start += len(chunk)
        located = [r for r in chunk if r["latitude"] is not None]
        grid = ProposedGrid(name=f"{prefix}{i + 1:03d}", merchant_ids=[r["id"] for r in chunk])
        if located:
            q = Decimal("0.000001")
            grid.latitude = (sum(r["latitude"] for r in located) / len(located)).quantize(q)
            grid.longitude = (sum(r["longitude"] for r in located) / len(located)).quantize(q)
        out.append(grid)
    return out


@audited("merchants.grid.apply_proposal")
@transaction.atomic
def grids_apply(*, actor: Any, district: District, proposal: list[ProposedGrid]) -> list[Grid]:
    """Save a proposal: grids by name (kept leaders and contacts), every shop moved in."""
    policies.require(actor, "grid.manage", district)
    seen: set[int] = set()
    for proposed in proposal:
        if seen & set(proposed.merchant_ids):
            raise ValidationFailed(_("同一商户不能分在两个网格"), code="grid_overlap")
        seen.update(proposed.merchant_ids)
    grids = []
    for proposed in proposal:
        grid, _created = Grid.objects.get_or_create(district=district, name=proposed.name)
        grid.latitude, grid.longitude = proposed.latitude, proposed.longitude
        grid.save(update_fields=["latitude", "longitude"])
        Merchant.objects.filter(district=district, pk__in=proposed.merchant_ids).update(grid=grid)
        grids.append(grid)
    kept = {g.pk for g in grids}
    removed = []
    for old in Grid.objects.filter(district=district).exclude(pk__in=kept):
        if not old.merchants.exists():
            try:
                with transaction.atomic():
                    old.delete()
                removed.append(old.name)
            except ProtectedError:  # another module still points at it: keep, empty
                pass
    audit_record(actor=actor, district=district, action="merchants.grid.apply_proposal",
                 object_type="merchants.grid", object_id="*",
                 after={"grids": len(grids), "merchants": len(seen), "removed": removed})
    return grids


def grid_nearest(*, district: District, latitude: Any, longitude: Any,
                 grids: list[Grid] | None = None) -> Grid | None:
    """The grid whose centre is nearest (new shops join it), or None without grids.

    ``grids`` (all of the district's, by name) saves the query when placing many shops.
    """
    if grids is None:
        grids = list(Grid.objects.filter(district=district).order_by("name"))
    located = [g for g in grids if g.latitude is not None]
    if latitude is None or longitude is None or not located:
        return grids[0] if grids else None
    grids = located
    lat, lon = float(latitude), float(longitude)
    return min(grids, key=lambda g: ((float(g.latitude) - lat) ** 2
                                     + (float(g.longitude) - lon) ** 2, g.name))


@audited("merchants.grid.create")
@transaction.atomic
def grid_create(*, actor: Any, district: District, name: str, leader: Any = None,
                leader_name: str = "", public_contact: str = "") -> Grid:
    policies.require(actor, "grid.manage", district)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("网格名称不能为空"), code="name_required")
    if Grid.objects.filter(district=district, name=name).exists():
        raise Conflict(_("同名网格已存在"), code="grid_exists")
    grid = Grid.objects.create(district=district, name=name, leader=leader,
                               leader_name=leader_name, public_contact=public_contact)
    audit_record(actor=actor, district=district, obj=grid, action="merchants.grid.create",
                 after=snapshot(grid))
    return grid


@audited("merchants.grid.update")
@transaction.atomic
def grid_update(*, actor: Any, grid: Grid, **fields: Any) -> Grid:
    policies.require(actor, "grid.manage", grid.district)
    allowed = {"name", "leader", "leader_name", "public_contact"}
    if set(fields) - allowed:
        raise ValidationFailed(_("不能修改这些字段"), code="unknown_fields")
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            raise ValidationFailed(_("网格名称不能为空"), code="name_required")
        if Grid.objects.filter(district=grid.district, name=fields["name"]).exclude(
                pk=grid.pk).exists():
            raise Conflict(_("同名网格已存在"), code="grid_exists")
    before = snapshot(grid)
    for key, value in fields.items():
        setattr(grid, key, value)
    grid.save()
    audit_record(actor=actor, district=grid.district, obj=grid, action="merchants.grid.update",
                 before=before, after=snapshot(grid))
    return grid


@audited("merchants.grid.assign")
@transaction.atomic
def grid_assign(*, actor: Any, grid: Grid, merchants: list[Merchant]) -> int:
    """Move shops into a grid by hand (a shop is only ever in one grid)."""
    policies.require(actor, "grid.manage", grid.district)
    ids = [m.pk for m in merchants if m.district_id == grid.district_id]
    if len(ids) != len(merchants):
        raise ValidationFailed(_("商户不属于本商圈"), code="merchant_foreign")
    before = dict(Merchant.objects.filter(pk__in=ids).values_list("id", "grid_id"))
    moved = Merchant.objects.filter(pk__in=ids).update(grid=grid)
    audit_record(actor=actor, district=grid.district, obj=grid, action="merchants.grid.assign",
                 before={"grids": before}, after={"grid": grid.pk, "merchants": ids})
    return moved


@audited("merchants.grid.contact_add")
@transaction.atomic
def grid_contact_add(*, actor: Any, grid: Grid, kind: str, name: str,
                     phone: str = "") -> GridContact:
    policies.require(actor, "grid.manage", grid.district)
    if kind not in GridContact.Kind.values:
        raise ValidationFailed(_("未知的联系人类型"), code="unknown_kind")
    if not name.strip():
        raise ValidationFailed(_("姓名不能为空"), code="name_required")
    contact = GridContact.objects.create(district=grid.district, grid=grid, kind=kind,
                                         name=name.strip(),
                                         phone=phone_normalize(phone) if phone else "")
    audit_record(actor=actor, district=grid.district, obj=contact, action="merchants.grid.contact_add",
                 after=snapshot(contact))
    return contact
