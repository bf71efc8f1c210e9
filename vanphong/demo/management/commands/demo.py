"""``vanphong demo [--no-serve]``: migrate, load the demo office (idempotent), print logins, serve on :8000."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanphong.catalogs.secrecy import ISOLATED
from vanphong.demo.office import DEMO_PASSWORD, demo_load
from vanphong.search.services import search_reindex
from vanphong.storage.crypto import KeyUnavailableError, generate_key_file, get_key_provider


class Command(BaseCommand):
    help = "Load the demo office and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load the demo office and exit.")
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker.")

    def _isolated(self) -> str:
        """The demo office holds Mật letters, as a provincial office does: it runs as a mạng LAN độc lập, with a
        master key for encryption at rest (created in the data folder the first time)."""
        if os.environ.get("VANPHONG_DEPLOYMENT_MODE", ISOLATED).strip().lower() != ISOLATED:
            raise CommandError(
                "Văn phòng trình diễn có văn bản độ Mật, chỉ chạy được ở chế độ mạng LAN độc lập: bỏ biến "
                "VANPHONG_DEPLOYMENT_MODE hoặc đặt VANPHONG_DEPLOYMENT_MODE=isolated."
            )
        os.environ["VANPHONG_DEPLOYMENT_MODE"] = (
            ISOLATED  # the worker and the server started below inherit it
        )
        settings.VANPHONG_DEPLOYMENT_MODE = ISOLATED
        try:
            get_key_provider().current_key_id()
            return ""
        except KeyUnavailableError as exc:
            key_file = settings.VANPHONG_KEYS.get("KEY_FILE")
            if exc.code != "key_not_configured" or not key_file:
                raise CommandError(exc.message) from exc
            generate_key_file(key_file)
            return key_file

    def handle(self, *args: Any, **options: Any) -> None:
        created_key = self._isolated()
        call_command("migrate", interactive=False, verbosity=0)
        logins = demo_load()
        indexed = search_reindex(
            recreate=True
        )  # the demo's documents are searchable before the worker starts
        w = self.stdout.write
        w("")
        w("Văn phòng số — văn phòng trình diễn: Văn phòng Tỉnh ủy Tây Ninh")
        w(f"Mật khẩu chung cho mọi tài khoản trình diễn: {DEMO_PASSWORD}")
        w(f"{'Tên đăng nhập':<18} {'Vai trò':<22} {'2FA':<4} Họ tên — đơn vị")
        for login in logins:
            w(
                f"{login.username:<18} {login.role_label:<22} {'có' if login.two_factor else '':<4} "
                f"{login.full_name} — {login.unit}"
            )
        w(f"Chỉ mục tìm kiếm: {indexed['indexed']} văn bản.")
        w("Chế độ triển khai: mạng LAN độc lập (được lưu văn bản Mật; tệp mật được mã hóa khi lưu).")
        if created_key:
            w(f"Đã tạo khóa chính để mã hóa tệp: {created_key} (giữ kín, sao lưu riêng).")
        w(
            "Tài khoản có 2FA: lấy mã 6 số bằng lệnh `.venv/bin/vanphong totp TÊN_ĐĂNG_NHẬP` (hoặc quét khóa bằng ứng dụng)."
        )
        if options["no_serve"]:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(  # noqa: S603 - our own entry point
                [sys.executable, "-m", "vanphong.cli", "worker"], env=os.environ.copy()
            )
        w(f"Mở trình duyệt: http://{options['addr']}/")
        try:
            call_command("runserver", options["addr"], use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
