"""Announcements with read receipts, and the daily digest of this app's notifications."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import District
from shangquan.core.roles import Role
from shangquan.merchants.models import Grid, Merchant

from ..models import Announcement, DigestItem, Receipt
from ..rules import owned_merchant, staff_of
from ._common import _notify as notify


@audited("deliberation.announcement.publish")
@transaction.atomic
def announcement_publish(*, actor: Any, district: District, title: str, body: str,
                         kind: str = "notice", audience: str = "all",
                         grid: Grid | None = None) -> Announcement:
    policies.require(actor, "deliberation.announce", district)
    if not (title or "").strip() or not (body or "").strip():
        raise ValidationFailed(_("请填写标题和正文"), code="title_required")
    if kind not in Announcement.Kind.values or audience not in Announcement.Audience.values:
        raise ValidationFailed(code="wrong_kind")
    if (audience == Announcement.Audience.GRID) != (grid is not None):
        raise ValidationFailed(_("面向网格的公告须选择网格"), code="wrong_kind")
    if grid is not None and grid.district_id != district.pk:
        raise NotFound()
    item = Announcement.objects.create(district=district, title=title.strip()[:120],
                                       body=body.strip(), kind=kind, audience=audience,
                                       grid=grid, author=actor if getattr(
                                           actor, "is_authenticated", False) else None)
    audit_record(actor=actor, district=district, obj=item,
                 action="deliberation.announcement.publish",
                 after=snapshot(item, ["title", "kind", "audience", "grid"]))
    roles = {"merchants": (Role.MERCHANT,), "residents": (Role.RESIDENT,),
             "grid": (Role.MERCHANT,), "all": (Role.MERCHANT, Role.RESIDENT)}[audience]
    users = staff_of(district, *roles)
    if grid is not None:
        owners = set(Merchant.objects.filter(district=district, grid=grid)
                     .values_list("owner_id", flat=True))
        users = [u for u in users if u.pk in owners]
    notify(district=district, users=users, title=_("公告：%(t)s") % {"t": item.title[:60]})
    return item


@audited("deliberation.announcement.read")
def announcement_read(*, actor: Any, announcement: Announcement,
                      merchant: Merchant | None = None) -> Receipt | None:
    """A merchant's read receipt (once; later reads change nothing)."""
    try:
        shop = owned_merchant(actor, announcement.district, merchant, speaks=False)
    except (PermissionDenied, NotAuthenticated):  # non-merchants read without a receipt
        return None
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(district=announcement.district,
                                             announcement=announcement, merchant=shop, user=actor)
            audit_record(actor=actor, district=announcement.district, obj=receipt,
                         action="deliberation.announcement.read", after={"merchant": shop.pk})
    except IntegrityError:
        return Receipt.objects.get(announcement=announcement, merchant=shop)
    return receipt


@audited("deliberation.digest.send")
def digests_send(*, now: Any = None) -> int:
    """One digest per person with something new; nobody gets an empty one."""
    now = now or timezone.now()
    sent = 0
    pending = (DigestItem.objects.filter(sent_at__isnull=True, created_at__lte=now)
               .order_by("district_id", "user_id", "created_at", "id"))
    groups: dict[tuple[int, int], list[DigestItem]] = {}
    for item in pending.select_related("district", "user")[:20000]:
        groups.setdefault((item.district_id, item.user_id), []).append(item)
    for items in groups.values():
        with transaction.atomic():
            first = items[0]
            lines = [f"· {i.title}" for i in items[:20]]
            if len(items) > 20:
                lines.append(_("……另有 %(n)d 条") % {"n": len(items) - 20})
            core_services.notification_send(
                district=first.district, user=first.user,
                title=_("商居议事每日摘要（%(n)d 条）") % {"n": len(items)},
                body="\n".join(lines), link=first.link)
            DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(sent_at=now)
            audit_record(actor=SYSTEM, district=first.district, action="deliberation.digest.send",
                         object_type="auth.user", object_id=first.user_id,
                         after={"items": len(items)})
        sent += 1
    return sent
