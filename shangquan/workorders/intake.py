"""What every report looks up, remembered for a few seconds in each process.

A crowd of reports costs no query for the district (by its code) nor for the category
(by district and code, with its department): both are kept in a per-process LRU
(``core.pagecache.PageCache``) for ``SECONDS``. A saved or deleted category or district
is forgotten at once in the process that saved it, and within ``SECONDS`` in the others
(a deactivated category stops taking reports; a closed district answers 404).
"""

from __future__ import annotations

import copy
import io
import os
import re
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from shangquan.core.errors import ValidationFailed
from shangquan.core.models import Department, District
from shangquan.core.pagecache import PageCache
from shangquan.core.pii import _ALLOWED_FORMATS as ALLOWED_FORMATS
from shangquan.core.selectors import district_get_public

from .models import Category

SECONDS = 3.0
DISTRICTS = PageCache(seconds=SECONDS, size=2000)  # (code,) → an active District
CATEGORIES = PageCache(seconds=SECONDS, size=20000)  # (district id, code) → Category | False


def public_district(*, code: str) -> District:
    """The active district with this code (``NotFound`` otherwise)."""
    code = str(code).upper()[:32]
    known = DISTRICTS.get((code,), None)
    if known is None:
        known = district_get_public(code=code)
        DISTRICTS.put((code,), None, known)
    return copy.copy(known)


def active_category(*, district: District, code: str) -> Category | None:
    """The district's active category with this code and its department, or None."""
    key = (district.pk, str(code)[:64])
    known = CATEGORIES.get(key, None)
    if known is None:
        known = (Category.objects.filter(district=district, code=code, is_active=True)
                 .select_related("department").first()) or False
        CATEGORIES.put(key, None, known)
    if known is False:
        return None
    category = copy.copy(known)
    category.district = district
    return category


@receiver(post_save, sender=Category, dispatch_uid="workorders-intake-category-saved")
@receiver(post_delete, sender=Category, dispatch_uid="workorders-intake-category-deleted")
def _category_changed(sender: Any, instance: Category, **kwargs: Any) -> None:
    CATEGORIES.forget(instance.district_id)


@receiver(post_save, sender=Department, dispatch_uid="workorders-intake-department-saved")
def _department_changed(sender: Any, instance: Department, **kwargs: Any) -> None:
    CATEGORIES.forget(instance.district_id)


@receiver(post_save, sender=District, dispatch_uid="workorders-intake-district-saved")
@receiver(post_delete, sender=District, dispatch_uid="workorders-intake-district-deleted")
def _district_changed(sender: Any, instance: District, **kwargs: Any) -> None:
    DISTRICTS.forget(str(instance.code).upper())
    CATEGORIES.forget(instance.pk)


# --- photos: received now, stripped and re-encoded by the follow-up task ---------------
def pending_root() -> Path:
    """Where received photos wait for the task. Outside ``MEDIA_ROOT``: nothing serves
    this folder, and no row names a file in it, so an original with its EXIF/GPS is never
    reachable; the task writes the stripped copy to the media storage and deletes it."""
    root = getattr(settings, "PENDING_UPLOADS_ROOT", None)
    return Path(root) if root else Path(settings.MEDIA_ROOT).resolve().parent / "pending-photos"


def photos_hold(uploads: list) -> list[str]:
    """Check each upload is a photo within the limits (the bytes decide, as
    ``pii.photo_clean``), keep it in :func:`pending_root`; the names, for the task."""
    limit = settings.SHANGQUAN["PHOTO_MAX_COUNT"]
    if len(uploads) > limit:
        raise ValidationFailed(_("最多上传 %(n)s 张照片") % {"n": limit}, code="too_many_photos")
    max_bytes = settings.SHANGQUAN["PHOTO_MAX_BYTES"]
    held = []
    for upload in uploads:
        data = upload.read(max_bytes + 1) if hasattr(upload, "read") else bytes(upload)
        if len(data) > max_bytes or (getattr(upload, "size", 0) or 0) > max_bytes:
            raise ValidationFailed(_("照片太大（上限 %(mb)s MB）")
                                   % {"mb": max_bytes // (1024 * 1024)}, code="photo_too_large")
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                probe.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
                Image.DecompressionBombError):
            raise ValidationFailed(_("只能上传照片（JPEG、PNG、WebP）"),
                                   code="photo_invalid") from None
        if fmt not in ALLOWED_FORMATS:
            raise ValidationFailed(_("只能上传照片（JPEG、PNG、WebP）"), code="photo_invalid")
        held.append(data)
    root = pending_root()
    root.mkdir(parents=True, exist_ok=True)
    names = []
    for data in held:
        name = f"{uuid.uuid4().hex}.upload"
        path = root / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        names.append(name)
    return names


def held_photo(name: str) -> Path:
    """The path of a held photo from its name (a bare file name, nothing else)."""
    if not re.fullmatch(r"[0-9a-f]{32}\.upload", name):
        raise ValueError(name)
    return pending_root() / name
