"""``vanphong digest [--day YYYY-MM-DD] [--dry-run]``: send today's digest e-mails (run it daily from cron).

With ``--dry-run`` the letters are printed and nothing is sent or recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vanphong.routing.services import digest_send


class Command(BaseCommand):
    help = "Send the daily digest e-mail (unread notifications, documents overdue or due within two days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", default="", help="Day of the digest, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the letters; send and record nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["day"]) if options["day"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Ngày không hợp lệ: {options['day']} (dạng YYYY-MM-DD).") from exc
        result = digest_send(day=day, dry_run=options["dry_run"])
        if options["dry_run"]:
            for to, subject, body in result.letters:
                self.stdout.write(f"To: {to}\nSubject: {subject}\n\n{body}\n{'-' * 72}")
            self.stdout.write(f"Dry run: {len(result.letters)} letters for {day:%d/%m/%Y}, nothing sent.")
            return
        self.stdout.write(f"Sent {result.sent} letters for {day:%d/%m/%Y}; {result.failed} failed.")
        if result.failed:
            raise CommandError(f"{result.failed} letters could not be sent; run again to retry them.")
