"""Writes of the security app: access records of classified items, alerts, incidents. All audited.

``record_access`` is what every page, download, print and export of a classified item calls (registry, search,
exports…). It appends ``security.access.<channel>`` to the audit chain and, for downloads and exports, raises one
``SecurityAlert`` when a person takes more than ``VANPHONG_BULK_ACCESS["count"]`` copies within
``VANPHONG_BULK_ACCESS["minutes"]`` minutes (one alert per window, not one per extra copy). The audit append
locks the chain head, so two requests of the same person are counted one after the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from vanphong.core.actions import register_action_labels
from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ConflictError, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.org.models import Unit

from .models import STAGE_ORDER, AlertKind, Incident, IncidentStage, SecurityAlert, Severity

CHANNELS = ("view", "preview", "download", "print", "export")
BULK_CHANNELS = ("download", "export")
BULK_DEFAULT = {"count": 20, "minutes": 10}
VN_TIME = "%d/%m/%Y %H:%M"

register_action_labels(
    {
        "security.access": "Truy cập tài liệu mật",
        "security.access.view": "Xem tài liệu mật",
        "security.access.preview": "Xem trước tệp tài liệu mật",
        "security.access.download": "Tải về tài liệu mật",
        "security.access.print": "In tài liệu mật",
        "security.access.export": "Xuất tài liệu mật",
        "security.alert.raise": "Phát cảnh báo an ninh",
        "security.alert.acknowledge": "Xác nhận cảnh báo an ninh",
        "security.incident.create": "Ghi nhận sự cố an ninh",
        "security.incident.advance": "Chuyển bước xử lý sự cố",
    }
)


def _bulk_limits() -> tuple[int, int]:
    conf = {**BULK_DEFAULT, **getattr(settings, "VANPHONG_BULK_ACCESS", {})}
    return int(conf["count"]), int(conf["minutes"])


def _audit_all() -> bool:
    """``VANPHONG_AUDIT_ALL_ACCESS = True`` records reads of unclassified items as well."""
    return bool(getattr(settings, "VANPHONG_AUDIT_ALL_ACCESS", False))


def watermark_lines(user: Any, at: datetime | None = None) -> list[str]:
    """The stamp of a downloaded copy: ``<họ tên> — <đơn vị> — <dd/mm/yyyy HH:MM>`` in Vietnam time."""
    when = timezone.localtime(at or timezone.now())
    name = (user.get_full_name() or user.get_username()) if user is not None else "hệ thống"
    unit = getattr(user, "unit", None)
    parts = [name, str(unit) if unit is not None else "", when.strftime(VN_TIME)]
    return [" — ".join(p for p in parts if p)]


# --- access records, bulk-access alerts -----------------------------------------------------------------------


def record_access(
    *, actor: Any, obj: models.Model, channel: str, unit: Unit | None = None, request: Any = None
) -> AuditRecord | None:
    """Trace one view / preview / download / print / export of ``obj`` by ``actor``.

    Only classified objects (``obj.secrecy_rank > 0``) are recorded, unless ``VANPHONG_AUDIT_ALL_ACCESS``.
    The record's unit is the object's unit (the owner of the secret, whose security officer watches it).
    Returns the audit record, or ``None`` when nothing was recorded.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown access channel {channel!r}")
    rank = int(getattr(obj, "secrecy_rank", 0) or 0)
    if rank <= 0 and not _audit_all():
        return None
    after: dict[str, Any] = {"channel": channel, "secrecy_rank": rank}
    if request is not None:
        after["path"] = request.get_full_path()[:300]
    unit = unit or getattr(obj, "unit", None) or getattr(actor, "unit", None)
    with transaction.atomic():
        record = audit_log(actor=actor, action=f"security.access.{channel}", obj=obj, unit=unit, after=after)
        if channel in BULK_CHANNELS and actor is not None:
            _check_bulk(actor, now=record.at)
    return record


def _check_bulk(actor: Any, *, now: datetime) -> SecurityAlert | None:
    """One alert per person per window once the count of copies taken within the window passes the limit."""
    limit, minutes = _bulk_limits()
    since = now - timedelta(minutes=minutes)
    taken = AuditRecord.objects.filter(
        actor_id=actor.pk,
        action__in=[f"security.access.{c}" for c in BULK_CHANNELS],
        at__gt=since,
    ).count()
    if taken <= limit:
        return None
    if SecurityAlert.objects.filter(
        kind=AlertKind.BULK_ACCESS, user_id=actor.pk, created_at__gt=since
    ).exists():
        return None
    return alert_raise(
        kind=AlertKind.BULK_ACCESS,
        severity=Severity.HIGH,
        user=actor,
        unit=getattr(actor, "unit", None),
        detail=(
            f"{actor.get_full_name()} đã tải về hoặc xuất {taken} tài liệu mật trong {minutes} phút "
            f"(ngưỡng {limit})."
        ),
        data={"count": taken, "minutes": minutes, "limit": limit},
        at=now,
    )


def alert_raise(
    *,
    kind: str,
    detail: str,
    severity: str = Severity.MEDIUM,
    user: Any = None,
    unit: Unit | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> SecurityAlert:
    """Create an alert for the officers of ``unit`` (the system raises it: the audit actor is nobody)."""
    if kind not in AlertKind.values:
        raise ValueError(f"unknown alert kind {kind!r}")
    with transaction.atomic():
        alert = SecurityAlert.objects.create(
            kind=kind,
            severity=severity,
            user=user,
            unit=unit,
            detail=detail,
            data=data or {},
            created_at=at or timezone.now(),
        )
        audit_log(actor=None, action="security.alert.raise", obj=alert, unit=unit, after=snapshot(alert))
    return alert


def alert_acknowledge(*, actor: Any, alert: SecurityAlert) -> SecurityAlert:
    """The officer has seen the alert. A second acknowledgement is refused (double click, two officers)."""
    with transaction.atomic():
        alert = SecurityAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise ConflictError("Cảnh báo này đã được xác nhận trước đó.", code="already_acknowledged")
        alert.acknowledged_by = actor
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit_log(
            actor=actor,
            action="security.alert.acknowledge",
            obj=alert,
            unit=alert.unit,
            after={"acknowledged_at": alert.acknowledged_at},
        )
    return alert


# --- incidents (ứng phó sự cố) ------------------------------------------------------------------------------------

STAGE_FIELDS: dict[str, tuple[str, str, str]] = {
    IncidentStage.CONTAINED: ("containment_notes", "contained_at", "contained_by"),
    IncidentStage.RESOLVED: ("resolution_notes", "resolved_at", "resolved_by"),
    IncidentStage.LESSONS: ("lessons_notes", "lessons_at", "lessons_by"),
}


def incident_create(
    *,
    actor: Any,
    title: str,
    description: str = "",
    severity: str = Severity.MEDIUM,
    unit: Unit | None = None,
    detected_at: datetime | None = None,
    alerts: list[SecurityAlert] | None = None,
) -> Incident:
    """Open an incident at the first step (phát hiện)."""
    title = title.strip()
    if not title:
        raise ValidationError("Cần ghi tên sự cố.", code="title_required")
    if severity not in Severity.values:
        raise ValidationError("Mức độ sự cố không hợp lệ.", code="bad_severity")
    now = timezone.now()
    if detected_at is not None and detected_at > now + timedelta(minutes=5):
        raise ValidationError("Thời điểm phát hiện không được ở tương lai.", code="future")
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title[:300],
            description=description.strip(),
            severity=severity,
            unit=unit,
            detected_at=detected_at or now,
            reported_by=actor,
        )
        if alerts:
            incident.alerts.set(alerts)
        audit_log(actor=actor, action="security.incident.create", obj=incident, unit=unit,
                  after=snapshot(incident))  # fmt: skip
    return incident


def incident_advance(
    *, actor: Any, incident: Incident, note: str, expected_stage: str | None = None
) -> Incident:
    """Move to the next step with what was done in it (ngăn chặn → xử lý → rút kinh nghiệm).

    ``expected_stage`` is the step the person saw on the page: if someone moved the incident meanwhile, the
    second move is refused instead of skipping a step.
    """
    note = note.strip()
    if not note:
        raise ValidationError("Cần ghi nội dung của bước này.", code="note_required")
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if expected_stage is not None and incident.stage != expected_stage:
            raise ConflictError("Sự cố đã được chuyển bước bởi người khác; hãy tải lại trang.", code="stale")
        target = incident.next_stage
        if target is None:
            raise ConflictError("Sự cố đã hoàn tất mọi bước.", code="closed")
        before = {"stage": incident.stage}
        notes_field, at_field, by_field = STAGE_FIELDS[target]
        setattr(incident, notes_field, note)
        setattr(incident, at_field, timezone.now())
        setattr(incident, by_field, actor)
        incident.stage = target
        incident.save(update_fields=["stage", notes_field, at_field, by_field, "updated_at"])
        audit_log(
            actor=actor,
            action="security.incident.advance",
            obj=incident,
            unit=incident.unit,
            before=before,
            after={"stage": target, "note": note},
        )
    return incident


__all__ = [
    "CHANNELS",
    "STAGE_ORDER",
    "alert_acknowledge",
    "alert_raise",
    "incident_advance",
    "incident_create",
    "record_access",
    "watermark_lines",
]
