"""Access records of classified items, the bulk-access alert, alert acknowledgement, the incident lifecycle."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from vanphong.core.audit import audit_verify
from vanphong.core.exceptions import ConflictError, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.security.models import AlertKind, Incident, IncidentStage, SecurityAlert, Severity
from vanphong.security.selectors import incident_history
from vanphong.security.services import (
    alert_acknowledge,
    incident_advance,
    incident_create,
    record_access,
    watermark_lines,
)
from vanphong.testing.factories import make_unit, make_user


def test_access_to_a_classified_item_is_audited_under_the_items_unit(secret, clerk, province):
    reader = make_user(province, full_name="Người Đọc")  # another unit: the record goes to the item's unit
    record = record_access(actor=reader, obj=secret, channel="download")
    assert record is not None
    assert record.action == "security.access.download"
    assert record.actor_id == reader.pk and record.object_id == str(secret.pk)
    assert record.unit_id == secret.unit.pk and record.after == {"channel": "download", "secrecy_rank": 1}
    assert audit_verify().ok


def test_unclassified_items_are_not_recorded_unless_the_setting_says_all(office, specialist):
    doc = make_unit(office, "Hồ sơ thường")
    assert record_access(actor=specialist, obj=doc, channel="view") is None
    assert not AuditRecord.objects.filter(action__startswith="security.access").exists()
    with override_settings(VANPHONG_AUDIT_ALL_ACCESS=True):
        assert record_access(actor=specialist, obj=doc, channel="view") is not None


def test_an_unknown_channel_is_a_programming_error(secret, specialist):
    with pytest.raises(ValueError):
        record_access(actor=specialist, obj=secret, channel="peek")


@override_settings(VANPHONG_BULK_ACCESS={"count": 3, "minutes": 10})
def test_bulk_downloads_raise_one_alert_per_window(secret, specialist, clerk):
    """The 4th copy within 10 minutes raises an alert; the 5th and 6th do not raise another; views never count."""
    doc = secret
    for _ in range(5):
        record_access(actor=specialist, obj=doc, channel="view")
    for _ in range(3):
        record_access(actor=specialist, obj=doc, channel="download")
    assert not SecurityAlert.objects.exists()
    record_access(actor=specialist, obj=doc, channel="export")
    alert = SecurityAlert.objects.get()
    assert alert.kind == AlertKind.BULK_ACCESS and alert.user == specialist
    assert alert.severity == Severity.HIGH and alert.unit == specialist.unit
    assert alert.data["count"] == 4 and "Võ Chuyên Viên" in alert.detail
    record_access(actor=specialist, obj=doc, channel="download")
    record_access(actor=specialist, obj=doc, channel="download")
    assert SecurityAlert.objects.count() == 1
    assert AuditRecord.objects.filter(action="security.alert.raise").count() == 1
    record_access(actor=clerk, obj=doc, channel="download")  # another person has their own count
    assert SecurityAlert.objects.count() == 1


@override_settings(VANPHONG_BULK_ACCESS={"count": 1, "minutes": 10})
def test_a_new_window_may_raise_a_new_alert(secret, specialist, monkeypatch):
    doc = secret
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    record_access(actor=specialist, obj=doc, channel="download")
    record_access(actor=specialist, obj=doc, channel="download")
    assert SecurityAlert.objects.count() == 1
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=11))
    record_access(actor=specialist, obj=doc, channel="download")
    assert (
        SecurityAlert.objects.count() == 1
    )  # the earlier copies left the window: 1 copy is within the limit
    record_access(actor=specialist, obj=doc, channel="download")
    assert SecurityAlert.objects.count() == 2


@override_settings(VANPHONG_BULK_ACCESS={"count": 0, "minutes": 10})
def test_acknowledging_an_alert_is_audited_and_happens_once(secret, specialist, officer):
    record_access(actor=specialist, obj=secret, channel="download")
    alert = SecurityAlert.objects.get()
    alert = alert_acknowledge(actor=officer, alert=alert)
    assert alert.acknowledged_by == officer and alert.acknowledged_at is not None
    assert AuditRecord.objects.filter(action="security.alert.acknowledge", actor_id=officer.pk).count() == 1
    with pytest.raises(ConflictError):
        alert_acknowledge(actor=officer, alert=alert)


def test_watermark_line_names_the_person_the_unit_and_vietnam_time(specialist):
    at = datetime(2026, 3, 5, 7, 30, tzinfo=ZoneInfo("UTC"))
    assert watermark_lines(specialist, at) == ["Võ Chuyên Viên — Văn phòng Tỉnh ủy — 05/03/2026 14:30"]


def test_incident_goes_through_four_steps_each_audited(province, officer):
    incident = incident_create(actor=officer, title="Lộ lọt tài liệu mật qua thư điện tử", description="Phát hiện "
                               "qua cảnh báo", severity=Severity.HIGH, unit=province)  # fmt: skip
    assert incident.stage == IncidentStage.DETECTED and incident.reported_by == officer
    incident = incident_advance(
        actor=officer, incident=incident, note="Khóa tài khoản", expected_stage="detected"
    )
    assert incident.stage == IncidentStage.CONTAINED and incident.contained_by == officer
    with pytest.raises(ConflictError):  # a second click on the page of the earlier step
        incident_advance(actor=officer, incident=incident, note="Khóa lần nữa", expected_stage="detected")
    with pytest.raises(ValidationError):
        incident_advance(actor=officer, incident=incident, note="  ")
    incident = incident_advance(actor=officer, incident=incident, note="Thu hồi tài liệu")
    incident = incident_advance(actor=officer, incident=incident, note="Tập huấn lại quy chế")
    assert incident.stage == IncidentStage.LESSONS and incident.closed
    assert (
        incident.resolution_notes == "Thu hồi tài liệu" and incident.lessons_notes == "Tập huấn lại quy chế"
    )
    with pytest.raises(ConflictError):
        incident_advance(actor=officer, incident=incident, note="Thêm")
    actions = [r.action for r in incident_history(incident)]
    assert actions == ["security.incident.create"] + ["security.incident.advance"] * 3
    assert Incident.objects.get().stage == IncidentStage.LESSONS


def test_incident_needs_a_title(officer):
    with pytest.raises(ValidationError):
        incident_create(actor=officer, title=" ")
    assert not Incident.objects.exists()
