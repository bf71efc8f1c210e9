"""``vanphong audit verify``: re-compute the hash chain; exit 0 and print ``OK <n> records`` when intact."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanphong.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain; non-zero exit naming the first bad record.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"OK {result.count} records")
            return
        self.stderr.write(
            f"FAIL at record {result.bad_seq}: {result.reason} ({result.count} records verified before it)"
        )
        sys.exit(1)
