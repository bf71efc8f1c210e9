"""Uploads: a file above ``VANPHONG_UPLOAD_MAX_BYTES`` never reaches the disk (the view sees an empty stand-in with
the real size and refuses it in Vietnamese), and zip containers are checked for "zip bombs" before reading."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from vanphong.core.exceptions import ValidationError
from vanphong.core.security import OversizeUploadedFile, check_archive


def _files(settings, **files):
    request = RequestFactory().post("/x/", {k: SimpleUploadedFile(f"{k}.pdf", v) for k, v in files.items()})
    return request.FILES


def test_files_under_the_cap_arrive_whole(settings):
    settings.VANPHONG_UPLOAD_MAX_BYTES = 10_000
    files = _files(settings, a=b"%PDF-" + b"x" * 9000)
    assert not isinstance(files["a"], OversizeUploadedFile)
    assert files["a"].read() == b"%PDF-" + b"x" * 9000


def test_files_over_the_cap_are_counted_not_kept(settings):
    settings.VANPHONG_UPLOAD_MAX_BYTES = 10_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000  # would otherwise go to a temporary file on disk
    files = _files(settings, big=b"y" * 300_000, small=b"z" * 500)
    big = files["big"]
    assert isinstance(big, OversizeUploadedFile) and big.oversize
    assert big.size == 300_000 and big.read() == b"" and big.name == "big.pdf"
    assert files["small"].read() == b"z" * 500


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_check_archive_accepts_an_ordinary_container():
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"<row/>" * 1000})
    check_archive(data, filename="a.xlsx", max_uncompressed=10_000_000, max_entries=100)


def test_check_archive_refuses_bombs_and_damage():
    bomb = _zip({"xl/worksheets/sheet1.xml": b"\0" * (5 * 1024 * 1024)})
    with pytest.raises(ValidationError, match="bom nén") as exc:
        check_archive(bomb, filename="b.xlsx", max_uncompressed=100 * 1024 * 1024, max_entries=100)
    assert exc.value.code == "zip_bomb"
    with pytest.raises(ValidationError, match="vượt giới hạn 1 MB"):
        check_archive(bomb, filename="b.xlsx", max_uncompressed=1024 * 1024, max_entries=100)
    many = _zip({f"f{i}.xml": b"x" for i in range(30)})
    with pytest.raises(ValidationError, match="30 phần"):
        check_archive(many, filename="c.xlsx", max_uncompressed=10**9, max_entries=20)
    with pytest.raises(ValidationError, match="bị hỏng") as exc:
        check_archive(b"PK\x03\x04garbage", filename="d.xlsx", max_uncompressed=10**9, max_entries=20)
    assert exc.value.code == "corrupt"
