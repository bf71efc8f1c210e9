"""Login rate limits: failures per client address and per user name answer 429 with Retry-After, on top of the
account lockout (which keeps its own rules); wrong two-factor codes are limited per pending login."""

from __future__ import annotations

import pyotp
import pytest
from django.core.cache import cache
from django.urls import reverse

from vanphong.accounts.models import Role, User
from vanphong.accounts.views import PENDING
from vanphong.testing.factories import make_province, make_unit, make_user

PASSWORD = "Mat-khau-thu-1"


@pytest.fixture
def office(db, settings):
    settings.VANPHONG_LOGIN_RATE_IP = 4
    settings.VANPHONG_LOGIN_RATE_USERNAME = 3
    settings.VANPHONG_LOGIN_RATE_WINDOW_SECONDS = 300
    settings.VANPHONG_OTP_RATE = 2
    settings.VANPHONG_LOCKOUT_THRESHOLD = 100  # these tests are about the rate limit, not the lockout
    cache.clear()
    yield make_unit(make_province(), "Văn phòng Tỉnh ủy")
    cache.clear()


def _post(client, username, password="sai-mat-khau", ip="10.0.0.1"):  # noqa: S107 — a test password
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_username_limit_answers_429_in_vietnamese_with_retry_after(client, office):
    user = make_user(office, [Role.SPECIALIST])
    for _ in range(3):
        assert _post(client, user.username).status_code == 200
    r = _post(client, user.username, PASSWORD)  # even the right password is not checked now
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 300
    body = r.content.decode()
    assert "Đã nhập sai quá nhiều lần" in body and "Vui lòng thử lại sau" in body
    assert "_auth_user_id" not in client.session
    # another address does not help: the user name is counted on its own
    assert _post(client, user.username, PASSWORD, ip="10.0.0.2").status_code == 429


def test_username_limit_is_case_insensitive_and_covers_unknown_names(client, office):
    for name in ("KhongTonTai", "khongtontai", "KHONGTONTAI"):
        _post(client, name, ip="10.0.0.9")
    assert _post(client, "khongtontai", ip="10.0.0.8").status_code == 429


def test_address_limit_counts_failures_for_any_name(client, office):
    for n in range(4):
        assert _post(client, f"nguoi{n}").status_code == 200
    user = make_user(office, [Role.SPECIALIST])
    assert _post(client, user.username, PASSWORD).status_code == 429
    assert _post(client, user.username, PASSWORD, ip="10.0.0.2").status_code == 302


def test_successful_logins_are_not_counted(client, office):
    user = make_user(office, [Role.SPECIALIST])
    for _ in range(6):
        client.logout()
        assert _post(client, user.username, PASSWORD).status_code == 302


def test_success_forgets_the_user_names_failures(client, office):
    user = make_user(office, [Role.SPECIALIST])
    for _ in range(2):
        _post(client, user.username)
    assert _post(client, user.username, PASSWORD, ip="10.0.0.3").status_code == 302
    client.logout()
    for _ in range(2):
        assert _post(client, user.username, ip="10.0.0.4").status_code == 200


def test_lockout_still_applies_below_the_rate_limit(client, office, settings):
    """The account lockout is unchanged: it locks after its own threshold, whatever the rate limit."""
    settings.VANPHONG_LOCKOUT_THRESHOLD = 2
    user = make_user(office, [Role.SPECIALIST])
    _post(client, user.username, ip="10.0.0.5")
    _post(client, user.username, ip="10.0.0.6")
    user.refresh_from_db()
    assert user.locked_until is not None
    r = _post(client, user.username, PASSWORD, ip="10.0.0.7")
    assert r.status_code == 200 and "tạm khóa" in r.content.decode()


def test_wrong_two_factor_codes_are_limited(client, office):
    leader = make_user(office, [Role.OFFICE_LEADER])
    leader.totp_secret = pyotp.random_base32()
    leader.totp_confirmed = True
    leader.save()
    session = client.session
    session[PENDING] = leader.pk
    session.save()
    url = reverse("accounts:otp")
    for _ in range(2):
        assert client.post(url, {"code": "000000"}).status_code == 200
    good = pyotp.TOTP(leader.totp_secret).now()
    r = client.post(url, {"code": good})
    assert r.status_code == 429 and "Retry-After" in r
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=leader.pk).totp_last_step == 0  # the right code was not even checked
