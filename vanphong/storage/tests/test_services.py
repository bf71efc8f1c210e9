from __future__ import annotations

import hashlib
import io
import json
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command

from vanphong.core.audit import audit_verify
from vanphong.core.exceptions import NotFound
from vanphong.core.models import AuditRecord
from vanphong.storage.backends import FileSystemBackend, MemoryBackend, get_backend
from vanphong.storage.models import Blob
from vanphong.storage.services import blob_open, blob_put, blob_read, storage_gc, storage_verify

pytestmark = pytest.mark.django_db


def files_under(backend: FileSystemBackend) -> list[str]:
    return sorted(p.name for p in backend.root.rglob("*") if p.is_file())


def run_verify() -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("storage", "verify", stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_identical_bytes_are_stored_once(fs_storage: FileSystemBackend) -> None:
    """Putting the same bytes twice (as bytes, then as a stream) gives one row, one file and one audit record."""
    data = "Công văn số 123-CV/VPTU".encode()
    first = blob_put(actor=None, data=data, content_type="text/plain")
    second = blob_put(actor=None, data=io.BytesIO(data), content_type="application/octet-stream")
    assert first.pk == second.pk == hashlib.sha256(data).hexdigest()
    assert first.size == len(data)
    assert Blob.objects.count() == 1
    assert files_under(fs_storage) == [first.pk]
    assert AuditRecord.objects.filter(action="storage.blob.put").count() == 1
    assert blob_read(first.pk) == data
    assert audit_verify().ok


def test_large_stream_is_hashed_in_chunks(fs_storage: FileSystemBackend) -> None:
    """A stream larger than the in-memory spool is stored intact and hashed correctly."""
    data = os.urandom(9 * 1024 * 1024 + 17)
    blob = blob_put(actor=None, data=io.BytesIO(data))
    assert blob.pk == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    with blob_open(blob.pk) as f:
        assert f.read() == data


def test_failed_stream_stores_nothing(fs_storage: FileSystemBackend) -> None:
    """When the input stream raises half-way, no file, temp file or row is left behind."""

    class Broken(io.RawIOBase):
        n = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.n += 1
            if self.n > 2:
                raise OSError("client went away")
            return b"y" * 1024

    with pytest.raises(OSError, match="client went away"):
        blob_put(actor=None, data=Broken())  # type: ignore[arg-type]
    assert Blob.objects.count() == 0
    assert files_under(fs_storage) == []


def test_row_commit_failure_leaves_only_an_orphan(fs_storage: FileSystemBackend, monkeypatch) -> None:
    """If the database write fails after the file is stored, the file is an orphan (gc-able), never a bare row."""

    def boom(**kwargs):
        raise RuntimeError("db down")

    monkeypatch.setattr("vanphong.storage.services.audit_log", boom)
    with pytest.raises(RuntimeError):
        blob_put(actor=None, data=b"orphan-to-be")
    assert Blob.objects.count() == 0
    assert storage_verify().orphans == [hashlib.sha256(b"orphan-to-be").hexdigest()]


def test_lost_file_is_rewritten_by_a_new_put(fs_storage: FileSystemBackend) -> None:
    """A row whose file vanished is repaired when the same bytes are put again (audited as a repair)."""
    blob = blob_put(actor=None, data=b"repair me")
    fs_storage.path(blob.pk).unlink()
    blob_put(actor=None, data=b"repair me")
    assert blob_read(blob.pk) == b"repair me"
    assert AuditRecord.objects.filter(action="storage.blob.repair").count() == 1


def test_blob_open_unknown_or_missing(fs_storage: FileSystemBackend) -> None:
    """Opening an unknown hash or a blob whose file is gone raises NotFound with a Vietnamese message."""
    with pytest.raises(NotFound) as unknown:
        blob_open("0" * 64)
    assert "Không tìm thấy" in unknown.value.message
    blob = blob_put(actor=None, data=b"gone")
    fs_storage.path(blob.pk).unlink()
    with pytest.raises(NotFound) as missing:
        blob_open(blob.pk)
    assert missing.value.code == "blob_missing"


def test_verify_ok(fs_storage: FileSystemBackend) -> None:
    """A healthy store verifies: exit 0 and a JSON report with every blob checked."""
    for i in range(3):
        blob_put(actor=None, data=f"tệp {i}".encode())
    code, report = run_verify()
    assert code == 0
    assert report == {"ok": True, "checked": 3, "missing": [], "mismatched": [], "orphans": []}


def test_verify_detects_flipped_byte_and_deleted_file(fs_storage: FileSystemBackend) -> None:
    """A flipped byte is a hash mismatch, a deleted file is missing; the command exits 1."""
    flipped = blob_put(actor=None, data=b"abcdefgh" * 100)
    deleted = blob_put(actor=None, data=b"to be deleted")
    healthy = blob_put(actor=None, data=b"healthy")
    path = fs_storage.path(flipped.pk)
    raw = bytearray(path.read_bytes())
    raw[10] ^= 0x01
    path.write_bytes(bytes(raw))
    fs_storage.path(deleted.pk).unlink()

    code, report = run_verify()
    assert code == 1
    assert report["ok"] is False
    assert report["checked"] == 3
    assert report["missing"] == [deleted.pk]
    assert [(m["sha256"], m["reason"]) for m in report["mismatched"]] == [(flipped.pk, "hash")]
    assert healthy.pk not in json.dumps(report)


def test_verify_detects_size_mismatch_and_orphans(settings) -> None:
    """A row whose size disagrees with the file, and a file without a row, are both reported."""
    settings.VANPHONG_STORAGE = {"BACKEND": "vanphong.storage.backends.MemoryBackend"}
    backend = get_backend()
    assert isinstance(backend, MemoryBackend)
    blob = blob_put(actor=None, data=b"size")
    Blob.objects.filter(pk=blob.pk).update(size=99)
    stray = b"stray"
    backend.put(hashlib.sha256(stray).hexdigest(), io.BytesIO(stray))
    report = storage_verify()
    assert not report.ok
    assert report.mismatched[0]["reason"] == "size"
    assert report.orphans == [hashlib.sha256(stray).hexdigest()]


def test_verify_reports_progress(settings) -> None:
    """The progress callback receives the running count, ending with the total."""
    settings.VANPHONG_STORAGE = {"BACKEND": "vanphong.storage.backends.MemoryBackend"}
    for i in range(205):
        blob_put(actor=None, data=str(i).encode())
    seen: list[int] = []
    storage_verify(progress=seen.append)
    assert seen == [100, 200, 205]


def test_gc_removes_only_old_orphans(fs_storage: FileSystemBackend) -> None:
    """gc deletes orphan files older than the grace period, keeps young orphans and every file with a row."""
    kept_blob = blob_put(actor=None, data=b"has a row")
    old, young = b"old orphan", b"young orphan"
    for data in (old, young):
        fs_storage.put(hashlib.sha256(data).hexdigest(), io.BytesIO(data))
    old_path = fs_storage.path(hashlib.sha256(old).hexdigest())
    two_days_ago = time.time() - 48 * 3600
    os.utime(old_path, (two_days_ago, two_days_ago))
    os.utime(fs_storage.path(kept_blob.pk), (two_days_ago, two_days_ago))

    out = io.StringIO()
    call_command("storage", "gc", "--older-than-hours", "24", stdout=out)
    assert json.loads(out.getvalue())["removed"] == [hashlib.sha256(old).hexdigest()]
    assert not old_path.exists()
    assert fs_storage.exists(hashlib.sha256(young).hexdigest())
    assert fs_storage.exists(kept_blob.pk)
    assert AuditRecord.objects.filter(action="storage.gc").count() == 1
    assert storage_gc(older_than=timedelta(0)).removed == [hashlib.sha256(young).hexdigest()]
