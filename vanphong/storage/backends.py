"""Where blob bytes live. A backend is chosen by ``settings.VANPHONG_STORAGE`` and knows nothing of the database.

Every backend stores a blob under its SHA-256 hex digest and promises that ``put`` is all-or-nothing: readers
never see a partially written blob under its final name. ``put`` re-hashes the stream and refuses bytes that do
not match the name they are stored under.

Backends:
- ``FileSystemBackend(root)``: ``root/ab/cd/<sha>``, temp file in the same folder + fsync + ``os.replace``.
- ``MemoryBackend()``: a dict, for tests.

There is no S3 backend yet: it will be added together with a fake client to test it against.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string

CHUNK_SIZE = 1024 * 1024
_SHA_RE = re.compile(r"\A[0-9a-f]{64}\Z")


class StorageError(Exception):
    """A backend could not store or read a blob (developer-facing; services translate it for users)."""


class HashMismatchError(StorageError):
    """The bytes handed to ``put`` do not hash to the name they were to be stored under."""


def check_sha(sha: str) -> str:
    """Reject anything but 64 lowercase hex digits, so a name can never escape the storage root."""
    if not isinstance(sha, str) or not _SHA_RE.match(sha):
        raise ValueError(f"not a SHA-256 hex digest: {sha!r}")
    return sha


class StorageBackend:
    """Base class and interface of blob backends.

    Capability flags tell callers what they may rely on:
    ``atomic_put`` — a failed put leaves nothing under the final name;
    ``tracks_modified_time`` — ``modified_at`` is meaningful, so ``storage gc`` can honour a grace period;
    ``local_files`` — blobs are files on this machine (``path`` works).
    """

    name = "base"
    atomic_put = False
    tracks_modified_time = False
    local_files = False

    def put(self, sha: str, stream: IO[bytes]) -> int:
        """Store the bytes of ``stream`` (read from its current position) as ``sha``; return the size."""
        raise NotImplementedError

    def open(self, sha: str) -> IO[bytes]:
        """A binary file object positioned at the start; ``FileNotFoundError`` when absent."""
        raise NotImplementedError

    def exists(self, sha: str) -> bool:
        raise NotImplementedError

    def delete(self, sha: str) -> None:
        """Remove the blob; deleting an absent blob is not an error."""
        raise NotImplementedError

    def iter_hashes(self) -> Iterator[str]:
        """Every stored blob name, in no particular order (never temp files)."""
        raise NotImplementedError

    def modified_at(self, sha: str) -> datetime:
        """When the blob was last written (aware, UTC); ``FileNotFoundError`` when absent."""
        raise NotImplementedError

    def purge_partial(self, before: datetime) -> int:
        """Remove leftovers of interrupted puts older than ``before``; returns how many were removed."""
        return 0


def _copy_hashing(stream: IO[bytes], out: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
        out.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class FileSystemBackend(StorageBackend):
    """Blobs as files under ``root/ab/cd/<sha>`` (two levels of 256 folders keep directories small)."""

    name = "filesystem"
    atomic_put = True
    tracks_modified_time = True
    local_files = True
    TEMP_SUFFIX = ".part"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        check_sha(sha)
        return self.root / sha[:2] / sha[2:4] / sha

    def put(self, sha: str, stream: IO[bytes]) -> int:
        final = self.path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{sha}.", suffix=self.TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                actual, size = _copy_hashing(stream, out)
                if actual != sha:
                    raise HashMismatchError(f"stream hashes to {actual}, not {sha}")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp_name, 0o640)  # noqa: S103 — group-readable for backup tooling, never world
            os.replace(tmp_name, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        self._fsync_dir(final.parent)
        return size

    @staticmethod
    def _fsync_dir(folder: Path) -> None:
        """Make the rename durable (POSIX); not possible on every platform, hence best effort."""
        try:
            dir_fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)

    def open(self, sha: str) -> IO[bytes]:
        return self.path(sha).open("rb")

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def delete(self, sha: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(sha).unlink()

    def _leaf_dirs(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not (first.is_dir() and len(first.name) == 2):
                continue
            for second in sorted(first.iterdir()):
                if second.is_dir() and len(second.name) == 2:
                    yield second

    def iter_hashes(self) -> Iterator[str]:
        for leaf in self._leaf_dirs():
            prefix = leaf.parent.name + leaf.name
            with os.scandir(leaf) as entries:
                for entry in entries:
                    if _SHA_RE.match(entry.name) and entry.name.startswith(prefix) and entry.is_file():
                        yield entry.name

    def modified_at(self, sha: str) -> datetime:
        return datetime.fromtimestamp(self.path(sha).stat().st_mtime, tz=UTC)

    def purge_partial(self, before: datetime) -> int:
        removed = 0
        limit = before.timestamp()
        for leaf in self._leaf_dirs():
            for tmp in leaf.glob(f".*{self.TEMP_SUFFIX}"):
                with contextlib.suppress(FileNotFoundError):
                    if tmp.stat().st_mtime < limit:
                        tmp.unlink()
                        removed += 1
        return removed


class MemoryBackend(StorageBackend):
    """In-memory fake with the same contract (atomic, hash-checked); ``modified`` can be set by tests."""

    name = "memory"
    atomic_put = True
    tracks_modified_time = True

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.modified: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def put(self, sha: str, stream: IO[bytes]) -> int:
        check_sha(sha)
        buf = io.BytesIO()
        actual, size = _copy_hashing(stream, buf)
        if actual != sha:
            raise HashMismatchError(f"stream hashes to {actual}, not {sha}")
        with self._lock:
            self.blobs[sha] = buf.getvalue()
            self.modified[sha] = timezone.now()
        return size

    def open(self, sha: str) -> IO[bytes]:
        try:
            return io.BytesIO(self.blobs[check_sha(sha)])
        except KeyError:
            raise FileNotFoundError(sha) from None

    def exists(self, sha: str) -> bool:
        return check_sha(sha) in self.blobs

    def delete(self, sha: str) -> None:
        with self._lock:
            self.blobs.pop(check_sha(sha), None)
            self.modified.pop(sha, None)

    def iter_hashes(self) -> Iterator[str]:
        yield from list(self.blobs)

    def modified_at(self, sha: str) -> datetime:
        try:
            return self.modified[check_sha(sha)]
        except KeyError:
            raise FileNotFoundError(sha) from None


_backend: StorageBackend | None = None
_backend_lock = threading.Lock()


def get_backend() -> StorageBackend:
    """The configured backend (one instance per process; rebuilt when the setting changes in tests)."""
    global _backend
    with _backend_lock:
        if _backend is None:
            config: dict[str, Any] = dict(settings.VANPHONG_STORAGE)
            cls = import_string(str(config["BACKEND"]))
            backend = cls(**dict(config.get("OPTIONS") or {}))
            if not isinstance(backend, StorageBackend):
                raise TypeError(f"{config['BACKEND']} is not a StorageBackend")
            _backend = backend
        return _backend


@receiver(setting_changed)
def _reset_backend(*, setting: str, **kwargs: Any) -> None:
    global _backend
    if setting == "VANPHONG_STORAGE":
        with _backend_lock:
            _backend = None
