"""Serving a stored file of a possibly classified item: the one funnel file views of every app go through.

A classified item's file is traced (``record_access``: ``download`` for an attachment, ``preview`` for inline
viewing); a classified PDF always leaves the server as a watermarked copy, inline or as an attachment, since a
browser's viewer can save or print what it shows. The stored bytes are never changed. Unclassified files stream
unchanged from storage. A classified PDF that cannot be stamped is refused (422), never served unmarked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from vanphong.core.exceptions import ValidationError
from vanphong.storage.services import blob_open, blob_read

from .services import record_access, watermark_lines
from .watermark import watermark_pdf

PDF = "application/pdf"


def _headers(response: HttpResponseBase, filename: str, *, inline: bool) -> HttpResponseBase:
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename or 'van-ban')}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def is_classified(obj: models.Model) -> bool:
    return int(getattr(obj, "secrecy_rank", 0) or 0) > 0


def serve_item_file(
    request: HttpRequest, *, obj: models.Model, sha: str, filename: str, content_type: str, inline: bool
) -> HttpResponseBase:
    """The response for one file of ``obj`` (already fetched through the app's ``access_*``)."""
    user: Any = request.user
    record_access(actor=user, obj=obj, channel="preview" if inline else "download", request=request)
    content_type = content_type or "application/octet-stream"
    if is_classified(obj) and content_type == PDF:
        try:
            data = watermark_pdf(blob_read(sha), lines=watermark_lines(user))
        except ValidationError as exc:  # never fall back to the unmarked bytes
            return render(request, "security/file_error.html", {"message": exc.message}, status=422)
        return _headers(HttpResponse(data, content_type=PDF), filename, inline=inline)
    return _headers(FileResponse(blob_open(sha), content_type=content_type), filename, inline=inline)
