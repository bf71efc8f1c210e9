"""Storing, reading and checking blobs. The only code that writes ``Blob`` rows or calls the backend.

Order of a put: hash the bytes into a temp file → the backend stores the file atomically → one transaction
creates the row and its audit record. A crash in between leaves an orphan file (``storage_gc`` removes it after a
grace period), never a row without its file.

Encrypted blobs (``blob_put(encrypt=True)``, ``blob_encrypt``) keep their address, the SHA-256 of the plaintext;
the backend holds the ciphertext under the ciphertext's own SHA-256 (``Blob.stored_sha256``), so the backend
still checks every byte it stores and a conversion never overwrites the plaintext in place. Order of
``blob_encrypt``: store the ciphertext as a new file → one transaction points the row at it → delete the
plaintext file. A crash before the commit leaves the plaintext readable with its row (the ciphertext is an orphan
for ``storage gc``); a crash after it leaves the ciphertext with its row and a plaintext leftover, which is no
longer a stored name, so ``storage verify`` reports it and ``storage gc`` or a second ``blob_encrypt`` removes it.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from vanphong.core.audit import audit_log
from vanphong.core.exceptions import NotFound, ValidationError

from .backends import CHUNK_SIZE, StorageBackend, get_backend
from .crypto import (
    BlobCorruptError,
    EphemeralSpool,
    KeyUnavailableError,
    encrypt_stream,
    get_key_provider,
    new_data_key,
    open_decrypted,
)
from .models import Blob

SPOOL_MAX = 8 * CHUNK_SIZE  # up to 8 MiB stays in memory while hashing, larger inputs spill to disk
VERIFY_BATCH = 1000


def _spool(data: bytes | IO[bytes]) -> tuple[IO[bytes], str, int]:
    """Copy the input to a rewindable temp file while hashing it, 1 MiB at a time.

    Large inputs spill to disk encrypted under a throw-away key (``EphemeralSpool``): the bytes may turn out to
    belong to an encrypted blob, whose plaintext must never reach the disk.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        return io.BytesIO(raw), hashlib.sha256(raw).hexdigest(), len(raw)
    spool = EphemeralSpool(max_size=SPOOL_MAX)
    digest = hashlib.sha256()
    size = 0
    try:
        while chunk := data.read(CHUNK_SIZE):
            if not isinstance(chunk, bytes | bytearray):
                raise ValidationError("Tệp tải lên phải được đọc ở dạng nhị phân.", code="not_binary")
            digest.update(chunk)
            spool.write(bytes(chunk))
            size += len(chunk)
    except BaseException:
        spool.close()
        raise
    return cast(IO[bytes], spool.rewind()), digest.hexdigest(), size


@dataclass(frozen=True)
class _Sealed:
    """A ciphertext the backend now holds, and the wrapped data key that opens it."""

    stored_sha256: str
    stored_size: int
    key_id: str
    wrapped_key: bytes


class _HashingWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.out.write(data)


def _store_encrypted(backend: StorageBackend, sha: str, plaintext: IO[bytes]) -> _Sealed:
    """Encrypt ``plaintext`` under a fresh data key and store the ciphertext under its own hash.

    The plaintext is re-hashed on the way: bytes that do not hash to ``sha`` are refused (never sealed)."""
    data_key = new_data_key()
    key_id, wrapped = get_key_provider().wrap(data_key)  # a missing master key fails before any work
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX) as cipher:
        writer = _HashingWriter(cast(IO[bytes], cipher))
        actual, _size = encrypt_stream(plaintext, writer, data_key=data_key, sha256=sha)
        if actual != sha:
            raise BlobCorruptError(
                "Tệp lưu trữ gốc bị hỏng (mã băm không khớp) nên không mã hóa được. "
                "Hãy báo quản trị hệ thống chạy lệnh kiểm tra lưu trữ.",
                code="blob_corrupt",
            )
        cipher.seek(0)
        stored_sha = writer.digest.hexdigest()
        stored_size = backend.put(stored_sha, cast(IO[bytes], cipher))
    return _Sealed(stored_sha256=stored_sha, stored_size=stored_size, key_id=key_id, wrapped_key=wrapped)


def _commit_sealed(backend: StorageBackend, sha: str, sealed: _Sealed, *, actor: Any, action: str) -> Blob:
    """Point the row at a stored ciphertext, in one transaction with its audit record.

    When another process sealed the blob meanwhile (its ciphertext exists), ours is deleted and theirs kept."""
    used = False
    with transaction.atomic():
        blob = Blob.objects.select_for_update().get(pk=sha)
        if not (blob.encrypted and backend.exists(blob.stored_sha256)):
            before = {"encrypted": blob.encrypted, "stored_sha256": blob.stored_sha256, "key_id": blob.key_id}
            blob.encrypted = True
            blob.stored_sha256 = sealed.stored_sha256
            blob.stored_size = sealed.stored_size
            blob.key_id = sealed.key_id
            blob.wrapped_key = sealed.wrapped_key
            blob.save(update_fields=["encrypted", "stored_sha256", "stored_size", "key_id", "wrapped_key"])
            audit_log(
                actor=actor,
                action=action,
                obj=blob,
                before=before,
                after={
                    "encrypted": True,
                    "stored_sha256": sealed.stored_sha256,
                    "stored_size": sealed.stored_size,
                    "key_id": sealed.key_id,
                },
            )
            used = True
    if not used:
        backend.delete(sealed.stored_sha256)
    return blob


def _drop_plaintext(backend: StorageBackend, blob: Blob) -> None:
    """Delete the plaintext file of a blob whose row already points at its ciphertext."""
    if blob.encrypted and blob.stored_sha256 and blob.stored_sha256 != blob.sha256:
        backend.delete(blob.sha256)


def _put_existing(
    backend: StorageBackend, blob: Blob, stream: IO[bytes], *, actor: Any, encrypt: bool
) -> Blob:
    """``blob_put`` of bytes already known: repair a lost file, and encrypt when asked; plaintext of an
    encrypted blob is never written."""
    if blob.encrypted:
        if backend.exists(blob.stored_sha256):
            return blob
        sealed = _store_encrypted(backend, blob.sha256, stream)
        return _commit_sealed(backend, blob.sha256, sealed, actor=actor, action="storage.blob.repair")
    if backend.exists(blob.sha256):
        return blob_encrypt(blob.sha256, actor=actor) if encrypt else blob
    if encrypt:
        sealed = _store_encrypted(backend, blob.sha256, stream)
        return _commit_sealed(backend, blob.sha256, sealed, actor=actor, action="storage.blob.encrypt")
    backend.put(blob.sha256, stream)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="storage.blob.repair",
            obj=blob,
            after={"sha256": blob.sha256, "size": blob.size},
        )
    return blob


def blob_put(*, actor: Any, data: bytes | IO[bytes], content_type: str = "", encrypt: bool = False) -> Blob:
    """Store bytes once. Returns the existing ``Blob`` when identical bytes are already stored.

    The audit record ``storage.blob.put`` is written only when a new blob is created. If the row exists but its
    file was lost, the file is written again from these bytes (same hash, so same content) and audited as a repair.
    ``encrypt=True`` stores the blob encrypted (an existing plaintext blob is converted by ``blob_encrypt``);
    once a blob is encrypted it stays so, whatever later puts of the same bytes ask.
    """
    backend = get_backend()
    stream, sha, size = _spool(data)
    sealed: _Sealed | None = None
    with stream:
        existing = Blob.objects.filter(pk=sha).first()
        if existing is not None:
            return _put_existing(backend, existing, stream, actor=actor, encrypt=encrypt)
        if encrypt:
            sealed = _store_encrypted(backend, sha, stream)
        else:
            backend.put(sha, stream)
    fields: dict[str, Any] = {}
    if sealed is not None:
        fields = {
            "encrypted": True,
            "stored_sha256": sealed.stored_sha256,
            "stored_size": sealed.stored_size,
            "key_id": sealed.key_id,
            "wrapped_key": sealed.wrapped_key,
        }
    with transaction.atomic():
        try:
            with transaction.atomic():
                blob = Blob.objects.create(sha256=sha, size=size, content_type=content_type[:200], **fields)
        except IntegrityError:  # stored by someone else since the check above: same bytes, same row
            blob = Blob.objects.get(pk=sha)
        else:
            audit_log(
                actor=actor,
                action="storage.blob.put",
                obj=blob,
                after={
                    "sha256": sha,
                    "size": size,
                    "content_type": blob.content_type,
                    "encrypted": blob.encrypted,
                    "key_id": blob.key_id,
                },
            )
            return blob
    # lost the race: our file is not needed (a ciphertext has a unique name; a plaintext is theirs too)
    if sealed is not None and blob.storage_name != sealed.stored_sha256:
        backend.delete(sealed.stored_sha256)
    if encrypt and not blob.encrypted:
        return blob_encrypt(sha, actor=actor)
    return blob


def blob_encrypt(sha: str, *, actor: Any) -> Blob:
    """Convert a stored plaintext blob into an encrypted one at the same address (the plaintext SHA-256).

    Idempotent: an encrypted blob is returned as is (after removing a plaintext leftover of an interrupted
    conversion). Audited as ``storage.blob.encrypt``. Crash-safe: see the module docstring for the order.
    """
    backend = get_backend()
    blob = Blob.objects.filter(pk=sha).first()
    if blob is None:
        raise NotFound("Không tìm thấy tệp lưu trữ.", code="blob_not_found")
    if not blob.encrypted:
        try:
            source = backend.open(sha)
        except FileNotFoundError as exc:
            raise _missing() from exc
        with source:
            sealed = _store_encrypted(backend, sha, source)
        blob = _commit_sealed(backend, sha, sealed, actor=actor, action="storage.blob.encrypt")
    _drop_plaintext(backend, blob)
    return blob


def _missing() -> NotFound:
    return NotFound(
        "Tệp lưu trữ bị thiếu trên máy chủ. Hãy báo quản trị hệ thống chạy lệnh kiểm tra lưu trữ.",
        code="blob_missing",
    )


def _open_stored(backend: StorageBackend, blob: Blob) -> IO[bytes]:
    if not blob.encrypted:
        return backend.open(blob.sha256)
    data_key = get_key_provider().unwrap(blob.key_id, bytes(blob.wrapped_key))
    return open_decrypted(backend.open(blob.stored_sha256), data_key=data_key, sha256=blob.sha256)


def blob_open(sha: str) -> IO[bytes]:
    """A binary file object of the blob's plaintext (decrypted on the fly when encrypted, 1 MiB at a time).
    Callers close it (``with blob_open(sha) as f``).

    Raises ``NotFound`` (unknown or missing), ``KeyUnavailableError`` (no master key for an encrypted blob);
    reading an altered encrypted blob raises ``BlobCorruptError``.
    """
    backend = get_backend()
    for attempt in range(2):
        blob = Blob.objects.filter(pk=sha).first()
        if blob is None:
            raise NotFound("Không tìm thấy tệp lưu trữ.", code="blob_not_found")
        try:
            return _open_stored(backend, blob)
        except FileNotFoundError as exc:
            if (
                attempt
            ):  # the second try sees a conversion that committed between reading the row and the file
                raise _missing() from exc
    raise AssertionError("unreachable")


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


class _HashingReader(io.RawIOBase):
    """Passes reads through while hashing them (the ciphertext, checked against its stored name)."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self.raw = raw
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        return data

    def close(self) -> None:
        self.raw.close()
        super().close()


def _recheck_encrypted(backend: StorageBackend, row: Mapping[str, Any]) -> tuple[str, int, str]:
    """Decrypt and hash an encrypted blob: ``(plaintext sha, plaintext size, ciphertext sha)``."""
    data_key = get_key_provider().unwrap(row["key_id"], bytes(row["wrapped_key"]))
    raw = _HashingReader(backend.open(row["stored_sha256"]))
    digest = hashlib.sha256()
    size = 0
    with open_decrypted(cast(IO[bytes], raw), data_key=data_key, sha256=row["sha256"]) as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
        stored = raw.digest.hexdigest()
    return digest.hexdigest(), size, stored


def _stored_names(names: list[str]) -> set[str]:
    """Which of these backend names a row points at (plaintext rows by address, encrypted by ciphertext)."""
    rows = Blob.objects.filter(Q(pk__in=names, encrypted=False) | Q(stored_sha256__in=names, encrypted=True))
    return {row.storage_name for row in rows.only("sha256", "encrypted", "stored_sha256")}


def _orphans(backend: StorageBackend) -> Iterator[str]:
    """Stored names no row points at, checked against the database in batches (memory stays bounded).

    The plaintext file left by an interrupted ``blob_encrypt`` is one of them."""
    batch: list[str] = []

    def flush() -> list[str]:
        known = _stored_names(batch)
        return [sha for sha in batch if sha not in known]

    for sha in backend.iter_hashes():
        batch.append(sha)
        if len(batch) >= VERIFY_BATCH:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _mismatch(
    sha: str, reason: str, size: int, actual_sha: str | None, actual_size: int | None
) -> dict[str, Any]:
    return {
        "sha256": sha,
        "reason": reason,
        "actual_sha256": actual_sha,
        "size": size,
        "actual_size": actual_size,
    }


def storage_verify(*, progress: Callable[[int], Any] | None = None) -> VerifyReport:
    """Re-hash every blob the database knows; report missing files, hash or size mismatches and orphan files.

    Encrypted blobs are decrypted and the plaintext hashed: an authentication failure is the mismatch reason
    ``decrypt``, a ciphertext that does not hash to its stored name ``stored_hash``, an unusable master key
    ``key``. ``progress(checked)`` is called every 100 blobs.
    """
    backend = get_backend()
    report = VerifyReport()
    rows = Blob.objects.order_by("pk").values(
        "sha256", "size", "encrypted", "stored_sha256", "key_id", "wrapped_key"
    )
    for row in rows.iterator(chunk_size=VERIFY_BATCH):
        sha, size = row["sha256"], row["size"]
        try:
            if row["encrypted"]:
                actual_sha, actual_size, stored = _recheck_encrypted(backend, row)
            else:
                actual_sha, actual_size = _rehash(backend, sha)
                stored = sha
        except FileNotFoundError:
            report.missing.append(sha)
        except KeyUnavailableError as exc:
            report.mismatched.append({**_mismatch(sha, "key", size, None, None), "detail": exc.message})
        except BlobCorruptError as exc:
            report.mismatched.append({**_mismatch(sha, "decrypt", size, None, None), "detail": exc.message})
        else:
            if actual_sha != sha:
                report.mismatched.append(_mismatch(sha, "hash", size, actual_sha, actual_size))
            elif actual_size != size:
                report.mismatched.append(_mismatch(sha, "size", size, actual_sha, actual_size))
            elif row["encrypted"] and stored != row["stored_sha256"]:
                report.mismatched.append(_mismatch(sha, "stored_hash", size, actual_sha, actual_size))
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
        if _stored_names([sha]):  # a put committed meanwhile
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


@dataclass
class RotateReport:
    """Outcome of ``keys_rotate``: data keys rewrapped under ``current_key_id`` and the blobs that failed."""

    current_key_id: str
    rewrapped: int = 0
    batches: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "current_key_id": self.current_key_id,
            "rewrapped": self.rewrapped,
            "batches": self.batches,
            "failed": self.failed,
        }


def keys_rotate(
    *, actor: Any = None, batch: int = 500, progress: Callable[[int], Any] | None = None
) -> RotateReport:
    """Rewrap every data key not under the current master key; the encrypted files are not touched.

    Batch by batch, each in its own transaction with one ``storage.keys.rotate`` audit record, so an interrupted
    run keeps its finished batches and a second run continues with the rest. Readers keep working meanwhile:
    a row is readable under its old key until its batch commits, and under the new key after. A blob whose key
    cannot be unwrapped is listed in ``failed`` and skipped. ``progress(rewrapped)`` is called after each batch.
    """
    if batch < 1:
        raise ValidationError("Số tệp mỗi lượt phải lớn hơn 0.", code="invalid_batch")
    provider = get_key_provider()
    current = provider.current_key_id()
    report = RotateReport(current_key_id=current)
    after = ""
    while True:
        with transaction.atomic():
            rows = list(
                Blob.objects.select_for_update()
                .filter(encrypted=True, pk__gt=after)
                .exclude(key_id=current)
                .order_by("pk")[:batch]
            )
            if not rows:
                break
            done: list[Blob] = []
            old_ids: set[str] = set()
            for blob in rows:
                try:
                    data_key = provider.unwrap(blob.key_id, bytes(blob.wrapped_key))
                except (KeyUnavailableError, BlobCorruptError) as exc:
                    report.failed.append({"sha256": blob.pk, "key_id": blob.key_id, "error": exc.message})
                    continue
                old_ids.add(blob.key_id)
                blob.key_id, blob.wrapped_key = provider.wrap(data_key)
                done.append(blob)
            Blob.objects.bulk_update(done, ["key_id", "wrapped_key"])
            if done:
                audit_log(
                    actor=actor,
                    action="storage.keys.rotate",
                    object_type="storage.blob",
                    after={
                        "key_id": current,
                        "from_key_ids": sorted(old_ids),
                        "count": len(done),
                        "first": done[0].pk,
                        "last": done[-1].pk,
                    },
                )
            after = rows[-1].pk
        report.rewrapped += len(done)
        report.batches += 1
        if progress is not None:
            progress(report.rewrapped)
    return report
