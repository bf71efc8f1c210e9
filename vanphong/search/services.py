"""Writes to the search index. Only jobs and commands write (one writer at a time, the backend's lock); a
domain service announces a change with ``search_index_later`` inside its transaction and the job runs after
commit, so no rolled-back row is ever indexed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice

from django.db import transaction

from .backends import get_backend
from .base import SearchBackend
from .sources import Source, all_sources, get_source

logger = logging.getLogger(__name__)

BATCH = 500


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def search_index_later(kind: str, ids: Iterable[int]) -> None:
    """Schedule (re)indexing of these records after the current transaction commits."""
    ids = sorted({int(i) for i in ids})
    if ids:
        transaction.on_commit(partial(_enqueue, kind, ids))


def _enqueue(kind: str, ids: list[int]) -> None:
    from .tasks import search_index_task  # the task module imports this one

    try:
        search_index_task.enqueue(kind, ids)
    except Exception:  # the change itself has committed; `search check --fix` repairs the index
        logger.exception("could not queue indexing of %s %s", kind, ids)


def search_index(*, kind: str, ids: Iterable[int], backend: SearchBackend | None = None) -> dict[str, int]:
    """Index the records of ``ids`` now; ids whose record is gone (or no longer indexable) are removed."""
    source = get_source(kind)
    backend = backend or get_backend()
    written = deleted = 0
    for chunk in _batches(ids, BATCH):
        records = source.records(chunk)
        written += backend.index(records)
        present = {r.object_id for r in records}
        gone = [f"{kind}:{i}" for i in chunk if i not in present]
        if gone:
            deleted += backend.delete(gone)
    return {"indexed": written, "deleted": deleted}


@dataclass
class CheckReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    stale: list[str] = field(default_factory=list)  # in both, but the index holds an older version
    orphans: list[str] = field(default_factory=list)  # in the index, gone from the database
    fixed: bool = False

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphans)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok, "checked": self.checked, "missing": len(self.missing), "stale": len(self.stale),
            "orphans": len(self.orphans), "fixed": self.fixed, "examples": {
                "missing": self.missing[:10], "stale": self.stale[:10], "orphans": self.orphans[:10]},
        }  # fmt: skip


def _expected(source: Source, batch: int) -> Iterator[tuple[str, str]]:
    for chunk in _batches(source.ids(), batch):
        for record in source.records(chunk):
            yield record.key, record.fingerprint()


def search_check(
    *, fix: bool = False, backend: SearchBackend | None = None, batch: int = BATCH
) -> CheckReport:
    """Compare every record with the index: missing, stale and orphan entries; ``fix`` repairs them."""
    backend = backend or get_backend()
    report = CheckReport()
    for source in all_sources():
        indexed = dict(backend.fingerprints(source.kind))
        seen: set[str] = set()
        for key, fp in _expected(source, batch):
            report.checked += 1
            seen.add(key)
            have = indexed.get(key)
            if have is None:
                report.missing.append(key)
            elif have != fp:
                report.stale.append(key)
        report.orphans += sorted(set(indexed) - seen)
        if fix:
            ids = [
                int(k.split(":", 1)[1])
                for k in report.missing + report.stale
                if k.startswith(f"{source.kind}:")
            ]
            search_index(kind=source.kind, ids=ids, backend=backend)
            backend.delete([k for k in report.orphans if k.startswith(f"{source.kind}:")])
    report.fixed = fix
    return report


def search_reindex(
    *,
    kinds: Iterable[str] | None = None,
    backend: SearchBackend | None = None,
    batch: int = BATCH,
    progress: Callable[[str, int, int], None] | None = None,
    recreate: bool = False,
) -> dict[str, int]:
    """Rebuild the index from the database in batches (bounded memory): every record is written again, then
    entries whose record is gone are removed. Searches keep working meanwhile, except with ``recreate`` (start
    from an empty index, e.g. after an upgrade changed its layout)."""
    backend = backend or get_backend()
    if recreate:
        backend.clear()
    wanted = set(kinds or [])
    totals = {"indexed": 0, "deleted": 0}
    for source in all_sources():
        if wanted and source.kind not in wanted:
            continue
        ids = list(source.ids())
        done = 0
        for chunk in _batches(ids, batch):
            counts = search_index(kind=source.kind, ids=chunk, backend=backend)
            totals["indexed"] += counts["indexed"]
            totals["deleted"] += counts["deleted"]
            done += len(chunk)
            if progress:
                progress(source.kind, done, len(ids))
        keep = {f"{source.kind}:{i}" for i in ids}
        stale = [k for k, _fp in backend.fingerprints(source.kind) if k not in keep]
        totals["deleted"] += backend.delete(stale)
    return totals
