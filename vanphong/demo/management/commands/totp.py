"""``vanphong totp USERNAME``: print the current two-factor code of a *demo* account (for trying the demo)."""

from __future__ import annotations

import sys
import time
from typing import Any

import pyotp
from django.core.management.base import BaseCommand, CommandParser

from vanphong.accounts.models import User
from vanphong.demo.office import PEOPLE, demo_totp_secret


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        demo_names = {p[0] for p in PEOPLE}
        user = User.objects.filter(username=username).first()
        if username not in demo_names or user is None or user.totp_secret != demo_totp_secret(username):
            self.stderr.write("Chỉ dùng được cho tài khoản trình diễn có xác thực hai lớp.")
            sys.exit(1)
        # A code is accepted once; when the current one was already used, give the next step's (also accepted).
        step = int(time.time()) // 30
        if user.totp_last_step >= step:
            step = user.totp_last_step + 1
        self.stdout.write(pyotp.TOTP(user.totp_secret).at(step * 30))
