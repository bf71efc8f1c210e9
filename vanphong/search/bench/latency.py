"""``bench search``: building (or reusing) each backend's index and measuring latency, size and memory."""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base import SearchBackend, SearchQuery, SearchRecord
from .common import VOLUME_KIND, BenchInputError, _delete_kind, open_backend, postgres_available
from .corpus import GENERATOR, SET_LABELS, Query, SourceTexts, load_source, make_queries, synthetic_record

# --- building and measuring -------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if os.uname().sysname == "Darwin" else 1024), 1)


def memory_now() -> dict[str, float]:
    """Current resident memory split into anonymous (heap) and file-backed (mapped index files) pages, in MB;
    empty where ``/proc`` is missing. ``ru_maxrss`` counts both: a memory-mapped index inflates it."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile"):
                out[key[3:].lower() + "_mb"] = round(int(value.split()[0]) / 1024, 1)
    except (OSError, ValueError):
        return {}
    return out


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95 (nearest rank) and max, in ms rounded to 2 places."""
    s = sorted(values)
    if not s:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}

    def rank(p: float) -> float:
        return s[max(0, math.ceil(p * len(s)) - 1)]

    return {"p50": round(rank(0.50), 2), "p95": round(rank(0.95), 2), "max": round(s[-1], 2)}


@dataclass
class Built:
    backend: SearchBackend
    reused: bool
    build_seconds: float
    generate_seconds: float
    size_bytes: int | None
    build_memory: dict[str, Any] = field(default_factory=dict)  # peak and anon/file RSS right after the build
    notes: list[str] = field(default_factory=list)


def _manifest(directory: Path, name: str, docs: int) -> Path:
    return directory / f"{name}-{docs}.json"


def _stream_into(
    backend: SearchBackend, docs: int, src: SourceTexts, batch: int, progress: Callable[[str], None]
) -> float:
    """Generate documents 0..docs-1 and index them, ``batch`` at a time (a backend with ``index_stream``, tantivy,
    takes the whole stream with one writer whose heap bounds the memory); returns the seconds spent generating."""
    spent = [0.0]
    report_every = max(batch, (docs // 10) // batch * batch)
    started = time.perf_counter()

    def batches() -> Iterator[list[SearchRecord]]:
        for start in range(0, docs, batch):
            t0 = time.perf_counter()
            records = [synthetic_record(i, src) for i in range(start, min(docs, start + batch))]
            spent[0] += time.perf_counter() - t0
            yield records
            done = start + len(records)
            if done % report_every == 0 or done == docs:
                progress(f"  {done:,} / {docs:,} documents ({time.perf_counter() - started:.0f} s)")

    stream = getattr(backend, "index_stream", None)
    if stream is not None:
        stream((record for records in batches() for record in records), fresh=True)  # built from empty
    else:
        for records in batches():
            backend.index(records)
    return spent[0]


def _held(name: str, backend: SearchBackend) -> int:
    """How many benchmark documents the backend holds (the tantivy index holds nothing else)."""
    if name == "tantivy":
        return backend.stats().documents
    return sum(1 for _ in backend.fingerprints(VOLUME_KIND))


def build_backend(
    name: str,
    docs: int,
    src: SourceTexts,
    directory: Path,
    *,
    batch: int = 5000,
    progress: Callable[[str], None] = lambda _m: None,
) -> Built:
    """The index of ``docs`` synthetic documents for backend ``name``: reused when the manifest in ``directory``
    says the same size and generator were built there before (and the backend holds that many documents)."""
    manifest = _manifest(directory, name, docs)
    previous: dict[str, Any] = {}
    if manifest.is_file():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            previous = {}
    if name == "tantivy":
        path = directory / f"tantivy-{docs}"
        options: dict[str, Any] = {"path": str(path)}
    else:
        path = None
        options = {}
    if previous.get("generator") == GENERATOR and previous.get("docs") == docs:
        backend = open_backend(name, **options)
        try:
            held = _held(name, backend)
        except Exception:  # an unreadable index is rebuilt
            held = -1
        if held == docs:
            memory = {"peak_rss_mb": previous.get("peak_rss_mb"), **(previous.get("rss_after_build") or {})}
            return Built(backend, True, previous["build_seconds"], previous.get("generate_seconds", 0.0),
                         _size(name, backend, path), memory,
                         [f"{name}: reused the index built before in {directory}"])  # fmt: skip
    if path is not None and path.exists():
        shutil.rmtree(path)
    manifest.unlink(missing_ok=True)
    if path is not None:
        path.mkdir(parents=True)
    backend = open_backend(name, **options)
    if name == "tantivy":
        backend.clear()
    else:
        _delete_kind(backend, VOLUME_KIND)
        # the other size of a previous run shares this table: it is gone now
        for other in directory.glob(f"{name}-*.json"):
            other.unlink(missing_ok=True)
    progress(f"{name}: indexing {docs:,} documents in batches of {batch:,}…")
    started = time.perf_counter()
    gen = _stream_into(backend, docs, src, batch, progress)
    seconds = time.perf_counter() - started
    peak, now = peak_rss_mb(), memory_now()
    manifest.write_text(
        json.dumps(
            {
                "docs": docs,
                "generator": GENERATOR,
                "build_seconds": round(seconds, 1),
                "generate_seconds": round(gen, 1),
                "peak_rss_mb": peak,
                "rss_after_build": now,
            }
        ),
        encoding="utf-8",
    )
    return Built(
        backend,
        False,
        round(seconds, 1),
        round(gen, 1),
        _size(name, backend, path),
        {"peak_rss_mb": peak, **now},
    )


def _size(name: str, backend: SearchBackend, path: Path | None) -> int | None:
    if path is not None:
        return dir_size(path)
    try:
        return backend.stats().size_bytes
    except Exception:
        return None


def measure(backend: SearchBackend, queries: dict[str, list[Query]]) -> dict[str, dict[str, float]]:
    """Latency per query set: every query with trimming on (its viewer), facets on, limit 20."""
    for text, viewer in queries["terms"][:10]:  # warm up: caches, lazy loading
        backend.search(SearchQuery(text=text, limit=20), viewer)
    out: dict[str, dict[str, float]] = {}
    for name, items in queries.items():
        times: list[float] = []
        totals: list[int] = []
        inexact = 0
        for text, viewer in items:
            t0 = time.perf_counter()
            result = backend.search(SearchQuery(text=text, limit=20, facets=True), viewer)
            times.append(1000 * (time.perf_counter() - t0))
            totals.append(result.total)
            inexact += not result.total_exact
        out[name] = {
            **percentiles(times),
            "median_hits": float(statistics.median(totals)) if totals else 0.0,
            "inexact_totals": round(inexact / len(items), 3)
            if items
            else 0.0,  # the backend capped the count
        }
    return out


def run_search(
    *,
    docs: int,
    backends: Sequence[str],
    count: int,
    directory: Path,
    source: Path,
    batch: int = 5000,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """The figures of ``bench search`` (see the module docstring)."""
    if docs < 10:
        raise BenchInputError("--docs phải từ 10 trở lên.")
    if count < 1:
        raise BenchInputError("--queries phải lớn hơn 0.")
    directory.mkdir(parents=True, exist_ok=True)
    src = load_source(source)
    queries = make_queries(docs, src, count)
    out: dict[str, Any] = {"docs": docs, "queries_per_set": count, "backends": {}, "notes": []}
    for name in backends:
        if name == "postgres" and (reason := postgres_available()):
            out["backends"][name] = {"skipped": reason}
            progress(reason)
            continue
        built = build_backend(name, docs, src, directory, batch=batch, progress=progress)
        out["notes"].extend(built.notes)
        progress(f"{name}: measuring {sum(len(q) for q in queries.values())} queries…")
        out["backends"][name] = {
            "reused": built.reused,
            "build_seconds": built.build_seconds,
            "generate_seconds": built.generate_seconds,
            "index_bytes": built.size_bytes,
            "build_memory_mb": built.build_memory,
            "latency_ms": measure(built.backend, queries),
        }
    out["peak_rss_mb"] = peak_rss_mb()
    out["examples"] = {name: [text for text, _v in items[:3]] for name, items in queries.items()}
    return out


def format_search(figures: dict[str, Any]) -> str:
    """The human-readable table of ``bench search``."""
    lines = [
        f"{figures['docs']:,} synthetic documents (Bộ pháp điển text recombined), {figures['queries_per_set']} "
        "queries per set; viewer: 3 unit principals, clearance 0 (trimming on); facets on; limit 20.",
        f"{'backend':<10}{'query set':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'median hits':>13}"
        f"{'capped':>8}",
    ]
    for name, b in figures["backends"].items():
        if "skipped" in b:
            lines.append(f"{name:<10}{b['skipped']}")
            continue
        for qs, row in b["latency_ms"].items():
            lines.append(
                f"{name:<10}{SET_LABELS.get(qs, qs):<26}{row['p50']:>9.2f}{row['p95']:>9.2f}{row['max']:>9.2f}"
                f"{row['median_hits']:>13,.0f}{100 * row.get('inexact_totals', 0):>7.0f}%"
            )
        size = f"{b['index_bytes'] / 1e6:,.1f} MB" if b["index_bytes"] is not None else "unknown"
        how = "reused (built earlier in" if b["reused"] else "built in"
        lines.append(
            f"{name:<10}index {size} on disk; {how} {b['build_seconds']:,.1f} s"
            f"{')' if b['reused'] else ''}, of which {b['generate_seconds']:,.1f} s generating documents"
        )
        mem = b.get("build_memory_mb") or {}
        if mem.get("peak_rss_mb"):
            split = (
                f" (then {mem['anon_mb']:,.0f} MB heap, {mem['file_mb']:,.0f} MB mapped files)"
                if "anon_mb" in mem and "file_mb" in mem
                else ""
            )
            lines.append(f"{'':<10}peak memory at the end of the build {mem['peak_rss_mb']:,.0f} MB{split}")
    lines.append(
        "median hits: readable matches per query (trimmed); capped: share of queries whose count the backend "
        "stopped at a limit (the median is then a lower bound)."
    )
    lines.append(
        f"peak memory of this process: {figures['peak_rss_mb']:,.0f} MB (ru_maxrss: the source texts, ≈ 250 MB, "
        "are included, and so are the pages of a memory-mapped tantivy index read while querying; a PostgreSQL "
        "server's own memory is not)"
    )
    lines.extend(f"note: {n}" for n in figures["notes"])
    for qs, texts in figures.get("examples", {}).items():
        lines.append(f"e.g. {SET_LABELS.get(qs, qs)}: " + " | ".join(texts))
    return "\n".join(lines)
