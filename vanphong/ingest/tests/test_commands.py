"""Command interfaces checked from outside: ``ingest extract`` and ``bench extract``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from vanphong.ingest.extract import FIELDS

from .conftest import SAMPLES, encrypted_pdf, expected_of, png_bytes, sample_docx

KEYS = [*FIELDS, "ocr_used"]


def run_extract(path: Path) -> dict:
    out = io.StringIO()
    call_command("ingest", "extract", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_extract_prints_one_json_object_with_exact_keys(tmp_path, sample_pdfs):
    """Without database access (this test has none): PDF and DOCX are read, the keys are exactly these."""
    pdf = tmp_path / "nghi-quyet.pdf"
    pdf.write_bytes(sample_pdfs[0])
    result = run_extract(pdf)
    assert list(result) == KEYS
    assert result == {**expected_of(0), "ocr_used": False}
    docx = tmp_path / "cong-van.docx"
    docx.write_bytes(sample_docx(SAMPLES[1]))
    assert run_extract(docx) == {**expected_of(1), "ocr_used": False}


def test_extract_ocrs_images_with_the_configured_backend(tmp_path):
    image = tmp_path / "chup.jpg"
    from PIL import Image

    Image.new("RGB", (400, 300), "white").save(image, "JPEG")
    result = run_extract(image)
    assert result["ocr_used"] is True and result["number_symbol"] == "12-CV/TU"  # the fake backend's text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rong.pdf", b"", "rỗng"),
        ("hong.pdf", b"%PDF-1.7\n" + b"x" * 500, "bị hỏng"),
        ("mat-khau.pdf", None, "mật khẩu"),
        ("anh.pdf", png_bytes(), "không phải PDF mà là ảnh PNG"),
    ],
)
def test_extract_bad_file_exit_code_2(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(encrypted_pdf() if data is None else data)
    with pytest.raises(CommandError, match=message) as exc:
        call_command("ingest", "extract", str(path))
    assert exc.value.returncode == 2


def test_extract_missing_file_exit_code_2(tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy tệp") as exc:
        call_command("ingest", "extract", str(tmp_path / "khong-co.pdf"))
    assert exc.value.returncode == 2


def test_extract_from_the_shell(tmp_path, sample_pdfs):
    """The real process: JSON on stdout and exit 0; for a refused file the Vietnamese reason on stderr, exit 2."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    good = tmp_path / "a.pdf"
    good.write_bytes(sample_pdfs[2])
    ok = subprocess.run([sys.executable, manage, "ingest", "extract", str(good)], capture_output=True, env=env,
                        check=False, text=True)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["number_symbol"] == SAMPLES[2].number_symbol
    bad = tmp_path / "b.pdf"
    bad.write_bytes(encrypted_pdf())
    refused = subprocess.run([sys.executable, manage, "ingest", "extract", str(bad)], capture_output=True, env=env,
                             check=False, text=True)  # fmt: skip
    assert refused.returncode == 2
    assert "được đặt mật khẩu" in refused.stderr and refused.stdout == ""


def _bench(directory: Path, *extra: str) -> dict:
    out = io.StringIO()
    call_command("bench", "extract", "--dir", str(directory), "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_bench_extract_on_a_sidecar_folder(tmp_path, sample_pdfs):
    """NAME.json sidecars beside NAME.txt or NAME.pdf; a field left out of a sidecar is skipped, a wrong
    expectation is counted as an error."""
    (tmp_path / "a.txt").write_text(SAMPLES[0].text(), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(SAMPLES[0].expected(), ensure_ascii=False), encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(sample_pdfs[1])
    wrong = {"number_symbol": SAMPLES[1].number_symbol, "signer": "Người Khác"}
    (tmp_path / "b.json").write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    report = _bench(tmp_path, "--errors", "5")["sidecar"]
    assert report["documents"] == 2
    fields = report["fields"]
    assert fields["number_symbol"]["scored"] == 2 and fields["number_symbol"]["correct"] == 2
    assert fields["signer"]["scored"] == 2 and fields["signer"]["correct"] == 1
    assert fields["signer"]["errors"][0]["document"] == "b"
    assert fields["subject"]["skipped"] == 1 and fields["subject"]["scored"] == 1
    assert report["overall"]["accuracy"] < 1


def test_bench_extract_on_a_gazette_style_folder(tmp_path):
    """The Công báo form: expected values from index.json only; the year is scored for issued_date, “Khác” and
    numbers absent from the text are skipped with their reason."""
    text_dir = tmp_path / "text" / "chu-de"
    text_dir.mkdir(parents=True)
    (text_dir / "thong-tu-so-07-2026-tt-bnv-469001.txt").write_text(
        "BỘ NỘI VỤ\nSố: 07/2026/TT-BNV\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Hà Nội, ngày 05 tháng 5 năm 2026\nTHÔNG TƯ\nQuy định mức lương chuyên gia\nCăn cứ Nghị định;\n"
        + "Nội dung điều khoản của thông tư. "
        * 20,
        encoding="utf-8",
    )
    (text_dir / "chi-thi-so-9-ct-ttg-469002.txt").write_text(
        "THỦ TƯỚNG CHÍNH PHỦ\nCHỈ THỊ\nVề việc thử nghiệm\n"
        + "Nội dung chỉ thị. " * 20
        + "\n(Xem tiếp Công báo số 2)\n",
        encoding="utf-8",
    )
    index = [
        {
            "so_hieu": "Thông tư số 7/2026/TT-BNV",
            "slug": "thong-tu-so-07-2026-tt-bnv-469001",
            "loai": "Thông tư",
            "nam": 2026,
        },
        {
            "so_hieu": "chi-thi-so-9-ct-ttg-469002",
            "slug": "chi-thi-so-9-ct-ttg-469002",
            "loai": "Khác",
            "nam": 0,
        },
    ]
    (tmp_path / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    data = _bench(tmp_path, "--gold", str(tmp_path / "khong-co-gold.json"))
    assert "index.json only" in data["rules"]
    fields = data["congbao"]["fields"]
    assert (fields["number_symbol"]["scored"], fields["number_symbol"]["correct"]) == (1, 1)
    assert fields["number_symbol"]["skip_reasons"] == {"number not in text (gazette fragment)": 1}
    assert (fields["issued_date"]["scored"], fields["issued_date"]["correct"]) == (1, 1)
    assert fields["doc_type"]["skip_reasons"] == {"type “Khác” not specific": 1}
    assert fields["signer"]["skip_reasons"] == {"no expected value in index.json": 2}


def test_bench_extract_human_output_explains_the_rules(tmp_path):
    (tmp_path / "a.txt").write_text(SAMPLES[3].text(), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"doc_type": SAMPLES[3].doc_type}, ensure_ascii=False),
                                     encoding="utf-8")  # fmt: skip
    out = io.StringIO()
    call_command("bench", "extract", "--dir", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "Scoring (sidecar folder)" in text and "docs/s" in text and "doc_type OK" in text
