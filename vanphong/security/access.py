"""Who may use the security officer's desk, and which alerts, incidents and records each officer sees.

- a superuser sees everything;
- a security officer (an ninh thông tin) sees what belongs to units in the subtrees of their role units;
- nobody else uses the desk (404, as for the audit trail).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vanphong.accounts.access import role_scopes
from vanphong.accounts.models import Role
from vanphong.core.exceptions import NotFound
from vanphong.org.models import Unit

from .models import Incident, SecurityAlert


def can_use_desk(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or role_scopes(user, Role.SECURITY))


def desk_scopes(user: Any) -> list[Unit] | None:
    """Units whose events the officer watches; ``None`` means all (superuser)."""
    if user.is_superuser:
        return None
    return role_scopes(user, Role.SECURITY)


def scope_q(user: Any, field: str = "unit") -> Q:
    """``Q`` limiting ``field`` (a unit FK) to the officer's subtrees; everything for a superuser."""
    scopes = desk_scopes(user)
    if scopes is None:
        return Q()
    q = Q(pk__in=[])
    for s in scopes:
        q |= Q(**{f"{field}__path__startswith": s.path})
    return q


def scope_unit_ids(user: Any) -> QuerySet[Unit, int] | None:
    """Ids of the units in scope as a subquery (for models that store a bare unit id, like audit records)."""
    scopes = desk_scopes(user)
    if scopes is None:
        return None
    q = Q(pk__in=[])
    for s in scopes:
        q |= Q(path__startswith=s.path)
    return Unit.objects.filter(q).values_list("pk", flat=True)


def alerts_visible_to(user: Any) -> QuerySet[SecurityAlert]:
    if not can_use_desk(user):
        return SecurityAlert.objects.none()
    return SecurityAlert.objects.filter(scope_q(user))


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    if not can_use_desk(user):
        return Incident.objects.none()
    return Incident.objects.filter(scope_q(user))


def access_alert(user: Any, pk: int) -> SecurityAlert:
    try:
        return alerts_visible_to(user).get(pk=pk)
    except SecurityAlert.DoesNotExist as exc:
        raise NotFound("Không tìm thấy cảnh báo hoặc bạn không có quyền xem.") from exc


def access_incident(user: Any, pk: int) -> Incident:
    try:
        return incidents_visible_to(user).select_related("reported_by", "unit").get(pk=pk)
    except Incident.DoesNotExist as exc:
        raise NotFound("Không tìm thấy sự cố hoặc bạn không có quyền xem.") from exc


def incident_units(user: Any) -> list[Unit]:
    """Units an officer may open an incident for: their role units (a superuser: their own unit)."""
    scopes = desk_scopes(user)
    if scopes is None:
        return [user.unit] if user.unit is not None else []
    return scopes
