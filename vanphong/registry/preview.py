"""Page images for previews: the clerk checks the extracted fields beside the document, on any browser."""

from __future__ import annotations

import io

from vanphong.core.exceptions import NotFound
from vanphong.storage.services import blob_read

MAX_PREVIEW_PAGES = 3
PREVIEW_WIDTH = 1000


def page_png(sha: str, kind: str, page: int) -> bytes:
    """PNG of page ``page`` (0-based) of a PDF or image blob, about 1000 px wide."""
    data = blob_read(sha)
    if kind == "image":
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            img.seek(min(page, getattr(img, "n_frames", 1) - 1))
            frame = img.convert("L") if img.mode not in ("RGB", "L") else img.copy()
            frame.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH * 2))
            out = io.BytesIO()
            frame.save(out, "PNG", optimize=True)
            return out.getvalue()
    if kind != "pdf":
        raise NotFound("Tệp này không có bản xem trước dạng trang.")
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        if page < 0 or page >= len(pdf):
            raise NotFound("Không có trang này.")
        pg = pdf[page]
        width = pg.get_width()
        bitmap = pg.render(scale=PREVIEW_WIDTH / width if width else 1.4, grayscale=True)
        out = io.BytesIO()
        bitmap.to_pil().save(out, "PNG", optimize=True)
        return out.getvalue()
    finally:
        pdf.close()
