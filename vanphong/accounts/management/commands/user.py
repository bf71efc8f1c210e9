"""``vanphong user token USERNAME [--name NAME] [--days N] [--json]`` and ``vanphong user token-revoke PREFIX``.

``token`` prints a new personal API token once — the plain token on stdout, or with ``--json`` one object
``{"username", "token", "prefix", "expires_at"}``; only its HMAC is stored, so it cannot be shown again.
``token-revoke`` takes the public prefix (``vp_<prefix>`` or the 12 hex digits). Errors are Vietnamese on stderr,
exit code 1.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.accounts.tokens import api_token_find, api_token_issue, api_token_revoke
from vanphong.core.exceptions import VanphongError


class Command(BaseCommand):
    help = "User tools: personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tok = sub.add_parser("token", help="Issue a personal API token and print it (once).")
        tok.add_argument("username")
        tok.add_argument("--name", default="", help="What the token is for, e.g. 'báo cáo tự động'.")
        tok.add_argument("--days", type=int, default=None, help="Lifetime in days (VANPHONG_API_TOKEN_DAYS).")
        tok.add_argument(
            "--json", action="store_true", help="Print one JSON object instead of the bare token."
        )
        rev = sub.add_parser("token-revoke", help="Revoke a token by its public prefix.")
        rev.add_argument("prefix")

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "token":
                self._issue(options)
            else:
                token = api_token_revoke(actor=None, token=api_token_find(options["prefix"]))
                self.stdout.write(f"Đã thu hồi mã truy cập vp_{token.prefix} của “{token.user.username}”.")
        except VanphongError as exc:
            self._fail(exc.message)

    def _issue(self, options: dict[str, Any]) -> None:
        username = options["username"]
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            self._fail(f"Không tìm thấy người dùng “{username}”.")
            return
        issued = api_token_issue(actor=None, user=user, name=options["name"], days=options["days"])
        if options["json"]:
            data = {
                "username": user.username,
                "token": issued.token,
                "prefix": issued.record.prefix,
                "expires_at": timezone.localtime(issued.record.expires_at).isoformat(),
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(issued.token)
