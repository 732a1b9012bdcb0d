"""Work orders for tests, built through the services (the real loop)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shangquan.core.roles import Role

from .. import services
from ..models import WorkOrder


def photo_upload(name: str = "p.jpg", colour: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def order_factory(persona, *, actor=None, category_code: str = "oil_fume",
                  channel: str = "resident", description: str = "烧烤摊油烟很大，影响居民开窗",
                  **fields: Any) -> WorkOrder:
    actor = actor or persona.people[Role.RESIDENT]
    return services.work_order_submit(actor=actor, district=persona.district,
                                      category_code=category_code, description=description,
                                      channel=channel, **fields)


def advance(persona, order: WorkOrder, to: str, *, rating: str = "satisfied") -> WorkOrder:
    """Walk an order through the loop to ``to`` (dispatched/accepted/resolved/closed)."""
    district, people = persona.district, persona.people
    steps = ["dispatched", "accepted", "resolved", "closed"]
    for step in steps[:steps.index(to) + 1]:
        if step == "dispatched":
            order = services.work_order_dispatch(actor=people[Role.COMMITTEE], district=district,
                                                 order=order, department=persona.department)
        elif step == "accepted":
            order = services.work_order_accept(actor=people[Role.DEPARTMENT], district=district,
                                               order=order)
        elif step == "resolved":
            order = services.work_order_resolve(actor=people[Role.DEPARTMENT], district=district,
                                                order=order, note="已约谈商户，安装油烟净化器")
        elif step == "closed":
            order = services.work_order_rate(actor=order.reporter, district=district,
                                             order=order, rating=rating)
    return order
