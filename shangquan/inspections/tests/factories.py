"""Build inspection data for tests through the real services."""

from __future__ import annotations

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shangquan.merchants.models import Grid, Merchant

_seq = itertools.count(1)


def grid_factory(district, **fields) -> Grid:
    try:  # the merchants app's factory when it exists: it builds through its services
        from shangquan.merchants.tests.factories import grid_factory as theirs
    except ImportError:
        theirs = None
    if theirs is not None:
        return theirs(district, **fields)
    fields.setdefault("name", f"网格{next(_seq)}")
    return Grid.objects.create(district=district, **fields)


def merchant_factory(district, **fields) -> Merchant:
    try:
        from shangquan.merchants.tests.factories import merchant_factory as theirs
    except ImportError:
        theirs = None
    if theirs is not None:
        return theirs(district, **fields)
    n = next(_seq)
    fields.setdefault("name", f"测试商户{n}")
    fields.setdefault("licence_no", f"92210700MA{n:08d}")
    fields.setdefault("category", "小吃")
    return Merchant.objects.create(district=district, **fields)


def photo(name: str = "p.jpg", color: str = "red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")
