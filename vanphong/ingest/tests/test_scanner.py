"""The scanner folder: stable files become intakes and move to da-xu-ly/, refused ones to loi/ with the reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vanphong.ingest.models import Intake, IntakeSource, IntakeStatus
from vanphong.ingest.scanner import ScannerWatcher

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def test_watch_once_takes_in_good_files_and_sets_aside_bad_ones(tmp_path, storage, unit, sample_pdfs, capsys):
    folder = tmp_path / "may-quet"
    folder.mkdir()
    (folder / "cong-van.pdf").write_bytes(sample_pdfs[0])
    (folder / "anh.pdf").write_bytes(png_bytes())  # a PNG named .pdf
    (folder / ".dang-ghi.pdf").write_bytes(b"%PDF-")  # hidden: ignored
    (folder / "scan0002.pdf.part").write_bytes(b"%PDF-")  # being written: ignored

    call_command("ingest", "watch", "--dir", str(folder), "--unit", str(unit.pk), "--once", "--interval", "0")

    intake = Intake.objects.get()
    assert (intake.source, intake.created_by, intake.unit, intake.filename) == (
        IntakeSource.SCANNER, None, unit, "cong-van.pdf",
    )  # fmt: skip
    assert intake.status == IntakeStatus.READY
    assert (folder / "da-xu-ly" / "cong-van.pdf").read_bytes() == sample_pdfs[0]
    assert (folder / "loi" / "anh.pdf").exists()
    reason = (folder / "loi" / "anh.pdf.txt").read_text(encoding="utf-8")
    assert "không phải PDF mà là ảnh PNG" in reason
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [".dang-ghi.pdf", "scan0002.pdf.part"]
    out = capsys.readouterr().out
    assert "Đã tiếp nhận “cong-van.pdf”" in out and "Xong: 1 tệp đã tiếp nhận, 1 tệp bị từ chối." in out


def test_a_file_is_taken_only_when_it_stopped_growing(tmp_path, storage, unit, sample_pdfs):
    path = tmp_path / "dang-quet.pdf"
    path.write_bytes(sample_pdfs[1][:1000])
    watcher = ScannerWatcher(tmp_path, unit)
    assert watcher.look() == []  # first sight
    path.write_bytes(sample_pdfs[1])  # still being written
    os.utime(path, ns=(1, 2))
    assert watcher.poll() == [] and Intake.objects.count() == 0  # changed since the previous look: left alone
    [outcome] = watcher.poll()  # unchanged since the previous look: taken
    assert outcome.ok and outcome.moved_to == tmp_path / "da-xu-ly" / "dang-quet.pdf"
    assert Intake.objects.get().pk == outcome.intake_id


def test_same_name_twice_does_not_overwrite(tmp_path, storage, unit, sample_pdfs):
    watcher = ScannerWatcher(tmp_path, unit)
    for pdf in sample_pdfs[:2]:
        (tmp_path / "scan.pdf").write_bytes(pdf)
        watcher.look()
        watcher.poll()
    assert sorted(p.name for p in (tmp_path / "da-xu-ly").iterdir()) == ["scan-1.pdf", "scan.pdf"]
    assert Intake.objects.count() == 2


def test_watch_refuses_a_missing_folder_or_unit(tmp_path, unit):
    with pytest.raises(CommandError, match="không tồn tại"):
        call_command("ingest", "watch", "--dir", str(tmp_path / "khong-co"), "--unit", str(unit.pk), "--once")
    with pytest.raises(CommandError, match="Không có đơn vị mã 987654"):
        call_command("ingest", "watch", "--dir", str(tmp_path), "--unit", "987654", "--once")


def test_database_trouble_leaves_the_file_for_the_next_round(
    monkeypatch, tmp_path, storage, unit, sample_pdfs
):
    def down(**kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr("vanphong.ingest.scanner.intake_create", down)
    path: Path = tmp_path / "scan.pdf"
    path.write_bytes(sample_pdfs[0])
    watcher = ScannerWatcher(tmp_path, unit)
    watcher.look()
    assert watcher.poll() == [] and path.exists()
