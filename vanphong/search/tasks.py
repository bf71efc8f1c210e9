"""Background indexing: takes a kind and ids, re-reads the records, writes the index (one writer at a time)."""

from __future__ import annotations

from django_tasks import task

from .services import search_index


@task()
def search_index_task(kind: str, ids: list[int]) -> dict[str, int]:
    return search_index(kind=kind, ids=ids)
