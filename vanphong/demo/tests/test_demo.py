"""`vanphong demo --no-serve` loads a realistic office idempotently: every role has a login that works."""

from __future__ import annotations

import json

import pyotp
import pytest
from django.core.management import call_command

from vanphong.accounts import access
from vanphong.accounts.models import Role, User
from vanphong.core.audit import audit_verify
from vanphong.demo.office import DEMO_PASSWORD, PEOPLE


@pytest.mark.django_db
def test_demo_loads_idempotently_with_every_role(capsys):
    call_command("demo", no_serve=True)
    first = capsys.readouterr().out
    call_command("demo", no_serve=True)
    capsys.readouterr()
    assert User.objects.count() == len(PEOPLE)
    held = {ra for u in User.objects.all() for ra in access.role_codes(u)}
    assert held == set(Role.values)
    for username, *_ in PEOPLE:
        assert username in first
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        if access.requires_two_factor(user):
            assert user.totp_confirmed and len(pyotp.TOTP(user.totp_secret).now()) == 6
    assert audit_verify().ok
    call_command("org", "stats")
    stats = json.loads(capsys.readouterr().out)
    assert stats["provinces"] == 34 and stats["communes"] == 3321 and stats["departments"] >= 9


@pytest.mark.django_db
def test_totp_command_only_for_demo_accounts(capsys):
    call_command("demo", no_serve=True)
    capsys.readouterr()
    call_command("totp", "bithu")
    code = capsys.readouterr().out.strip()
    assert code.isdigit() and len(code) == 6
    with pytest.raises(SystemExit):
        call_command("totp", "chuyenvien")


def test_database_url_parsing(tmp_path):
    import os

    from config.settings.base import database_from_env

    old = os.environ.get("DATABASE_URL")
    try:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp_path}/x.db"
        db = database_from_env(tmp_path / "default.db")
        assert db["ENGINE"].endswith("sqlite3") and db["NAME"] == f"{tmp_path}/x.db"
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/vanphong"
        db = database_from_env(tmp_path / "default.db")
        assert db["ENGINE"].endswith("postgresql") and db["NAME"] == "vanphong" and db["PORT"] == 5432
    finally:
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
