"""Merchants and grids for tests (other modules' tests use these too): built by services."""

from __future__ import annotations

import itertools
from typing import Any

from shangquan.core.actors import SYSTEM
from shangquan.core.models import District
from shangquan.merchants import grids, services
from shangquan.merchants.licences import make_uscc
from shangquan.merchants.models import Grid, Merchant

_seq = itertools.count(1)


def licence_for(n: int) -> str:
    """A valid 统一社会信用代码 unique per ``n``."""
    return make_uscc(f"92350100MA{n:07d}")


def merchant_factory(district: District, **fields: Any) -> Merchant:
    n = next(_seq)
    fields.setdefault("name", f"测试商户{n}")
    fields.setdefault("licence_no", licence_for(n))
    fields.setdefault("category", "餐饮")
    status = fields.pop("status", None)
    actor = fields.pop("actor", SYSTEM)
    merchant = services.merchant_create(actor=actor, district=district, **fields)
    if status and status != Merchant.Status.OPEN:
        # Straight to the state a test needs; services audit real transitions.
        Merchant.objects.filter(pk=merchant.pk).update(status=status)
        merchant.refresh_from_db()
    return merchant


def grid_factory(district: District, **fields: Any) -> Grid:
    fields.setdefault("name", f"十邻铺测试{next(_seq)}")
    actor = fields.pop("actor", SYSTEM)
    return grids.grid_create(actor=actor, district=district, **fields)
