"""Who may see and do what. Every read of people that reaches a user goes through here.

Scope rules, one per line:
- a superuser sees everyone;
- an admin (quản trị) or security officer (an ninh thông tin) sees users in the subtrees of their role units;
- anyone else sees colleagues in their own unit's subtree (the office directory).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from vanphong.core.exceptions import NotFound, PermissionDenied
from vanphong.org.models import Unit

from .models import TWO_FACTOR_ROLES, Clearance, Delegation, Role, RoleAssignment, User


def _today() -> date:
    return timezone.localdate()


def effective_roles(user: User, on: date | None = None) -> list[tuple[str, Unit]]:
    """Roles held directly plus those delegated to the user for ``on`` (today by default)."""
    if not user.is_authenticated:
        return []
    cache_key = f"_roles_{on}"
    cached = getattr(user, cache_key, None)
    if cached is not None:
        return cached
    roles = [(ra.role, ra.unit) for ra in RoleAssignment.objects.filter(user=user).select_related("unit")]
    roles += [
        (d.role, d.unit)
        for d in Delegation.objects.active(on or _today()).filter(grantee=user).select_related("unit")
    ]
    setattr(user, cache_key, roles)
    return roles


def role_codes(user: User) -> set[str]:
    return {r for r, _ in effective_roles(user)}


def has_role(user: User, role: str, unit: Unit | None = None) -> bool:
    """``role`` held over ``unit`` (or anywhere, when ``unit`` is None)."""
    if not user.is_authenticated:
        return False
    for r, scope in effective_roles(user):
        if r != role:
            continue
        if unit is None or unit.is_within(scope):
            return True
    return False


def role_scopes(user: User, *roles: str) -> list[Unit]:
    return [scope for r, scope in effective_roles(user) if r in roles]


def role_holders(roles: Iterable[str], unit_ids: Iterable[int], *, min_clearance: int = 0) -> list[User]:
    """Active users holding one of ``roles`` on one of ``unit_ids`` — assigned, or delegated for today."""
    roles, unit_ids = list(roles), list(unit_ids)
    direct = RoleAssignment.objects.filter(role__in=roles, unit_id__in=unit_ids).values("user_id")
    delegated = (
        Delegation.objects.active(_today()).filter(role__in=roles, unit_id__in=unit_ids).values("grantee_id")
    )
    return list(
        User.objects.filter(
            Q(pk__in=direct) | Q(pk__in=delegated), is_active=True, clearance__gte=min_clearance
        )
    )


def role_holders_over(unit: Unit, roles: Iterable[str], *, min_clearance: int = 0) -> list[User]:
    """Holders of ``roles`` over ``unit``: on the unit itself or any unit above it."""
    return role_holders(roles, unit.ancestor_ids, min_clearance=min_clearance)


def requires_two_factor(user: User) -> bool:
    if user.is_superuser:
        return True
    return bool(role_codes(user) & TWO_FACTOR_ROLES)


def _subtree_q(units: list[Unit], field: str = "unit__path") -> Q:
    q = Q(pk__in=[])
    for u in units:
        q |= Q(**{f"{field}__startswith": u.path})
    return q


def users_visible_to(viewer: User) -> QuerySet[User]:
    qs = User.objects.select_related("unit", "position")
    if viewer.is_superuser:
        return qs
    scopes = role_scopes(viewer, Role.ADMIN, Role.SECURITY)
    if viewer.unit is not None:
        scopes.append(viewer.unit)
    return qs.filter(_subtree_q(scopes)) if scopes else qs.none()


def users_manageable_by(viewer: User) -> QuerySet[User]:
    qs = User.objects.select_related("unit", "position")
    if viewer.is_superuser:
        return qs
    return qs.filter(_subtree_q(role_scopes(viewer, Role.ADMIN)))


def access_user(viewer: User, user_id: int) -> User:
    try:
        return users_visible_to(viewer).get(pk=user_id)
    except User.DoesNotExist as exc:
        raise NotFound("Không tìm thấy người dùng hoặc bạn không có quyền xem.") from exc


def access_user_for_change(viewer: User, user_id: int) -> User:
    try:
        return users_manageable_by(viewer).get(pk=user_id)
    except User.DoesNotExist as exc:
        raise PermissionDenied("Bạn không có quyền quản trị người dùng này.") from exc


def can_administer_unit(viewer: User, unit: Unit) -> bool:
    return viewer.is_superuser or has_role(viewer, Role.ADMIN, unit)


def can_read_audit(viewer: User) -> bool:
    return viewer.is_superuser or bool(role_scopes(viewer, Role.SECURITY))


def audit_unit_scopes(viewer: User) -> list[Unit] | None:
    """Units whose audit records the viewer may read; None means all."""
    if viewer.is_superuser:
        return None
    return role_scopes(viewer, Role.SECURITY)


def can_read_clearance(viewer: User, level: int) -> bool:
    return viewer.clearance >= level or level == Clearance.NONE
