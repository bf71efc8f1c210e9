from __future__ import annotations

from pathlib import Path

import pytest

from vanphong.storage.backends import FileSystemBackend, get_backend


@pytest.fixture
def fs_storage(settings, tmp_path: Path) -> FileSystemBackend:
    """A fresh filesystem backend rooted in a per-test folder."""
    settings.VANPHONG_STORAGE = {
        "BACKEND": "vanphong.storage.backends.FileSystemBackend",
        "OPTIONS": {"root": str(tmp_path / "blobs")},
    }
    backend = get_backend()
    assert isinstance(backend, FileSystemBackend)
    return backend
