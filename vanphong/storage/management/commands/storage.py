"""``vanphong storage verify`` re-hashes every blob; ``vanphong storage gc`` removes old orphan files.

``verify`` prints one JSON object ``{"ok", "checked", "missing", "mismatched", "orphans"}`` and exits 0 when
everything matches, 1 otherwise (so cron and monitoring can act on the exit code).
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanphong.storage.services import storage_gc, storage_verify


class Command(BaseCommand):
    help = "Content-addressed storage tools (verify, gc)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Re-hash every blob; JSON report; exit 1 on any problem.")
        gc = sub.add_parser("gc", help="Remove orphan files (no database row) older than a grace period.")
        gc.add_argument(
            "--older-than-hours",
            type=float,
            default=24.0,
            help="Grace period in hours (default 24): younger orphans may be uploads in progress.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self._verify(options["verbosity"])
        else:
            self._gc(options["older_than_hours"])

    def _verify(self, verbosity: int) -> None:
        def progress(n: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"checked {n}")

        report = storage_verify(progress=progress)
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if not report.ok:
            sys.exit(1)

    def _gc(self, hours: float) -> None:
        result = storage_gc(older_than=timedelta(hours=hours))
        self.stdout.write(
            json.dumps(
                {
                    "removed": result.removed,
                    "kept_recent": result.kept_recent,
                    "partial_removed": result.partial_removed,
                },
                ensure_ascii=False,
            )
        )
