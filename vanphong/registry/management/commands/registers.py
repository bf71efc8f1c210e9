"""``vanphong registers export``: write one statutory register (NĐ 30/2020 Phụ lục IV) to an XLSX or PDF file.

    vanphong registers export --kind incoming|outgoing|followup --unit UNIT_ID --year 2026
        [--from DD/MM/YYYY --to DD/MM/YYYY] --format xlsx|pdf --out FILE

On success prints one JSON line ``{"kind": ..., "rows": N, "file": ..., "bytes": ...}`` and exits 0. A wrong kind,
format, unit or date prints a Vietnamese message on stderr and exits 2. The command reads as the system (every
row of the unit, whatever the độ mật) and records the export in the audit trail.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from vanphong.org.models import Unit
from vanphong.registry.exports import CONTENT_TYPES, register_export
from vanphong.registry.registers import REGISTERS, RegisterFilterForm

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Statutory registers (sổ đăng ký văn bản đến, đi, sổ theo dõi giải quyết): export to XLSX or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="Write a register to a file and print one JSON line.")
        exp.add_argument("--kind", required=True, help="incoming | outgoing | followup")
        exp.add_argument("--unit", required=True, help="id of the unit that keeps the register")
        exp.add_argument("--year", default="", help="calendar year (default: year of --from, else this year)")
        exp.add_argument("--from", dest="date_from", default="", help="first day, DD/MM/YYYY")
        exp.add_argument("--to", dest="date_to", default="", help="last day, DD/MM/YYYY")
        exp.add_argument("--format", dest="fmt", required=True, help="xlsx | pdf")
        exp.add_argument("--out", required=True, help="file to write")

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(USAGE_ERROR)

    def handle(self, *args: Any, **options: Any) -> None:
        register = REGISTERS.get(options["kind"])
        if register is None:
            self._fail(f"Loại sổ “{options['kind']}” không đúng: chọn incoming, outgoing hoặc followup.")
        fmt = options["fmt"].lower()
        if fmt not in CONTENT_TYPES:
            self._fail(f"Định dạng “{options['fmt']}” không đúng: chọn xlsx hoặc pdf.")
        unit_id = str(options["unit"])
        unit = (
            Unit.objects.select_related("parent").filter(pk=int(unit_id)).first()
            if unit_id.isdigit()
            else None
        )
        if unit is None:
            self._fail(f"Không có đơn vị mã {unit_id}.")
        data = {"year": options["year"], "date_from": options["date_from"], "date_to": options["date_to"]}
        form = RegisterFilterForm(data, register=register)
        if not form.is_valid():
            self._fail(form.error_text())
        out = Path(options["out"])
        if not out.parent.is_dir():
            self._fail(f"Không có thư mục {out.parent} để ghi tệp.")
        export = register_export(actor=None, register=register, unit=unit, filters=form.filters(), fmt=fmt)
        tmp = out.with_name(f".{out.name}.part")
        tmp.write_bytes(export.content)
        os.replace(tmp, out)
        self.stdout.write(
            json.dumps(
                {"kind": register.kind, "rows": export.rows, "file": str(out), "bytes": len(export.content)},
                ensure_ascii=False,
            )
        )
