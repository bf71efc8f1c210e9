"""Personal API tokens: issue, revoke, authenticate. All audited; the secret is never stored nor logged.

A token reads ``vp_<prefix>_<secret>``: ``prefix`` (12 hex digits) is public and names the token in lists, the
audit trail and ``vanphong user token-revoke``; ``secret`` is 32 random bytes, URL-safe base64. The database
keeps ``HMAC-SHA256(SECRET_KEY, token)`` only, so a copy of the database does not let anyone call the API; keys
in ``SECRET_KEY_FALLBACKS`` are still accepted, so rotating the key does not break issued tokens at once.

A token acts as its user: the API applies the same access funnel as the pages. It stops working when it
expires (``VANPHONG_API_TOKEN_DAYS`` after issue, by default), is revoked, or its user is deactivated or locked.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vanphong.core.audit import audit_log
from vanphong.core.exceptions import PermissionDenied, ValidationError, VanphongError

from . import access
from .models import ApiToken, User

TOKEN_RE = re.compile(r"^vp_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")
PREFIX_RE = re.compile(r"^(?:vp_)?(?P<prefix>[0-9a-f]{12})$")
USE_RECORD_SECONDS = 60  # last_used_at (and its audit record) is written at most once a minute per token
MAX_DAYS = 3650
_HMAC_SALT = "vanphong.accounts.api_token"

INVALID = "Mã truy cập API không hợp lệ."


class TokenRejected(VanphongError):
    """The presented token does not authenticate; ``message`` says why, in Vietnamese."""

    code = "unauthorized"
    status = 401


@dataclass(frozen=True)
class IssuedToken:
    """The stored row and the plain token; the plain token exists only here, to be shown once."""

    record: ApiToken
    token: str


def _digest(token: str, key: str) -> str:
    return salted_hmac(_HMAC_SALT, token, secret=key, algorithm="sha256").hexdigest()


def _keys() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def api_token_issue(
    *, actor: User | None, user: User, name: str = "", days: int | None = None
) -> IssuedToken:
    """Create a token for ``user`` valid for ``days`` (``VANPHONG_API_TOKEN_DAYS`` by default).

    Issued by the system (``vanphong user token``, ``actor=None``) or by the user for themselves; an admin
    cannot mint a token that would let them act as someone else.
    """
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied("Mỗi người chỉ tự cấp mã truy cập API cho chính mình.")
    days = settings.VANPHONG_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"Thời hạn của mã truy cập phải từ 1 đến {MAX_DAYS} ngày.")
    if not user.is_active:
        raise ValidationError(f"Tài khoản “{user.username}” đã bị vô hiệu hóa, không cấp được mã truy cập.")
    name = name.strip()[:100]
    for _attempt in range(5):  # a clash of 48-bit prefixes is rare; retry rather than fail
        prefix = secrets.token_hex(6)
        token = f"vp_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                record = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    secret_hash=_digest(token, settings.SECRET_KEY),
                    expires_at=timezone.now() + timedelta(days=days),
                )
                audit_log(
                    actor=actor,
                    action="accounts.api_token.issue",
                    obj=user,
                    after={"prefix": prefix, "name": name, "expires_at": record.expires_at},
                )
        except IntegrityError:
            continue
        return IssuedToken(record=record, token=token)
    raise RuntimeError("could not draw a unique API token prefix")  # pragma: no cover


def api_token_find(prefix: str) -> ApiToken:
    """The token named by its public prefix (with or without ``vp_``)."""
    m = PREFIX_RE.match(prefix.strip())
    token = ApiToken.objects.select_related("user").filter(prefix=m["prefix"]).first() if m else None
    if token is None:
        raise ValidationError(f"Không có mã truy cập API “{prefix}”.", code="not_found")
    return token


def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token now (its owner, an admin over the owner's unit, or the system); twice keeps the first."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update(of=("self",))
            .select_related("user", "user__unit")
            .get(pk=token.pk)
        )
        if not _may_revoke(actor, token.user):
            raise PermissionDenied("Bạn không có quyền thu hồi mã truy cập này.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_log(
                actor=actor,
                action="accounts.api_token.revoke",
                obj=token.user,
                after={"prefix": token.prefix, "name": token.name},
            )
    return token


def _may_revoke(actor: User | None, owner: User) -> bool:
    if actor is None or actor.pk == owner.pk or actor.is_superuser:
        return True
    return owner.unit is not None and access.can_administer_unit(actor, owner.unit)


def _reject(token: ApiToken, reason: str, message: str) -> TokenRejected:
    """Audit a refused token (at most once a minute per token and reason, so a loop cannot flood the trail)."""
    if cache.add(f"vp-api-token-rejected:{token.prefix}:{reason}", 1, USE_RECORD_SECONDS):
        with transaction.atomic():
            audit_log(
                actor=None,
                action="auth.api_token.rejected",
                obj=token.user,
                after={"prefix": token.prefix, "reason": reason},
            )
    return TokenRejected(message)


def api_token_authenticate(raw: str) -> tuple[User, ApiToken]:
    """The user and token behind ``raw``, or ``TokenRejected`` with the reason.

    Rules, one per line: the token is well formed; its prefix exists; its HMAC matches; it is not revoked;
    not expired; its user is active and not locked. Use is recorded (``last_used_at`` and the audit trail) at
    most once a minute.
    """
    m = TOKEN_RE.match(raw.strip())
    if m is None:
        raise TokenRejected(INVALID)
    token = ApiToken.objects.select_related("user", "user__unit").filter(prefix=m["prefix"]).first()
    if token is None:
        raise TokenRejected(INVALID)
    presented = raw.strip()
    if not any(hmac.compare_digest(token.secret_hash, _digest(presented, key)) for key in _keys()):
        raise _reject(token, "bad_secret", INVALID)
    now = timezone.now()
    user = token.user
    if token.revoked_at is not None:
        raise _reject(token, "revoked", "Mã truy cập API đã bị thu hồi. Hãy xin cấp mã mới.")
    if token.expires_at <= now:
        day = timezone.localtime(token.expires_at).strftime("%d/%m/%Y")
        raise _reject(token, "expired", f"Mã truy cập API đã hết hạn từ ngày {day}. Hãy xin cấp mã mới.")
    if not user.is_active:
        raise _reject(token, "inactive", "Tài khoản của mã truy cập này đã bị vô hiệu hóa.")
    if user.locked_until is not None and user.locked_until > now:
        raise _reject(token, "locked", "Tài khoản của mã truy cập này đang tạm khóa.")
    _record_use(token, now)
    return user, token


def _record_use(token: ApiToken, now: datetime) -> None:
    fresh = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(seconds=USE_RECORD_SECONDS))
    with transaction.atomic():
        if ApiToken.objects.filter(fresh, pk=token.pk).update(last_used_at=now):
            token.last_used_at = now
            audit_log(
                actor=token.user, action="auth.api_token.use", obj=token.user, after={"prefix": token.prefix}
            )
