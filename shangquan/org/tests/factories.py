"""Party units, members and stations for tests, built through the services."""

from __future__ import annotations

import itertools
from typing import Any

from shangquan.core.actors import SYSTEM
from shangquan.core.models import District
from shangquan.org import services
from shangquan.org.models import LiaisonStation, OrgUnit, PartyMember

_seq = itertools.count(1)


def unit_factory(district: District, **fields: Any) -> OrgUnit:
    fields.setdefault("name", f"测试党支部{next(_seq)}")
    return services.org_unit_create(actor=SYSTEM, district=district, **fields)


def party_member_factory(district: District, **fields: Any) -> PartyMember:
    fields.setdefault("name", f"党员{next(_seq)}")
    if "unit" not in fields:
        fields["unit"] = unit_factory(district)
    return services.party_member_create(actor=SYSTEM, district=district, **fields)


def station_factory(district: District, **fields: Any) -> LiaisonStation:
    fields.setdefault("name", f"联络站{next(_seq)}")
    return services.station_create(actor=SYSTEM, district=district, **fields)
