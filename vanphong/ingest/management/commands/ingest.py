"""``vanphong ingest extract FILE`` and ``vanphong ingest watch --dir DIR --unit UNIT_ID [--once] [--interval 5]``.

``extract`` prints one JSON object with exactly the keys ``number, symbol, number_symbol, issued_date, issuer,
doc_type, subject, signer, urgency, secrecy, ocr_used`` (``null`` for what was not found). Scans and images are
OCRed synchronously with the configured backend. It never touches the database. A file that is unreadable,
damaged, password-protected, empty or of the wrong kind gives the Vietnamese reason on stderr and exit code 2;
an OCR failure (recogniser missing, timeout) exit code 1.

``watch`` takes in the files of a scanner folder (see ``vanphong.ingest.scanner``) for the unit ``UNIT_ID``;
``--once`` makes two looks ``--interval`` seconds apart, takes in the stable files and stops.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanphong.core.exceptions import VanphongError

EXIT_BAD_FILE = 2
EXIT_OCR = 1


class Command(BaseCommand):
    help = "Ingest tools: extract metadata from a file; watch a scanner folder."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ex = sub.add_parser("extract", help="Print the proposed metadata of FILE as one JSON object.")
        ex.add_argument("file")
        w = sub.add_parser("watch", help="Take in the files of a scanner folder.")
        w.add_argument("--dir", required=True, dest="directory")
        w.add_argument("--unit", required=True, type=int, dest="unit_id")
        w.add_argument("--once", action="store_true", help="One round (two looks), then stop.")
        w.add_argument("--interval", type=float, default=5.0, help="Seconds between looks (default 5).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "extract":
            self._extract(Path(options["file"]))
        else:
            self._watch(Path(options["directory"]), options["unit_id"], options["once"], options["interval"])

    def _extract(self, path: Path) -> None:
        from vanphong.ingest.pipeline import proposal, read_document
        from vanphong.ingest.preflight import preflight, read_limited

        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{path}”.", returncode=EXIT_BAD_FILE)
        try:
            with path.open("rb") as f:
                data = read_limited(f, filename=path.name)
            checked = preflight(data=data, filename=path.name)
        except VanphongError as exc:
            raise CommandError(exc.message, returncode=EXIT_BAD_FILE) from exc
        except OSError as exc:
            raise CommandError(
                f"Không đọc được tệp “{path}”: {exc.strerror}.", returncode=EXIT_BAD_FILE
            ) from exc
        try:
            doc = read_document(data, filename=path.name, checked=checked)
        except VanphongError as exc:
            raise CommandError(exc.message, returncode=EXIT_OCR) from exc
        self.stdout.write(json.dumps(proposal(doc), ensure_ascii=False))

    def _watch(self, directory: Path, unit_id: int, once: bool, interval: float) -> None:
        from vanphong.ingest.scanner import ScannerWatcher
        from vanphong.org.models import Unit

        if not directory.is_dir():
            raise CommandError(f"Thư mục “{directory}” không tồn tại.")
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {unit_id}.")
        watcher = ScannerWatcher(directory, unit)
        watcher.look()
        taken = refused = 0
        try:
            while True:
                time.sleep(max(0.0, interval))
                for outcome in watcher.poll():
                    if outcome.ok:
                        taken += 1
                        self.stdout.write(
                            f"Đã tiếp nhận “{outcome.filename}” (tệp tiếp nhận #{outcome.intake_id})."
                        )
                    else:
                        refused += 1
                        self.stdout.write(f"Từ chối “{outcome.filename}”: {outcome.message}")
                if once:
                    break
        except KeyboardInterrupt:
            pass
        self.stdout.write(f"Xong: {taken} tệp đã tiếp nhận, {refused} tệp bị từ chối.")
