"""What both benchmarks share: input errors, opening a backend, batching."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.module_loading import import_string

from ..backends import ALIASES
from ..base import SearchBackend

BENCH_KIND = "bench"  # the articles of ``bench retrieval``
VOLUME_KIND = "bench_search"  # the synthetic documents of ``bench search``
BENCH_ACL = "bench"
KS = (1, 10)


class BenchInputError(Exception):
    """Unusable benchmark input (missing file, bad JSON, wrong shape); ``message`` is for the user, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- backends -------------------------------------------------------------------------------------------------


def open_backend(name: str, **options: Any) -> SearchBackend:
    """A fresh instance (not ``get_backend``'s per-process cache, which would outlive a temporary index)."""
    path = ALIASES.get(name, name)
    backend: SearchBackend = import_string(path)(**options)
    return backend


def _delete_kind(backend: SearchBackend, kind: str, batch: int = 5000) -> int:
    deleted = 0
    keys = [k for k, _ in backend.fingerprints(kind)]
    for i in range(0, len(keys), batch):
        deleted += backend.delete(keys[i : i + batch])
    return deleted


def postgres_available() -> str | None:
    """None when the current database is PostgreSQL, else why the PostgreSQL backend is skipped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return (
            f"PostgreSQL bỏ qua: DATABASE_URL hiện trỏ tới {connection.vendor}, không phải PostgreSQL "
            "(đặt DATABASE_URL=postgres://… tới một cơ sở dữ liệu đã migrate để đo)."
        )
    return None


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
