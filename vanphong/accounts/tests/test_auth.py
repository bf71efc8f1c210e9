"""Logging in: passwords, lockout, two-factor for leaders, idle expiry, and the audit of each step."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.middleware import LAST_SEEN
from vanphong.accounts.models import Role, User
from vanphong.core.models import AuditRecord
from vanphong.testing.factories import login, make_province, make_unit, make_user

PASSWORD = "Mat-khau-thu-1"


@pytest.fixture
def office(db):
    prov = make_province()
    return make_unit(prov, "Văn phòng Tỉnh ủy")


def _post_login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_production_hasher_is_argon2():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = get_hasher("default").encode("Mat-khau-thu-1", "somesalt12345678")
    assert encoded.startswith("argon2$")


def test_login_page_is_vietnamese(client, db):
    r = client.get(reverse("accounts:login"))
    assert r.status_code == 200
    assert "Đăng nhập" in r.content.decode() and "Tên đăng nhập" in r.content.decode()


def test_specialist_logs_in_without_code(client, office):
    user = make_user(office, [Role.SPECIALIST])
    r = _post_login(client, user.username)
    assert r.status_code == 302 and r.url == "/"
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.filter(action="auth.login", object_id=str(user.pk)).exists()


def test_wrong_password_message_and_audit(client, office):
    user = make_user(office, [Role.SPECIALIST])
    r = _post_login(client, user.username, "sai-mat-khau")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in r.content.decode()
    assert AuditRecord.objects.filter(action="auth.login.failed", object_id=str(user.pk)).count() == 1


@override_settings(VANPHONG_LOCKOUT_THRESHOLD=3, VANPHONG_LOCKOUT_MINUTES=15)
def test_lockout_after_repeated_failures_even_with_right_password(client, office):
    user = make_user(office, [Role.SPECIALIST])
    for _ in range(3):
        _post_login(client, user.username, "sai")
    user.refresh_from_db()
    assert user.locked_until and user.locked_until > timezone.now()
    r = _post_login(client, user.username)
    assert "tạm khóa" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="auth.login.lockout").count() == 1
    # After the lock expires the right password works again.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _post_login(client, user.username).status_code == 302


def test_leader_must_enrol_then_use_code(client, office):
    """A leader without a confirmed secret is sent to enrolment; after it, every login asks for a code."""
    leader = make_user(office, [Role.OFFICE_LEADER])
    r = _post_login(client, leader.username)
    assert r.url == reverse("accounts:otp_setup")
    assert client.get("/").status_code == 302  # not logged in yet
    page = client.get(reverse("accounts:otp_setup"))
    assert "<svg" in page.content.decode()
    leader.refresh_from_db()
    totp = pyotp.TOTP(leader.totp_secret)
    r = client.post(reverse("accounts:otp_setup"), {"code": totp.now()})
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    leader.refresh_from_db()
    assert leader.totp_confirmed

    client.post(reverse("accounts:logout"))
    r = _post_login(client, leader.username)
    assert r.url == reverse("accounts:otp")
    r = client.post(reverse("accounts:otp"), {"code": "000000"})
    assert "Mã xác thực không đúng" in r.content.decode()
    code = totp.at(timezone.now() + timedelta(seconds=30))  # next step: the current one was used at enrolment
    assert client.post(reverse("accounts:otp"), {"code": code}).status_code == 302
    assert client.get("/").status_code == 200


def test_code_cannot_be_replayed(office):
    from vanphong.accounts.services import totp_begin, totp_check

    leader = make_user(office, [Role.COMMITTEE_LEADER])
    secret = totp_begin(user=leader)
    code = pyotp.TOTP(secret).now()
    assert totp_check(user=leader, code=code)
    assert not totp_check(user=leader, code=code)


def test_session_without_code_step_is_refused_for_admin(client, office):
    """A session created some other way (e.g. force_login) without the code step is logged out."""
    admin = make_user(office, [Role.ADMIN])
    login(client, admin, two_factor=False)
    r = client.get("/")
    assert r.status_code == 302 and reverse("accounts:login") in r.url


@override_settings(VANPHONG_IDLE_TIMEOUT_MINUTES=30)
def test_idle_session_expires(client, office):
    user = make_user(office, [Role.CLERK])
    login(client, user, two_factor=False)
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN] = session[LAST_SEEN] - 31 * 60
    session.save()
    r = client.get("/")
    assert r.status_code == 302
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(client, office):
    user = make_user(office, [Role.CLERK], is_active=False)
    r = _post_login(client, user.username)
    assert r.status_code == 200 and "_auth_user_id" not in client.session


def test_open_redirect_is_ignored(client, office):
    user = make_user(office, [Role.CLERK])
    r = client.post(
        reverse("accounts:login") + "?next=//evil.example/", {"username": user.username, "password": PASSWORD}
    )
    assert r.url == "/"
