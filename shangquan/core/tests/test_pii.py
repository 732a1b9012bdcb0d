import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shangquan.core.errors import ValidationFailed
from shangquan.core.pii import phone_mask, phone_normalize, photo_clean, photos_clean


@pytest.mark.parametrize("raw,expected", [
    ("13812341234", "13812341234"), ("+86 138 1234 1234", "13812341234"),
    ("0086-138-1234-1234", "13812341234"), ("8613812341234", "13812341234"),
    ("0416-2345678", "04162345678"),
])
def test_phone_normalize(raw, expected):
    assert phone_normalize(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "23812341234", "", "abc", "1381234123"])
def test_phone_normalize_rejects(raw):
    with pytest.raises(ValidationFailed) as err:
        phone_normalize(raw)
    assert err.value.code == "invalid_phone"


def test_phone_mask():
    assert phone_mask("13812341234") == "138****1234"
    assert phone_mask("") == ""


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 32), "red")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_reencoded_without_exif():
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()  # the original carries EXIF
    clean = photo_clean(SimpleUploadedFile("x.png", raw, content_type="image/png"))
    reopened = Image.open(io.BytesIO(clean.content.read()))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert (clean.width, clean.height) == (64, 32)


def test_photo_type_is_sniffed_not_trusted():
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as err:
        photo_clean(fake)
    assert err.value.code == "photo_invalid"


def test_photo_size_and_count_limits(settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "PHOTO_MAX_BYTES": 100}
    with pytest.raises(ValidationFailed) as err:
        photo_clean(SimpleUploadedFile("a.jpg", _jpeg_with_gps()))
    assert err.value.code == "photo_too_large"
    with pytest.raises(ValidationFailed) as err:
        photos_clean([b"x"] * 10)
    assert err.value.code == "too_many_photos"
