"""Personal data helpers: phones and photos (DESIGN section 4 and 9)."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ValidationFailed
from .masking import name_mask, phone_mask

__all__ = ["name_mask", "phone_mask", "phone_normalize", "phone_is_valid", "phone_show",
           "photo_clean", "photos_clean", "CleanPhoto"]

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def phone_normalize(raw: str) -> str:
    """A mainland phone in canonical form: 11-digit mobile or area code + number.

    Accepts spaces, dashes, brackets and a +86/0086 prefix.
    """
    digits = re.sub(r"[\s\-()（）]", "", str(raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    raise ValidationFailed(_("手机号格式不正确"), code="invalid_phone",
                           details={"phone": str(raw)[:30]})


def phone_is_valid(raw: str) -> bool:
    try:
        phone_normalize(raw)
    except ValidationFailed:
        return False
    return True




def phone_show(phone: str | None, *, reveal: bool) -> str:
    return phone or "" if reveal else phone_mask(phone)


_ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "MPO": "jpg"}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    width: int
    height: int
    content_type: str


def photo_clean(upload, *, max_bytes: int | None = None) -> CleanPhoto:
    """Sniff the real type, refuse what is not a photo, re-encode without EXIF/GPS.

    The file name and declared content type are ignored: the bytes decide. Rotation
    from the EXIF orientation is applied before the metadata is dropped.
    """
    limit = max_bytes or settings.SHANGQUAN["PHOTO_MAX_BYTES"]
    size = getattr(upload, "size", None)
    # One byte past the limit, never the whole file: a 50 MB upload stops at the limit.
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)[:limit + 1]
    size = len(data) if size is None else size
    if size > limit or len(data) > limit:
        raise ValidationFailed(_("照片太大（上限 %(mb)s MB）") % {"mb": limit // (1024 * 1024)},
                               code="photo_too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationFailed(_("只能上传照片（JPEG、PNG、WebP）"), code="photo_invalid") from None
    if fmt not in _ALLOWED_FORMATS:
        raise ValidationFailed(_("只能上传照片（JPEG、PNG、WebP）"), code="photo_invalid")
    image = ImageOps.exif_transpose(image)
    side = settings.SHANGQUAN["PHOTO_MAX_SIDE"]
    if max(image.size) > side:
        image.thumbnail((side, side))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    # A fresh JPEG carries no EXIF, GPS or comments from the original.
    image.save(out, format="JPEG", quality=85, optimize=True)
    name = f"{uuid.uuid4().hex}.jpg"
    return CleanPhoto(ContentFile(out.getvalue(), name=name), image.width, image.height,
                      "image/jpeg")


def photos_clean(uploads: list, *, already: int = 0) -> list[CleanPhoto]:
    limit = settings.SHANGQUAN["PHOTO_MAX_COUNT"]
    if len(uploads) + already > limit:
        raise ValidationFailed(_("最多上传 %(n)s 张照片") % {"n": limit}, code="too_many_photos")
    return [photo_clean(u) for u in uploads]
