"""``vanphong search reindex|check`` — rebuild the search index from the database, or compare the two.

``vanphong search reindex [--kind incoming] [--batch 500] [--recreate] [--json]``
    Writes every record again in batches (bounded memory), shows a progress bar on a terminal, then removes
    entries whose record is gone. ``--recreate`` starts from an empty index (after an upgrade that changed
    the index layout). Searches keep working while it runs (except with ``--recreate``).
``vanphong search check [--fix] [--json]``
    Reports records missing from the index, stale (changed since indexed) and orphans (deleted records);
    ``--fix`` repairs them. Exit code 1 when problems were found and not fixed.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanphong.search.backends import get_backend
from vanphong.search.base import SearchUnavailable
from vanphong.search.services import search_check, search_reindex
from vanphong.search.sources import all_sources


class Command(BaseCommand):
    help = "Chỉ mục tìm kiếm: dựng lại (reindex) hoặc kiểm tra (check)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        re = sub.add_parser("reindex", help="Dựng lại chỉ mục từ cơ sở dữ liệu.")
        re.add_argument("--kind", action="append", default=[], help="Chỉ loại này (incoming, outgoing…).")
        re.add_argument("--batch", type=int, default=500)
        re.add_argument("--recreate", action="store_true", help="Xóa chỉ mục cũ trước khi dựng.")
        re.add_argument("--json", action="store_true")
        ch = sub.add_parser("check", help="So chỉ mục với cơ sở dữ liệu.")
        ch.add_argument("--fix", action="store_true", help="Sửa các chỗ thiếu, cũ, thừa.")
        ch.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "reindex":
                self._reindex(options)
            else:
                self._check(options)
        except SearchUnavailable as exc:
            raise CommandError(str(exc)) from exc

    def _reindex(self, options: dict[str, Any]) -> None:
        known = {s.kind for s in all_sources()}
        unknown = [k for k in options["kind"] if k not in known]
        if unknown:
            raise CommandError(f"Không có loại “{', '.join(unknown)}”. Các loại: {', '.join(sorted(known))}.")
        if options["batch"] < 1:
            raise CommandError("--batch phải lớn hơn 0.")
        backend = get_backend()
        tty = sys.stderr.isatty() and not options["json"]
        started = time.perf_counter()

        def progress(kind: str, done: int, total: int) -> None:
            if not tty:
                return
            width = 30
            filled = int(width * done / total) if total else width
            sys.stderr.write(f"\r{kind:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        totals = search_reindex(
            kinds=options["kind"] or None,
            batch=options["batch"],
            progress=progress,
            recreate=options["recreate"],
        )
        figures = {**totals, "seconds": round(time.perf_counter() - started, 2), "backend": backend.name,
                   "documents": backend.stats().documents}  # fmt: skip
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        else:
            self.stdout.write(
                f"Đã ghi {totals['indexed']} bản ghi, xóa {totals['deleted']} bản ghi thừa trong "
                f"{figures['seconds']} giây; chỉ mục ({backend.name}) có {figures['documents']} văn bản."
            )

    def _check(self, options: dict[str, Any]) -> None:
        report = search_check(fix=options["fix"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            d = report.as_dict()
            self.stdout.write(
                f"Đã kiểm tra {d['checked']} văn bản: thiếu {d['missing']}, cũ {d['stale']}, thừa {d['orphans']}"
                + (" — đã sửa." if report.fixed and not report.ok else ".")
            )
        if not report.ok and not report.fixed:
            sys.exit(1)
