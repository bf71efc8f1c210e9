from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from vanphong.storage.backends import (
    FileSystemBackend,
    HashMismatchError,
    MemoryBackend,
    StorageBackend,
    get_backend,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ExplodingStream(io.RawIOBase):
    """Yields one chunk, then fails like a dropped connection."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        self.calls += 1
        if self.calls == 1:
            return b"x" * 1000
        raise OSError("connection reset")


@pytest.mark.parametrize("make", [lambda p: FileSystemBackend(p), lambda p: MemoryBackend()])
def test_backend_contract(make, tmp_path: Path) -> None:
    """Every backend stores, lists, opens and deletes blobs by hash, and refuses bytes under a wrong name."""
    backend: StorageBackend = make(tmp_path)
    data = b"Nghi quyet so 01-NQ/TU"
    assert backend.put(sha(data), io.BytesIO(data)) == len(data)
    assert backend.exists(sha(data))
    with backend.open(sha(data)) as f:
        assert f.read() == data
    assert list(backend.iter_hashes()) == [sha(data)]
    with pytest.raises(HashMismatchError):
        backend.put(sha(b"other"), io.BytesIO(data))
    assert not backend.exists(sha(b"other"))
    backend.delete(sha(data))
    backend.delete(sha(data))  # idempotent
    assert not backend.exists(sha(data))
    with pytest.raises(FileNotFoundError):
        backend.open(sha(data))


def test_filesystem_layout(tmp_path: Path) -> None:
    """A blob lives at root/ab/cd/<sha>, readable by owner and group only."""
    backend = FileSystemBackend(tmp_path)
    data = b"layout"
    h = sha(data)
    backend.put(h, io.BytesIO(data))
    path = tmp_path / h[:2] / h[2:4] / h
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o777 == 0o640


def test_atomic_put_leaves_no_partial_file(tmp_path: Path) -> None:
    """A stream that fails half-way leaves neither the final file nor a temp file behind."""
    backend = FileSystemBackend(tmp_path)
    h = sha(b"whatever")
    with pytest.raises(OSError, match="connection reset"):
        backend.put(h, ExplodingStream())  # type: ignore[arg-type]
    assert not backend.exists(h)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_invalid_names_are_rejected(tmp_path: Path) -> None:
    """Names other than 64 lowercase hex digits never reach the filesystem (no path traversal)."""
    backend = FileSystemBackend(tmp_path)
    for bad in ["../../etc/passwd", "A" * 64, "ab", sha(b"x") + "/"]:
        with pytest.raises(ValueError):
            backend.exists(bad)


def test_temp_files_are_not_listed_and_are_purged(tmp_path: Path) -> None:
    """Leftover temp files of a crashed put are invisible to iter_hashes and removed by purge_partial."""
    from datetime import UTC, datetime, timedelta

    backend = FileSystemBackend(tmp_path)
    h = sha(b"a")
    leaf = tmp_path / h[:2] / h[2:4]
    leaf.mkdir(parents=True)
    (leaf / f".{h}.abc{FileSystemBackend.TEMP_SUFFIX}").write_bytes(b"half")
    assert list(backend.iter_hashes()) == []
    assert backend.purge_partial(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert backend.purge_partial(datetime.now(UTC) + timedelta(seconds=5)) == 1
    assert list(leaf.iterdir()) == []


def test_backend_follows_setting(settings) -> None:
    """The backend class and options come from VANPHONG_STORAGE and are rebuilt when it changes."""
    settings.VANPHONG_STORAGE = {"BACKEND": "vanphong.storage.backends.MemoryBackend"}
    first = get_backend()
    assert isinstance(first, MemoryBackend)
    assert get_backend() is first
    settings.VANPHONG_STORAGE = {"BACKEND": "vanphong.storage.backends.MemoryBackend", "OPTIONS": {}}
    assert get_backend() is not first
