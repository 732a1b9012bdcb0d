"""Uploads are streamed and stop at the limit (``FILE_UPLOAD_HANDLERS``, first in line).

A file declared as an image is refused the moment it passes ``PHOTO_MAX_BYTES``, while
it is being parsed: nothing past the limit is kept in memory or on disk. The answer is
413 ``photo_too_large`` (``core.httperrors.bad_request``). ``pii.photo_clean`` checks the
size again on what it reads, whatever the declared type.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class PhotoTooLarge(RequestDataTooBig):
    """A photo passed ``PHOTO_MAX_BYTES`` while it was being received."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"photo over {limit} bytes")
        self.limit = limit


class PhotoLimitUploadHandler(FileUploadHandler):
    def new_file(self, field_name, file_name, content_type, content_length, charset=None,
                 content_type_extra=None) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset,
                         content_type_extra)
        is_image = (content_type or "").lower().startswith("image/")
        self.limit = int(settings.SHANGQUAN["PHOTO_MAX_BYTES"]) if is_image else None
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen += len(raw_data)
        if self.limit is not None and self.seen > self.limit:
            raise PhotoTooLarge(self.limit)
        return raw_data  # on to the next handler (memory, then a temporary file)

    def file_complete(self, file_size: int) -> None:
        return None
