"""Storing, reading and checking blobs. The only code that writes ``Blob`` rows or calls the backend.

Order of a put: hash the bytes into a temp file → the backend stores the file atomically → one transaction
creates the row and its audit record. A crash in between leaves an orphan file (``storage_gc`` removes it after a
grace period), never a row without its file.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanphong.core.audit import audit_log
from vanphong.core.exceptions import NotFound, ValidationError

from .backends import CHUNK_SIZE, StorageBackend, get_backend
from .models import Blob

SPOOL_MAX = 8 * CHUNK_SIZE  # up to 8 MiB stays in memory while hashing, larger inputs spill to disk
VERIFY_BATCH = 1000


def _spool(data: bytes | IO[bytes]) -> tuple[IO[bytes], str, int]:
    """Copy the input to a rewindable temp file while hashing it, 1 MiB at a time."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        return io.BytesIO(raw), hashlib.sha256(raw).hexdigest(), len(raw)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)  # noqa: SIM115 — returned to caller
    digest = hashlib.sha256()
    size = 0
    try:
        while chunk := data.read(CHUNK_SIZE):
            if not isinstance(chunk, bytes | bytearray):
                raise ValidationError("Tệp tải lên phải được đọc ở dạng nhị phân.", code="not_binary")
            digest.update(chunk)
            spool.write(chunk)
            size += len(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, digest.hexdigest(), size


def blob_put(*, actor: Any, data: bytes | IO[bytes], content_type: str = "") -> Blob:
    """Store bytes once. Returns the existing ``Blob`` when identical bytes are already stored.

    The audit record ``storage.blob.put`` is written only when a new blob is created. If the row exists but its
    file was lost, the file is written again from these bytes (same hash, so same content) and audited as a repair.
    """
    backend = get_backend()
    stream, sha, size = _spool(data)
    with stream:
        existing = Blob.objects.filter(pk=sha).first()
        if existing is not None:
            if not backend.exists(sha):
                backend.put(sha, stream)
                with transaction.atomic():
                    audit_log(
                        actor=actor,
                        action="storage.blob.repair",
                        obj=existing,
                        after={"sha256": sha, "size": size},
                    )
            return existing
        backend.put(sha, stream)
    with transaction.atomic():
        try:
            with transaction.atomic():
                blob = Blob.objects.create(sha256=sha, size=size, content_type=content_type[:200])
        except IntegrityError:  # stored by someone else since the check above: same bytes, same row
            return Blob.objects.get(pk=sha)
        audit_log(
            actor=actor,
            action="storage.blob.put",
            obj=blob,
            after={"sha256": sha, "size": size, "content_type": blob.content_type},
        )
    return blob


def blob_open(sha: str) -> IO[bytes]:
    """A binary file object for a stored blob. Callers close it (``with blob_open(sha) as f``)."""
    if not Blob.objects.filter(pk=sha).exists():
        raise NotFound("Không tìm thấy tệp lưu trữ.", code="blob_not_found")
    try:
        return get_backend().open(sha)
    except FileNotFoundError as exc:
        raise NotFound(
            "Tệp lưu trữ bị thiếu trên máy chủ. Hãy báo quản trị hệ thống chạy lệnh kiểm tra lưu trữ.",
            code="blob_missing",
        ) from exc


def blob_read(sha: str) -> bytes:
    """The whole blob in memory: only for small blobs (previews, tests)."""
    with blob_open(sha) as f:
        return f.read()


@dataclass
class VerifyReport:
    """Outcome of ``storage_verify``: rows checked and every problem found."""

    checked: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[dict[str, Any]] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.mismatched or self.orphans)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "missing": self.missing,
            "mismatched": self.mismatched,
            "orphans": self.orphans,
        }


def _rehash(backend: StorageBackend, sha: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with backend.open(sha) as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _orphans(backend: StorageBackend) -> Iterator[str]:
    """Stored names without a row, checked against the database in batches (memory stays bounded)."""
    batch: list[str] = []

    def flush() -> list[str]:
        known = set(Blob.objects.filter(pk__in=batch).values_list("pk", flat=True))
        return [sha for sha in batch if sha not in known]

    for sha in backend.iter_hashes():
        batch.append(sha)
        if len(batch) >= VERIFY_BATCH:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def storage_verify(*, progress: Callable[[int], Any] | None = None) -> VerifyReport:
    """Re-hash every blob the database knows; report missing files, hash or size mismatches and orphan files.

    ``progress(checked)`` is called every 100 blobs.
    """
    backend = get_backend()
    report = VerifyReport()
    rows = Blob.objects.order_by("pk").values_list("sha256", "size")
    for sha, size in rows.iterator(chunk_size=VERIFY_BATCH):
        try:
            actual_sha, actual_size = _rehash(backend, sha)
        except FileNotFoundError:
            report.missing.append(sha)
        else:
            if actual_sha != sha:
                report.mismatched.append(
                    {
                        "sha256": sha,
                        "reason": "hash",
                        "actual_sha256": actual_sha,
                        "size": size,
                        "actual_size": actual_size,
                    }
                )
            elif actual_size != size:
                report.mismatched.append(
                    {
                        "sha256": sha,
                        "reason": "size",
                        "actual_sha256": actual_sha,
                        "size": size,
                        "actual_size": actual_size,
                    }
                )
        report.checked += 1
        if progress is not None and report.checked % 100 == 0:
            progress(report.checked)
    report.orphans = sorted(_orphans(backend))
    if progress is not None:
        progress(report.checked)
    return report


@dataclass(frozen=True)
class GcReport:
    removed: list[str]
    kept_recent: int
    partial_removed: int


def storage_gc(*, older_than: timedelta = timedelta(hours=24), now: datetime | None = None) -> GcReport:
    """Delete orphan files (no ``Blob`` row) last written before ``now - older_than``.

    The grace period protects a put in progress: its file is written before its row commits. Leftover temp
    files of interrupted puts are removed with the same rule. One ``storage.gc`` audit record when anything
    was removed.
    """
    if older_than < timedelta(0):
        raise ValidationError("Thời gian chờ trước khi dọn tệp không được âm.", code="invalid_grace")
    backend = get_backend()
    cutoff = (now or timezone.now()) - older_than
    removed: list[str] = []
    kept = 0
    for sha in list(_orphans(backend)):
        try:
            if backend.tracks_modified_time and backend.modified_at(sha) >= cutoff:
                kept += 1
                continue
        except FileNotFoundError:
            continue
        if Blob.objects.filter(pk=sha).exists():  # a put committed meanwhile
            continue
        backend.delete(sha)
        removed.append(sha)
    partial = backend.purge_partial(cutoff)
    if removed or partial:
        with transaction.atomic():
            audit_log(
                actor=None,
                action="storage.gc",
                object_type="storage.blob",
                after={
                    "removed": removed[:1000],
                    "removed_count": len(removed),
                    "partial_removed": partial,
                    "older_than_hours": older_than.total_seconds() / 3600,
                },
            )
    return GcReport(removed=removed, kept_recent=kept, partial_removed=partial)
