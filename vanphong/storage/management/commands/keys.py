"""``vanphong keys generate|status|rotate`` — master keys of encryption at rest.

``vanphong keys generate [--file PATH] [--add] [--json]``
    Creates the key file (default ``settings.VANPHONG_KEYS["KEY_FILE"]``, mode 0600) with a new current key;
    refuses to overwrite. ``--add`` puts a new current key into an existing file and keeps the older keys for
    reading until ``keys rotate`` has rewrapped every blob.
``vanphong keys status [--json]``
    Key ids (current first), where keys come from, and how many encrypted blobs each key id wraps.
    Exit code 1 when no key is usable or some blobs are wrapped under a key id the provider does not hold.
``vanphong keys rotate [--batch 500] [--json]``
    Rewraps every data key not under the current master key, batch by batch (resumable; readers keep working).
    Exit code 1 when some blobs could not be rewrapped.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vanphong.core.exceptions import VanphongError
from vanphong.storage.crypto import KeyUnavailableError, config_summary, generate_key_file, get_key_provider
from vanphong.storage.selectors import key_usage
from vanphong.storage.services import keys_rotate


class Command(BaseCommand):
    help = "Khóa chủ mã hóa tệp lưu trữ: tạo (generate), xem tình trạng (status), đổi khóa (rotate)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="Tạo tệp khóa với một khóa hiện hành mới.")
        gen.add_argument("--file", help="Đường dẫn tệp khóa (mặc định theo cấu hình VANPHONG_KEYS).")
        gen.add_argument("--add", action="store_true", help="Thêm khóa hiện hành mới vào tệp khóa đã có.")
        gen.add_argument("--json", action="store_true")
        st = sub.add_parser("status", help="Các khóa và số tệp mã hóa theo từng khóa.")
        st.add_argument("--json", action="store_true")
        rot = sub.add_parser("rotate", help="Bọc lại khóa dữ liệu bằng khóa chủ hiện hành.")
        rot.add_argument("--batch", type=int, default=500, help="Số tệp mỗi lượt (mỗi lượt một giao dịch).")
        rot.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except VanphongError as exc:
            raise CommandError(exc.message) from exc

    def _emit(self, options: dict[str, Any], figures: dict[str, Any], text: str) -> None:
        self.stdout.write(json.dumps(figures, ensure_ascii=False) if options["json"] else text)

    def _generate(self, options: dict[str, Any]) -> None:
        path = options["file"] or str(getattr(settings, "VANPHONG_KEYS", {}).get("KEY_FILE", ""))
        if not path:
            raise CommandError("Chưa có đường dẫn tệp khóa: dùng --file hoặc đặt VANPHONG_KEY_FILE.")
        key_id = generate_key_file(path, add=options["add"])
        verb = "Đã thêm khóa hiện hành" if options["add"] else "Đã tạo tệp khóa với khóa hiện hành"
        tail = " Chạy “vanphong keys rotate” để bọc lại các tệp đã mã hóa." if options["add"] else ""
        self._emit(
            options,
            {"key_file": path, "key_id": key_id, "added": options["add"]},
            f"{verb} {key_id} ({path}). Hãy sao lưu tệp khóa: mất khóa là mất các tệp đã mã hóa.{tail}",
        )

    def _status(self, options: dict[str, Any]) -> None:
        usage = key_usage()
        figures: dict[str, Any] = {**config_summary(), "current_key_id": None, "key_ids": [], "error": None}
        try:
            provider = get_key_provider()
            figures["key_ids"] = provider.key_ids()
            figures["current_key_id"] = provider.current_key_id()
        except KeyUnavailableError as exc:
            figures["error"] = exc.message
        unknown = sorted(k for k in usage.by_key_id if k not in figures["key_ids"])
        figures.update(
            blobs=usage.total, encrypted=usage.encrypted, by_key_id=usage.by_key_id, unknown_key_ids=unknown
        )
        lines = [f"Lỗi: {figures['error']}"] if figures["error"] else []
        for kid in figures["key_ids"]:
            mark = " (hiện hành)" if kid == figures["current_key_id"] else ""
            lines.append(f"Khóa {kid}{mark}: {usage.by_key_id.get(kid, 0)} tệp")
        lines += [f"Khóa {kid} (KHÔNG CÓ trong tệp khóa): {usage.by_key_id[kid]} tệp" for kid in unknown]
        lines.append(f"Tổng: {usage.total} tệp, {usage.encrypted} tệp đã mã hóa.")
        self._emit(options, figures, "\n".join(lines))
        if figures["error"] or unknown:
            sys.exit(1)

    def _rotate(self, options: dict[str, Any]) -> None:
        tty = sys.stderr.isatty() and not options["json"]

        def progress(done: int) -> None:
            if tty:
                sys.stderr.write(f"\rĐã bọc lại {done} khóa dữ liệu")
                sys.stderr.flush()

        report = keys_rotate(actor=None, batch=options["batch"], progress=progress)
        if tty:
            sys.stderr.write("\n")
        text = (
            f"Đã bọc lại {report.rewrapped} khóa dữ liệu bằng khóa chủ {report.current_key_id} "
            f"trong {report.batches} lượt"
            + (f"; {len(report.failed)} tệp lỗi (xem --json)." if report.failed else ".")
        )
        self._emit(options, report.as_dict(), text)
        if not report.ok:
            sys.exit(1)
