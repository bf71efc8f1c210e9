"""Writes to accounts: users, roles, passwords, two-factor, lockout, delegation. All audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import PermissionDenied, ValidationError
from vanphong.org.models import Unit

from . import access
from .models import Delegation, Role, RoleAssignment, User

USER_FIELDS = ("username", "full_name", "email", "phone", "unit", "position", "clearance", "is_active")


def _check_admin_scope(actor: User | None, unit: Unit | None) -> None:
    if actor is None or actor.is_superuser:
        return
    if unit is None or not access.can_administer_unit(actor, unit):
        raise PermissionDenied("Bạn chỉ được quản trị người dùng trong phạm vi đơn vị mình phụ trách.")


def user_create(
    *,
    actor: User | None,
    password: str | None = None,
    roles: list[str] | None = None,
    check_password: bool = True,
    **fields: Any,
) -> User:
    with transaction.atomic():
        _check_admin_scope(actor, fields.get("unit"))
        if User.objects.filter(username__iexact=fields["username"]).exists():
            raise ValidationError(f"Tên đăng nhập “{fields['username']}” đã được sử dụng.")
        user = User(**fields)
        if password:
            if check_password:
                _validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        for role in roles or []:
            assert user.unit is not None, "a role needs a unit scope"
            RoleAssignment.objects.create(user=user, role=role, unit=user.unit)
        audit_log(
            actor=actor,
            action="accounts.user.create",
            obj=user,
            after={**snapshot(user, USER_FIELDS), "roles": sorted(roles or [])},
        )
    return user


def user_update(*, actor: User, user: User, **fields: Any) -> User:
    with transaction.atomic():
        _check_admin_scope(actor, user.unit)
        if "unit" in fields:
            _check_admin_scope(actor, fields["unit"])
        before = snapshot(user, USER_FIELDS)
        for k, v in fields.items():
            setattr(user, k, v)
        user.save()
        audit_log(
            actor=actor,
            action="accounts.user.update",
            obj=user,
            before=before,
            after=snapshot(user, USER_FIELDS),
        )
    return user


def role_assign(*, actor: User | None, user: User, role: str, unit: Unit) -> RoleAssignment:
    with transaction.atomic():
        _check_admin_scope(actor, unit)
        if role not in Role.values:
            raise ValidationError(f"Vai trò không hợp lệ: {role}")
        ra, _ = RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
        audit_log(actor=actor, action="accounts.role.assign", obj=user, after={"role": role, "unit": unit.pk})
    return ra


def role_revoke(*, actor: User, assignment: RoleAssignment) -> None:
    with transaction.atomic():
        _check_admin_scope(actor, assignment.unit)
        data = {"role": assignment.role, "unit": assignment.unit_id}
        user = assignment.user
        assignment.delete()
        audit_log(actor=actor, action="accounts.role.revoke", obj=user, before=data)


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages)) from exc


def password_set(*, actor: User, user: User, password: str) -> None:
    with transaction.atomic():
        if actor.pk != user.pk:
            _check_admin_scope(actor, user.unit)
        _validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_log(actor=actor, action="accounts.password.set", obj=user)


# --- login, lockout, two-factor -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    error: str = ""


def login_attempt(*, request: Any, username: str, password: str) -> LoginOutcome:
    """Check a password; count failures and lock the account after ``VANPHONG_LOCKOUT_THRESHOLD`` of them."""
    candidate = User.objects.filter(username__iexact=username.strip()).first()
    now = timezone.now()
    if candidate and candidate.locked_until and candidate.locked_until > now:
        minutes = max(1, int((candidate.locked_until - now).total_seconds() // 60) + 1)
        with transaction.atomic():
            audit_log(actor=None, action="auth.login.locked", obj=candidate, unit=candidate.unit)
        return LoginOutcome(
            None,
            f"Tài khoản đang tạm khóa do nhập sai mật khẩu nhiều lần. "
            f"Vui lòng thử lại sau {minutes} phút hoặc liên hệ quản trị.",
        )
    user = authenticate(request, username=candidate.username if candidate else username, password=password)
    with transaction.atomic():
        if user is None:
            if candidate is not None:
                candidate = User.objects.select_for_update().get(pk=candidate.pk)
                candidate.failed_logins += 1
                locked = candidate.failed_logins >= settings.VANPHONG_LOCKOUT_THRESHOLD
                if locked:
                    candidate.locked_until = now + timedelta(minutes=settings.VANPHONG_LOCKOUT_MINUTES)
                    candidate.failed_logins = 0
                candidate.save(update_fields=["failed_logins", "locked_until"])
                audit_log(
                    actor=None,
                    action="auth.login.lockout" if locked else "auth.login.failed",
                    obj=candidate,
                    unit=candidate.unit,
                )
                if locked:
                    return LoginOutcome(
                        None,
                        f"Nhập sai mật khẩu quá {settings.VANPHONG_LOCKOUT_THRESHOLD} lần. "
                        f"Tài khoản bị tạm khóa {settings.VANPHONG_LOCKOUT_MINUTES} phút.",
                    )
            else:
                audit_log(
                    actor=None,
                    action="auth.login.failed",
                    object_type="accounts.user",
                    object_label=username[:150],
                )
            return LoginOutcome(None, "Tên đăng nhập hoặc mật khẩu không đúng.")
        assert isinstance(user, User)
        if user.failed_logins or user.locked_until:
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["failed_logins", "locked_until"])
    return LoginOutcome(user)


def login_record(*, user: User, two_factor: bool) -> None:
    with transaction.atomic():
        audit_log(actor=user, action="auth.login", obj=user, after={"two_factor": two_factor})


def account_unlock(*, actor: User, user: User) -> None:
    with transaction.atomic():
        _check_admin_scope(actor, user.unit)
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
        audit_log(actor=actor, action="accounts.user.unlock", obj=user)


def totp_begin(*, user: User) -> str:
    """Create (or reuse) an unconfirmed secret and return it; confirming it turns two-factor on."""
    with transaction.atomic():
        if not user.totp_secret:
            user.totp_secret = pyotp.random_base32()
            user.save(update_fields=["totp_secret"])
    return user.totp_secret


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.username, issuer_name=settings.VANPHONG_TOTP_ISSUER
    )


def totp_check(*, user: User, code: str) -> bool:
    """Verify a 6-digit code (±1 step of 30 s); a code is accepted once (no replay)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if not user.totp_secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now()
    step_now = int(now.timestamp()) // 30
    with transaction.atomic():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        for offset in (0, -1, 1):
            step = step_now + offset
            if step <= fresh.totp_last_step:
                continue
            if totp.at(step * 30) == code:
                fresh.totp_last_step = step
                fresh.save(update_fields=["totp_last_step"])
                user.totp_last_step = step
                return True
        audit_log(actor=None, action="auth.totp.failed", obj=fresh, unit=fresh.unit)
    return False


def totp_confirm(*, user: User, code: str) -> bool:
    if not totp_check(user=user, code=code):
        return False
    with transaction.atomic():
        user.totp_confirmed = True
        user.save(update_fields=["totp_confirmed"])
        audit_log(actor=user, action="auth.totp.enabled", obj=user)
    return True


def totp_reset(*, actor: User, user: User) -> None:
    with transaction.atomic():
        _check_admin_scope(actor, user.unit)
        user.totp_secret = ""
        user.totp_confirmed = False
        user.save(update_fields=["totp_secret", "totp_confirmed"])
        audit_log(actor=actor, action="auth.totp.reset", obj=user)


# --- delegation (ủy quyền) ------------------------------------------------------------------------------------


def delegation_create(
    *, actor: User, grantee: User, role: str, unit: Unit, start: date, end: date, reason: str = ""
) -> Delegation:
    """A holder delegates one of their own roles, within its scope, for a period (or an admin does it)."""
    with transaction.atomic():
        if end < start:
            raise ValidationError("Ngày kết thúc ủy quyền phải sau hoặc bằng ngày bắt đầu.")
        if grantee.pk == actor.pk:
            raise ValidationError("Không thể tự ủy quyền cho chính mình.")
        holds = RoleAssignment.objects.filter(user=actor, role=role).select_related("unit")
        if not any(unit.is_within(ra.unit) for ra in holds):
            raise PermissionDenied("Chỉ được ủy quyền vai trò mà bạn đang giữ, trong phạm vi của vai trò đó.")
        d = Delegation.objects.create(
            grantor=actor, grantee=grantee, role=role, unit=unit, start=start, end=end, reason=reason
        )
        audit_log(actor=actor, action="accounts.delegation.create", obj=d, after=snapshot(d))
    return d


def delegation_revoke(*, actor: User, delegation: Delegation) -> Delegation:
    with transaction.atomic():
        if delegation.grantor_id != actor.pk and not access.can_administer_unit(actor, delegation.unit):
            raise PermissionDenied("Bạn không có quyền thu hồi ủy quyền này.")
        before = snapshot(delegation)
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_log(
            actor=actor,
            action="accounts.delegation.revoke",
            obj=delegation,
            before=before,
            after=snapshot(delegation),
        )
    return delegation
