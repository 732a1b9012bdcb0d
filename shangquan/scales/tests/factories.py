"""Instruments, checks and re-weighs for tests, built through the services."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from shangquan.core.actors import SYSTEM
from shangquan.core.models import District
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales import services
from shangquan.scales.models import Instrument

_seq = itertools.count(1)


def instrument_factory(district: District, merchant=None, **fields: Any) -> Instrument:
    """A 15 kg × 5 g class III price-computing scale, in use, with a valid certificate."""
    import datetime as dt

    from django.utils import timezone

    n = next(_seq)
    merchant = merchant or merchant_factory(district)
    fields.setdefault("maker", "上海友声衡器")
    fields.setdefault("serial_no", f"YS{n:06d}")
    fields.setdefault("max_capacity_g", Decimal(15000))
    fields.setdefault("e_g", Decimal(5))
    fields.setdefault("certificate_no", f"JD{n:06d}")
    fields.setdefault("certificate_date", timezone.localdate() - dt.timedelta(days=30))
    actor = fields.pop("actor", SYSTEM)
    return services.instrument_register(actor=actor, district=district, merchant=merchant,
                                        **fields)
