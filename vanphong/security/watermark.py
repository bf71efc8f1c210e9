"""A visible watermark on PDF copies that leave the server: who took the copy, from which unit, when.

One overlay page is drawn with WeasyPrint for each distinct page size (so Vietnamese diacritics render in
Liberation Sans and the text stays extractable), then merged over every page with pypdf. The caller's bytes are
never changed: the result is a new document, and a signed original keeps its signature in storage.
"""

from __future__ import annotations

import io
import math
from html import escape

from vanphong.core.exceptions import ValidationError

CORRUPT = "Tệp PDF bị hỏng hoặc được bảo vệ bằng mật khẩu, không đóng dấu bản tải về được."
COLOR = "rgba(179, 38, 30, 0.30)"  # the app's red, semi-transparent: the page stays readable underneath
FOOTER_COLOR = "rgba(90, 20, 16, 0.70)"


def _overlay_html(width: float, height: float, lines: list[str]) -> str:
    """One page of ``width`` × ``height`` points: the lines on the diagonal, and once more small at the foot."""
    diagonal = math.hypot(width, height)
    angle = -math.degrees(math.atan2(height, width))
    longest = max((len(line) for line in lines), default=1) or 1
    size = max(8.0, min(40.0, diagonal * 0.7 / (longest * 0.55)))
    block = size * 1.3 * len(lines)
    body = "<br>".join(escape(line) for line in lines)
    footer = escape(" · ".join(lines))
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "Liberation Sans", "DejaVu Sans", sans-serif; }}
.mark {{ position: absolute; left: {(width - diagonal) / 2:.2f}pt; top: {(height - block) / 2:.2f}pt;
  width: {diagonal:.2f}pt; height: {block:.2f}pt; text-align: center; font-weight: bold; font-size: {size:.1f}pt;
  line-height: 1.3; color: {COLOR}; transform: rotate({angle:.2f}deg); white-space: nowrap; }}
.foot {{ position: absolute; left: 0; bottom: 6pt; width: {width:.2f}pt; text-align: center; font-size: 7pt;
  color: {FOOTER_COLOR}; white-space: nowrap; }}
</style></head><body><div class="mark">{body}</div><div class="foot">{footer}</div></body></html>"""


def _overlay(width: float, height: float, lines: list[str]) -> object:
    from pypdf import PdfReader
    from weasyprint import HTML  # heavy import, only when a copy is stamped

    pdf = HTML(string=_overlay_html(width, height, lines)).write_pdf()
    return PdfReader(io.BytesIO(pdf)).pages[0]


def watermark_pdf(data: bytes, *, lines: list[str]) -> bytes:
    """Stamp every page of the PDF ``data`` with ``lines``; the page count and content underneath are kept.

    Raises ``ValidationError`` (Vietnamese message) for a PDF that cannot be read, is encrypted, or has no page.
    """
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.errors import PyPdfError

    lines = [line for line in (str(x).strip() for x in lines) if line]
    if not lines:
        raise ValueError("watermark_pdf needs at least one line of text")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(CORRUPT, code="pdf_encrypted")
        writer = PdfWriter(clone_from=reader)
        overlays: dict[tuple[float, float], object] = {}
        for number, page in enumerate(writer.pages, start=1):
            if page.rotation % 360:
                page.transfer_rotation_to_content()  # stamp upright as the page is seen
            box = page.mediabox
            width, height = float(box.width), float(box.height)
            if width <= 0 or height <= 0:
                raise ValidationError(
                    f"Tệp PDF bị hỏng: trang {number} không có kích thước.", code="pdf_corrupt"
                )
            key = (round(width, 1), round(height, 1))
            if key not in overlays:
                overlays[key] = _overlay(width, height, lines)
            page.merge_transformed_page(
                overlays[key],  # type: ignore[arg-type]
                Transformation().translate(float(box.left), float(box.bottom)),
                over=True,
            )
        if not overlays:
            raise ValidationError("Tệp PDF không có trang nào.", code="pdf_empty")
        out = io.BytesIO()
        writer.write(out)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ValidationError(CORRUPT, code="pdf_corrupt") from exc
    return out.getvalue()
