"""Search backends, chosen by the ``VANPHONG_SEARCH`` setting (``BACKEND`` dotted path, ``OPTIONS``)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from ..base import SearchBackend

_lock = threading.Lock()
_backends: dict[str, SearchBackend] = {}

DEFAULT = {"BACKEND": "vanphong.search.backends.tantivy.TantivyBackend", "OPTIONS": {}}
ALIASES = {
    "tantivy": "vanphong.search.backends.tantivy.TantivyBackend",
    "postgres": "vanphong.search.backends.postgres.PostgresBackend",
    "fake": "vanphong.search.backends.fake.FakeBackend",
}


def get_backend(name: str | None = None, **options: Any) -> SearchBackend:
    """The configured backend (one instance per process), or the one named (``tantivy``, ``postgres``,
    ``fake``, or a dotted path) with ``options``."""
    conf = getattr(settings, "VANPHONG_SEARCH", DEFAULT)
    path = ALIASES.get(name or "", name) or ALIASES.get(conf["BACKEND"], conf["BACKEND"])
    opts = {**(conf.get("OPTIONS") or {}), **options} if name is None or path == conf["BACKEND"] else options
    cache_key = f"{path}|{sorted(opts.items())!r}"
    with _lock:
        if cache_key not in _backends:
            _backends[cache_key] = import_string(path)(**opts)
        return _backends[cache_key]


def reset_backends() -> None:
    """Forget the instances (tests switching settings, a reindex that replaced the index directory)."""
    with _lock:
        _backends.clear()
