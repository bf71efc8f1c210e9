"""Security headers, the upload size cap and an archive-bomb check shared by every upload entry point.

``SecurityHeadersMiddleware`` sets on every response:

* ``Content-Security-Policy`` from ``settings.VANPHONG_CSP``, with ``{nonce}`` replaced by a fresh per-request
  nonce. The nonce is on ``request.csp_nonce`` for templates (``<style nonce="{{ request.csp_nonce }}">``). Pages
  carry no inline scripts or ``on*`` attributes (behaviour lives in ``static/vanphong/app.js``), so scripts are
  ``'self'`` only; ``<style>`` elements need the nonce and ``style=""`` attributes are allowed.
* ``Permissions-Policy`` from ``settings.VANPHONG_PERMISSIONS_POLICY``.
* ``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin``, ``Cross-Origin-Opener-Policy: same-origin`` when
  Django's own middleware has not already set them.

A view can send its own policy by setting the header itself; the middleware never overwrites it.

``SizeCapUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) keeps uploads above ``VANPHONG_UPLOAD_MAX_BYTES`` off
the disk: the bytes beyond the cap are counted, not kept, and the view receives an empty ``OversizeUploadedFile``
whose ``size`` is the real size — every entry point checks ``size`` first and refuses it in Vietnamese.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse

from .exceptions import ValidationError

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DEFAULT_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "interest-cohort=(), browsing-topics=()"
)


def csp_header(nonce: str) -> str:
    """The policy of ``settings.VANPHONG_CSP`` for one response (empty setting: no header)."""
    policy: str = getattr(settings, "VANPHONG_CSP", DEFAULT_CSP)
    return policy.replace("{nonce}", nonce)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        policy = csp_header(nonce)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        permissions = getattr(settings, "VANPHONG_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        if permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


# --- uploads ---------------------------------------------------------------------------------------------


def upload_max_bytes() -> int:
    return int(getattr(settings, "VANPHONG_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


class OversizeUploadedFile(InMemoryUploadedFile):
    """An upload cut off at the cap: no content, ``size`` is the number of bytes the client sent."""

    oversize = True

    def __init__(
        self, *, field_name: str, name: str, content_type: str, size: int, charset: str | None
    ) -> None:
        super().__init__(io.BytesIO(b""), field_name, name, content_type, size, charset)


class SizeCapUploadHandler(FileUploadHandler):
    """Stops storing a file once it passes ``VANPHONG_UPLOAD_MAX_BYTES``; see the module docstring."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = upload_max_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            return None  # the next handlers never see the rest, so nothing more is written
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= self.limit:
            return None  # the next handler (memory or temporary file) has the whole file
        return OversizeUploadedFile(
            field_name=self.field_name,
            name=self.file_name or "",
            content_type=self.content_type or "",
            size=self.received,
            charset=self.charset,
        )


def check_archive(
    data: bytes,
    *,
    filename: str,
    max_uncompressed: int,
    max_entries: int,
    max_ratio: int = 200,
) -> None:
    """Refuse a zip container (XLSX, DOCX, ODF, ZIP) that would expand into a "zip bomb".

    Judged from the central directory before anything is decompressed: more than ``max_entries`` members, more than
    ``max_uncompressed`` bytes in total, or a member over 1 MB compressed more than ``max_ratio``:1. Readers must
    still cap what they decompress, as the directory may lie. Raises ``ValidationError`` (Vietnamese).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError(
            f"Tệp “{filename}” bị hỏng (cấu trúc nén sai), không đọc được.", code="corrupt"
        ) from exc

    def bomb(detail: str) -> ValidationError:
        return ValidationError(
            f"Tệp “{filename}” bị từ chối vì {detail} (nghi là “bom nén”). Hãy lưu lại tệp rồi gửi lại.",
            code="zip_bomb",
        )

    if len(infos) > max_entries:
        raise bomb(f"chứa {len(infos)} phần, vượt giới hạn {max_entries}")
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        raise bomb(
            f"giải nén ra {total // (1024 * 1024)} MB, vượt giới hạn {max_uncompressed // (1024 * 1024)} MB"
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > max_ratio * max(info.compress_size, 1):
            raise bomb(f"phần “{info.filename}” nén với tỉ lệ bất thường")
