"""OCR backends, chosen by ``settings.VANPHONG_OCR_BACKEND`` (dotted path) with ``VANPHONG_OCR_OPTIONS``.

A backend turns a scanned PDF or an image into a searchable PDF plus its text. Capability flags say what the
result is: ``produces_pdfa`` (archival PDF/A), ``real`` (a real recogniser, not a fake).

- ``OcrMyPdfBackend``: Debian's ``ocrmypdf`` + tesseract ``vie`` by subprocess
  (``ocrmypdf -l vie --output-type pdfa --deskew --force-ocr --sidecar out.txt in.pdf out.pdf``) with
  ``OMP_THREAD_LIMIT=1`` (tesseract's OpenMP threads make it 4–5× slower on two cores) and a timeout.
  Images are first wrapped in a PDF with Pillow at their own resolution (300 dpi when they carry none).
- ``FakeOcrBackend``: for tests; returns a fixed (or configured) text and the input itself as the "PDF".

Failures are Vietnamese ``ValidationError`` messages; the technical detail goes to the log.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from PIL import Image, ImageSequence

from vanphong.core.exceptions import ValidationError

from .text import normalise_text

logger = logging.getLogger(__name__)

DEFAULT_DPI = 300.0
OCRMYPDF_OK = {0, 10}  # 10: the output is fine but could not be validated as PDF/A


@dataclass(frozen=True)
class OcrResult:
    pdf: bytes  # the searchable PDF (PDF/A with ocrmypdf)
    text: str  # recognised text, normalised (NFC, \n)
    engine: str


def image_to_pdf(data: bytes) -> bytes:
    """Wrap an image (every frame of a multi-page TIFF) into a PDF at the image's own resolution, else 300 dpi."""
    with Image.open(io.BytesIO(data)) as img:
        pages: list[Image.Image] = []
        dpi = DEFAULT_DPI
        info_dpi = img.info.get("dpi")
        if info_dpi and float(info_dpi[0]) >= 50:
            dpi = float(info_dpi[0])
        for frame in ImageSequence.Iterator(img):
            mode = frame.mode
            if mode in ("1", "L", "RGB", "CMYK"):
                pages.append(frame.copy())
            elif mode in ("I;16", "I;16B", "I;16L", "I", "F", "LA", "La"):
                pages.append(frame.convert("L"))
            else:
                pages.append(frame.convert("RGB"))
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


class OcrBackend:
    """Interface of OCR backends."""

    name = "base"
    real = False
    produces_pdfa = False

    def ocr_pdf(self, data: bytes, *, filename: str = "") -> OcrResult:
        raise NotImplementedError

    def ocr_image(self, data: bytes, *, filename: str = "") -> OcrResult:
        return self.ocr_pdf(image_to_pdf(data), filename=filename)

    def ocr(self, data: bytes, *, kind: str, filename: str = "") -> OcrResult:
        """OCR a PDF (``kind == "pdf"``) or an image (``kind == "image"``)."""
        if kind == "image":
            return self.ocr_image(data, filename=filename)
        return self.ocr_pdf(data, filename=filename)


class OcrMyPdfBackend(OcrBackend):
    """Tesseract through ocrmypdf, one subprocess per file."""

    name = "ocrmypdf"
    real = True
    produces_pdfa = True

    def __init__(
        self,
        *,
        binary: str = "ocrmypdf",
        language: str = "vie",
        timeout: float = 900.0,
        output_type: str = "pdfa",
        deskew: bool = True,
        jobs: int = 1,
        extra_args: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.binary = binary
        self.language = language
        self.timeout = float(timeout)
        self.output_type = output_type
        self.deskew = deskew
        self.jobs = int(jobs)
        self.extra_args = tuple(extra_args)

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def command(self, src: Path, out: Path, sidecar: Path) -> list[str]:
        exe = shutil.which(self.binary) or self.binary
        cmd = [exe, "-l", self.language, "--output-type", self.output_type, "--force-ocr"]
        if self.deskew:
            cmd.append("--deskew")
        cmd += ["--jobs", str(self.jobs), "--sidecar", str(sidecar), *self.extra_args, str(src), str(out)]
        return cmd

    def ocr_pdf(self, data: bytes, *, filename: str = "") -> OcrResult:
        if not self.available():
            raise ValidationError(
                "Máy chủ chưa cài chương trình nhận dạng chữ (ocrmypdf, tesseract-ocr-vie) nên chưa đọc được bản "
                "quét. Hãy báo quản trị hệ thống.",
                code="ocr_missing",
            )
        with tempfile.TemporaryDirectory(prefix="vanphong-ocr-") as tmp:
            src, out, sidecar = Path(tmp, "in.pdf"), Path(tmp, "out.pdf"), Path(tmp, "out.txt")
            src.write_bytes(data)
            env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
            try:
                proc = subprocess.run(  # noqa: S603 — fixed argument list, no shell
                    self.command(src, out, sidecar),
                    capture_output=True,
                    timeout=self.timeout,
                    env=env,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                minutes = max(1, round(self.timeout / 60))
                raise ValidationError(
                    f"Nhận dạng chữ tệp “{filename}” quá thời gian cho phép ({minutes} phút). Tệp có thể quá nhiều "
                    "trang; hãy chia nhỏ rồi thử lại.",
                    code="ocr_timeout",
                ) from exc
            stderr = proc.stderr.decode("utf-8", "replace")[-2000:]
            if proc.returncode not in OCRMYPDF_OK or not out.exists():
                logger.warning("ocrmypdf exit %s for %s: %s", proc.returncode, filename, stderr)
                raise ValidationError(self._message(proc.returncode, filename), code="ocr_failed")
            if proc.returncode:
                logger.info("ocrmypdf exit %s for %s (output kept): %s", proc.returncode, filename, stderr)
            text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
            return OcrResult(pdf=out.read_bytes(), text=normalise_text(text), engine=self.name)

    @staticmethod
    def _message(code: int, filename: str) -> str:
        if code == 3:
            return (
                "Máy chủ thiếu thành phần nhận dạng chữ (tesseract hoặc gói tiếng Việt tesseract-ocr-vie). "
                "Hãy báo quản trị hệ thống."
            )
        if code == 8:
            return f"Tệp “{filename}” được bảo vệ (mã hóa) nên không nhận dạng chữ được."
        if code == 2:
            return f"Tệp “{filename}” không đọc được để nhận dạng chữ (tệp hỏng)."
        return (
            f"Nhận dạng chữ tệp “{filename}” không thành công (mã lỗi {code}). Hãy thử lại; nếu vẫn lỗi, báo quản "
            "trị hệ thống."
        )


FAKE_TEXT = """TỈNH ỦY TÂY NINH
*
Số 12-CV/TU
V/v rà soát văn bản quét thử nghiệm
ĐẢNG CỘNG SẢN VIỆT NAM
Tây Ninh, ngày 05 tháng 3 năm 2026
Kính gửi: Các đảng ủy trực thuộc Tỉnh ủy
Nội dung này do bộ nhận dạng chữ giả lập trả về để kiểm thử.
T/L BAN THƯỜNG VỤ
CHÁNH VĂN PHÒNG
Trần Thị Thử
"""


class FakeOcrBackend(OcrBackend):
    """Deterministic stand-in: ``text`` (default: a short fictional công văn) and the input as the "PDF"
    (images are wrapped into a PDF). ``fail`` makes every call raise that Vietnamese message."""

    name = "fake"

    def __init__(self, *, text: str | None = None, fail: str = "") -> None:
        self.text = FAKE_TEXT if text is None else text
        self.fail = fail
        self.calls: list[str] = []

    def ocr_pdf(self, data: bytes, *, filename: str = "") -> OcrResult:
        self.calls.append(filename)
        if self.fail:
            raise ValidationError(self.fail, code="ocr_failed")
        return OcrResult(pdf=data, text=normalise_text(self.text), engine=self.name)

    def ocr_image(self, data: bytes, *, filename: str = "") -> OcrResult:
        if self.fail:
            raise ValidationError(self.fail, code="ocr_failed")
        return self.ocr_pdf(image_to_pdf(data), filename=filename)


def get_ocr_backend(path: str | None = None, **options: Any) -> OcrBackend:
    """A new backend instance: ``path`` or ``settings.VANPHONG_OCR_BACKEND``, with
    ``settings.VANPHONG_OCR_OPTIONS`` (when the path is the configured one) updated by ``options``."""
    configured = getattr(settings, "VANPHONG_OCR_BACKEND", "vanphong.ingest.ocr.OcrMyPdfBackend")
    dotted = path or configured
    kwargs: dict[str, Any] = (
        dict(getattr(settings, "VANPHONG_OCR_OPTIONS", {}) or {}) if dotted == configured else {}
    )
    kwargs.update(options)
    backend_class = import_string(dotted)
    backend: OcrBackend = backend_class(**kwargs)
    return backend
