"""Personal API tokens: issued once, stored as an HMAC, refused when expired, revoked or the user is inactive or
locked; each step audited without the secret; ``vanphong user token`` prints the token (or JSON)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from vanphong.accounts.models import ApiToken, Role
from vanphong.accounts.tokens import (
    TOKEN_RE,
    TokenRejected,
    api_token_authenticate,
    api_token_find,
    api_token_issue,
    api_token_revoke,
)
from vanphong.core.exceptions import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.testing.factories import make_province, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db):
    return make_unit(make_province(), "Văn phòng Tỉnh ủy")


@pytest.fixture
def user(office):
    return make_user(office, [Role.SPECIALIST], username="chuyenvien")


def _audit_text() -> str:
    return json.dumps(list(AuditRecord.objects.values("action", "object_label", "before", "after")))


def test_issue_returns_the_token_once_and_stores_only_an_hmac(user):
    issued = api_token_issue(actor=None, user=user, name="báo cáo")
    m = TOKEN_RE.match(issued.token)
    assert m and m["prefix"] == issued.record.prefix
    row = ApiToken.objects.get()
    assert row.secret_hash != issued.token and len(row.secret_hash) == 64
    assert m["secret"] not in row.secret_hash and issued.token not in str(row.__dict__)
    assert timedelta(days=179) < row.expires_at - timezone.now() <= timedelta(days=180)
    assert AuditRecord.objects.filter(action="accounts.api_token.issue", object_id=str(user.pk)).exists()
    assert m["secret"] not in _audit_text()


def test_authenticate_gives_the_user_and_records_use_at_most_once_a_minute(user):
    issued = api_token_issue(actor=None, user=user)
    assert api_token_authenticate(issued.token) == (user, issued.record)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    api_token_authenticate(issued.token)
    assert ApiToken.objects.get().last_used_at == first
    assert AuditRecord.objects.filter(action="auth.api_token.use").count() == 1
    ApiToken.objects.update(last_used_at=first - timedelta(seconds=61))
    api_token_authenticate(issued.token)
    later = ApiToken.objects.get().last_used_at
    assert later is not None and later > first
    assert AuditRecord.objects.filter(action="auth.api_token.use").count() == 2


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "vp_000000000000_" + "a" * 43, "Bearer vp_x", "vp_0123456789ab_" + "a" * 42 + "!"],
)
def test_malformed_or_unknown_tokens_are_refused(user, raw):
    with pytest.raises(TokenRejected, match="không hợp lệ"):
        api_token_authenticate(raw)


def test_wrong_secret_for_a_known_prefix_is_refused_and_audited(user):
    issued = api_token_issue(actor=None, user=user)
    forged = issued.token[:-4] + ("AAAA" if not issued.token.endswith("AAAA") else "BBBB")
    with pytest.raises(TokenRejected, match="không hợp lệ"):
        api_token_authenticate(forged)
    rec = AuditRecord.objects.get(action="auth.api_token.rejected")
    assert rec.after == {"prefix": issued.record.prefix, "reason": "bad_secret"}
    assert forged not in _audit_text()


def test_expired_token_is_refused_with_the_day(user):
    issued = api_token_issue(actor=None, user=user, days=1)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(TokenRejected, match="hết hạn từ ngày"):
        api_token_authenticate(issued.token)


def test_revoked_token_is_refused_and_revoke_is_audited(user):
    issued = api_token_issue(actor=None, user=user)
    api_token_revoke(actor=user, token=issued.record)
    first = ApiToken.objects.get().revoked_at
    api_token_revoke(actor=user, token=issued.record)
    assert ApiToken.objects.get().revoked_at == first
    assert AuditRecord.objects.filter(action="accounts.api_token.revoke").count() == 1
    with pytest.raises(TokenRejected, match="thu hồi"):
        api_token_authenticate(issued.token)


def test_inactive_or_locked_user_token_is_refused(user):
    issued = api_token_issue(actor=None, user=user)
    user.locked_until = timezone.now() + timedelta(minutes=5)
    user.save()
    with pytest.raises(TokenRejected, match="tạm khóa"):
        api_token_authenticate(issued.token)
    user.locked_until = None
    user.is_active = False
    user.save()
    with pytest.raises(TokenRejected, match="vô hiệu hóa"):
        api_token_authenticate(issued.token)


def test_rotated_secret_key_still_accepts_tokens_through_fallbacks(user, settings):
    issued = api_token_issue(actor=None, user=user)
    with override_settings(SECRET_KEY="a-new-key-" + "x" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert api_token_authenticate(issued.token)[0] == user
    with (
        override_settings(SECRET_KEY="a-new-key-" + "x" * 50, SECRET_KEY_FALLBACKS=[]),
        pytest.raises(TokenRejected),
    ):
        api_token_authenticate(issued.token)


def test_nobody_mints_a_token_for_someone_else_and_only_owner_or_admin_revokes(user, office):
    admin = make_user(office, [Role.ADMIN])
    with pytest.raises(PermissionDenied):
        api_token_issue(actor=admin, user=user)
    issued = api_token_issue(actor=user, user=user)
    stranger = make_user(make_province(), [Role.ADMIN])
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=stranger, token=issued.record)
    assert api_token_revoke(actor=admin, token=issued.record).revoked_at is not None


def test_issue_refuses_bad_lifetimes_and_inactive_users(user):
    with pytest.raises(ValidationError):
        api_token_issue(actor=None, user=user, days=0)
    user.is_active = False
    user.save()
    with pytest.raises(ValidationError, match="vô hiệu hóa"):
        api_token_issue(actor=None, user=user)


# --- the command ------------------------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command("user", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_command_prints_the_bare_token(user):
    token = _run("token", "chuyenvien", "--name", "tích hợp", "--days", "30")
    assert TOKEN_RE.match(token)
    row = ApiToken.objects.get()
    assert row.name == "tích hợp" and timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(
        days=30
    )
    assert api_token_authenticate(token)[0] == user


def test_command_json(user):
    data = json.loads(_run("token", "ChuyenVien", "--json"))
    assert set(data) == {"username", "token", "prefix", "expires_at"}
    assert data["username"] == "chuyenvien" and data["token"].startswith(f"vp_{data['prefix']}_")
    assert data["expires_at"].endswith("+07:00")


def test_command_unknown_user_fails_in_vietnamese(db, capsys):
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("user", "token", "khong-co-ai", stdout=StringIO(), stderr=err)
    assert exc.value.code == 1
    assert "Không tìm thấy người dùng “khong-co-ai”" in err.getvalue()
    assert not ApiToken.objects.exists()


def test_command_revokes_by_prefix(user):
    issued = api_token_issue(actor=None, user=user)
    out = _run("token-revoke", f"vp_{issued.record.prefix}")
    assert issued.record.prefix in out and "chuyenvien" in out
    assert api_token_find(issued.record.prefix).revoked_at is not None
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("user", "token-revoke", "nope", stdout=StringIO(), stderr=err)
    assert "Không có mã truy cập API" in err.getvalue()
