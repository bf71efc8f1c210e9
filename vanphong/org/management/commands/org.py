"""``vanphong org stats`` (JSON unit counts by level), ``org load-divisions``, ``org import FILE [--dry-run]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanphong.org.selectors import org_stats
from vanphong.org.services import divisions_load


class Command(BaseCommand):
    help = "Organisation tree tools."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("stats", help="Print unit counts by level as one JSON object.")
        sub.add_parser("load-divisions", help="Load the 34 provinces and 3,321 communes (idempotent).")
        imp = sub.add_parser("import", help="Import a province's own unit tree from CSV or XLSX.")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "stats":
            self.stdout.write(json.dumps(org_stats(), ensure_ascii=False))
        elif action == "load-divisions":
            r = divisions_load()
            self.stdout.write(
                json.dumps({"provinces": r.provinces, "communes": r.communes, "created": r.created})
            )
        elif action == "import":
            from vanphong.org.importer import org_import

            report = org_import(path=Path(options["file"]), actor=None, dry_run=options["dry_run"])
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
            if not report.ok:
                sys.exit(1)
