"""Uploads are hostile until proven otherwise: a file past the limit is never stored whole.

Django writes uploads to memory or a temporary file before any view runs (the CSRF check reads
the form first). This handler, first in line, skips a file as soon as it passes the limit and
notes it on the request, so the view can say so in words while nothing larger was kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

TOO_LARGE = "contractkit_upload_too_large"  # request attribute: names of files skipped for size


def limit() -> int:
    return int(getattr(settings, "CONTRACTKIT_MAX_UPLOAD", 256 * 1024))


def too_large(request: Any) -> list[str]:
    """The names of the files this request sent that were past the limit (and were not kept)."""
    return list(getattr(request, TOO_LARGE, []))


class LimitedUploadHandler(FileUploadHandler):
    """Passes each chunk on to the next handler until the file passes the limit, then skips it."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > limit():
            if self.request is not None:
                setattr(self.request, TOO_LARGE, [*too_large(self.request), self.file_name or "upload"])
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
