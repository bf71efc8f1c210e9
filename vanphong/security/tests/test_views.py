"""The security officer's desk: access for officers only, its sections scoped to their units, the actions."""

from __future__ import annotations

import uuid

from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from vanphong.accounts.models import Role
from vanphong.core.audit import audit_log
from vanphong.core.models import AuditRecord
from vanphong.security.models import Incident, IncidentStage, SecurityAlert
from vanphong.security.services import alert_raise, record_access
from vanphong.testing.factories import login, make_province, make_user

DESK = "/an-ninh/"


# --- the desk ----------------------------------------------------------------------------------------------------


def test_desk_is_for_security_officers_only(client, specialist, officer):
    assert reverse("security:desk") == DESK
    login(client, specialist)
    assert client.get(DESK).status_code == 404
    assert client.post(reverse("security:check_run"), {"name": "audit_verify"}).status_code == 404
    login(client, officer)
    response = client.get(DESK)
    assert response.status_code == 200
    assert b'href="/an-ninh/"' in response.content  # the "An ninh" item of the menu


def test_desk_sections_show_events_in_the_officers_units_only(
    client, secret, clerk, specialist, office, officer, django_assert_max_num_queries
):
    record_access(actor=clerk, obj=secret, channel="download")
    audit_log(actor=None, action="auth.login.lockout", obj=specialist, unit=specialist.unit)
    specialist.locked_until = "2999-01-01T00:00:00Z"
    specialist.save(update_fields=["locked_until"])
    alert_raise(kind="bulk_access", detail="Tải về hàng loạt", user=clerk, unit=office)
    other = make_province("Tỉnh ủy Khác")
    alert_raise(kind="other", detail="Cảnh báo tỉnh khác", unit=other)
    Incident.objects.create(
        title="Sự cố tỉnh khác", unit=other, reported_by=officer, detected_at="2026-01-01T00:00Z"
    )
    login(client, officer)
    with django_assert_max_num_queries(25):
        page = client.get(DESK).content.decode()
    assert "Tải về tài liệu mật" in page and "Hồ sơ mật thử nghiệm" in page
    assert f'Đặng Văn Thư <span class="muted mono hide-sm">{clerk.username}</span>' in page  # who read it
    assert "Võ Chuyên Viên" in page and "Xem, mở khóa" in page  # locked account
    assert "Tải về hàng loạt" in page and "Cảnh báo tỉnh khác" not in page and "Sự cố tỉnh khác" not in page
    assert "Kiểm tra toàn vẹn nhật ký" in page and "Chưa chạy lần nào" in page


def test_alert_acknowledged_with_htmx_returns_the_row(client, clerk, office, officer):
    alert = alert_raise(kind="bulk_access", detail="Tải về hàng loạt", user=clerk, unit=office)
    login(client, officer)
    url = reverse("security:alert_ack", args=[alert.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Đã xác nhận" in response.content.decode()
    assert SecurityAlert.objects.get().acknowledged_by == officer
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 200  # a second click shows the same row
    outsider = make_user(make_province(), [Role.SECURITY])
    login(client, outsider)
    assert client.post(url).status_code == 404


def _result(task: str, value: dict) -> None:
    """A finished task result as the database backend stores it (the immediate backend of the tests stores none)."""
    DBTaskResult.objects.create(
        id=uuid.uuid4(), status="SUCCESSFUL", args_kwargs={"args": [], "kwargs": {}}, task_path=task,
        backend_name="default", queue_name="default", run_after=get_date_max(), started_at=timezone.now(),
        finished_at=timezone.now(), return_value=value,
    )  # fmt: skip


def test_integrity_checks_start_a_background_job_and_show_the_last_result(
    client, officer, django_capture_on_commit_callbacks
):
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("security:check_run"), {"name": "audit_verify"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200 and 'id="kiem-tra-noi-dung"' in response.content.decode()
    assert AuditRecord.objects.filter(action="jobs.job.enqueue", object_id="audit_verify").exists()
    assert client.post(reverse("security:check_run"), {"name": "rm -rf"}).status_code == 404
    _result(
        "vanphong.jobs.tasks.audit_verify_task",
        {"ok": False, "count": 41, "bad_seq": 42, "reason": "altered"},
    )
    _result("vanphong.jobs.tasks.storage_verify_task", {"ok": True, "checked": 7, "missing_count": 0})
    page = client.get(reverse("security:checks")).content.decode()
    assert "tại bản ghi #42" in page and "7 tệp lưu trữ" in page


def test_incident_pages_create_and_advance_with_their_own_trail(client, province, specialist, officer):
    login(client, officer)
    assert client.get(reverse("security:incident_create")).status_code == 200
    response = client.post(reverse("security:incident_create"), {"title": "Máy tính nhiễm mã độc",
                           "description": "Phát hiện khi quét", "severity": "high", "unit": province.pk})  # fmt: skip
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("security:incident_detail",
                                                                            args=[incident.pk])  # fmt: skip
    url = reverse("security:incident_advance", args=[incident.pk])
    client.post(url, {"note": "Cách ly máy", "stage": "detected"})
    client.post(url, {"note": "Cách ly lần hai", "stage": "detected"})  # stale page: refused
    incident.refresh_from_db()
    assert incident.stage == IncidentStage.CONTAINED and incident.containment_notes == "Cách ly máy"
    page = client.get(reverse("security:incident_detail", args=[incident.pk])).content.decode()
    assert "Cách ly máy" in page and "Chuyển bước xử lý sự cố" in page and "Ghi nhận sự cố an ninh" in page
    assert "Chuyển sang bước «Xử lý»" in page
    login(client, specialist)
    assert client.get(reverse("security:incident_detail", args=[incident.pk])).status_code == 404
