from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vanphong.accounts.models import Role
from vanphong.core.models import AuditRecord
from vanphong.jobs.models import JobProgress

from .conftest import FAIL_TRACEBACK, login, make_result

pytestmark = pytest.mark.django_db
LIST = reverse("jobs:list")


def test_people_without_admin_or_security_role_get_404(client: Client, make_user) -> None:
    """A clerk sees no job page, detail page or enqueue action; an anonymous visitor is sent to log in."""
    result = make_result("FAILED", traceback=FAIL_TRACEBACK, exception_class_path="builtins.OSError")
    assert client.get(LIST).status_code == 302
    login(client, make_user("vanthu", Role.CLERK))
    assert client.get(LIST).status_code == 404
    assert client.get(reverse("jobs:detail", args=[result.pk])).status_code == 404
    assert client.post(reverse("jobs:enqueue"), {"name": "audit_verify"}).status_code == 404


@pytest.mark.parametrize("roles,superuser", [((Role.ADMIN,), False), ((Role.SECURITY,), False), ((), True)])
def test_admin_security_and_superuser_see_the_page(client: Client, make_user, roles, superuser) -> None:
    """Administrators, security officers and superusers see the list with both start buttons."""
    login(client, make_user("nguoidung", *roles, superuser=superuser))
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kiểm tra toàn vẹn nhật ký" in html
    assert "Kiểm tra toàn vẹn tệp lưu trữ" in html


def test_list_shows_status_progress_and_failure(admin_client: Client) -> None:
    """Rows show the Vietnamese status, a progress bar and the exception class with its message line."""
    running = make_result("RUNNING", task_path="vanphong.jobs.tasks.storage_verify_task")
    JobProgress.objects.create(task_result_id=str(running.pk), done=1, total=4, message="Đã kiểm tra 1 tệp")
    make_result("FAILED", traceback=FAIL_TRACEBACK, exception_class_path="builtins.OSError")
    html = admin_client.get(LIST).content.decode()
    assert "Đang chạy" in html and "Lỗi" in html
    assert '<progress max="4" value="1">' in html and "25%" in html
    assert "OSError" in html and "Input/output error" in html
    assert 'hx-trigger="every 3s"' in html


def test_status_filter(admin_client: Client) -> None:
    """Filtering by status keeps only matching rows; an unknown status shows everything."""
    make_result("SUCCESSFUL", task_path="vanphong.jobs.tasks.audit_verify_task")
    make_result(
        "FAILED",
        task_path="vanphong.jobs.tasks.storage_verify_task",
        traceback=FAIL_TRACEBACK,
        exception_class_path="builtins.OSError",
    )
    html = admin_client.get(LIST, {"status": "FAILED"}).content.decode()
    assert "Kiểm tra toàn vẹn tệp lưu trữ</a>" in html
    assert "Kiểm tra toàn vẹn nhật ký</a>" not in html
    assert admin_client.get(LIST, {"status": "DROP TABLE"}).context["page_obj"].paginator.count == 2


def test_htmx_request_gets_the_table_only_and_polling_stops(admin_client: Client) -> None:
    """HTMX refreshes get the table partial; once nothing is waiting or running it carries no poll trigger."""
    make_result("SUCCESSFUL")
    response = admin_client.get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="job-table"')
    assert "<h1>" not in html
    assert "hx-trigger" not in html


def test_list_paginates_with_bounded_queries(admin_client: Client, django_assert_max_num_queries) -> None:
    """A full page costs a fixed 12 queries: 8 for session, user, roles, layout; count, rows, progress, activity."""
    for i in range(60):
        result = make_result(
            "FAILED" if i % 3 else "RUNNING",
            traceback=FAIL_TRACEBACK,
            exception_class_path="builtins.OSError",
        )
        JobProgress.objects.create(task_result_id=str(result.pk), done=i, total=60)
    with django_assert_max_num_queries(13):
        response = admin_client.get(LIST, {"page": 2})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 25
    assert response.context["page_obj"].paginator.count == 60


def test_detail_shows_full_traceback(admin_client: Client) -> None:
    """The detail page shows the whole traceback of a failed task; unknown ids are 404."""
    result = make_result("FAILED", traceback=FAIL_TRACEBACK, exception_class_path="builtins.OSError")
    html = admin_client.get(reverse("jobs:detail", args=[result.pk])).content.decode()
    assert "builtins.OSError" in html
    assert "line 40, in storage_verify_task" in html
    missing = reverse("jobs:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert admin_client.get(missing).status_code == 404


def test_enqueue_button(admin_client: Client, django_capture_on_commit_callbacks) -> None:
    """POSTing a whitelisted job queues it (run inline in tests), audits it and returns to the list."""
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("jobs:enqueue"), {"name": "storage_verify"})
    assert response.status_code == 302 and response.url == LIST
    assert AuditRecord.objects.filter(action="jobs.job.enqueue", object_id="storage_verify").exists()
    assert JobProgress.objects.get().label == "Kiểm tra toàn vẹn tệp lưu trữ"
    followed = admin_client.post(reverse("jobs:enqueue"), {"name": "rm -rf"}, follow=True)
    assert "không có trong danh sách" in followed.content.decode()
    assert admin_client.get(reverse("jobs:enqueue")).status_code == 405


def test_enqueue_requires_csrf(admin_user) -> None:
    """The start buttons are protected against cross-site requests."""
    client = login(Client(enforce_csrf_checks=True), admin_user)
    assert client.post(reverse("jobs:enqueue"), {"name": "audit_verify"}).status_code == 403


def test_api_lists_recent_jobs(admin_client: Client, client: Client, make_user) -> None:
    """GET /api/jobs/ returns recent jobs to admins, 403 to others, 401 without a session."""
    make_result("FAILED", traceback=FAIL_TRACEBACK, exception_class_path="builtins.OSError")
    make_result("SUCCESSFUL")
    data = admin_client.get("/api/jobs/").json()
    assert {row["status_label"] for row in data} == {"Lỗi", "Thành công"}
    failed = next(row for row in data if row["status"] == "FAILED")
    assert failed["error_class"] == "OSError"
    assert failed["enqueued_at"].endswith("+07:00")
    assert len(admin_client.get("/api/jobs/", {"status": "FAILED"}).json()) == 1
    assert admin_client.get("/api/jobs/", {"status": "nope"}).status_code == 400
    other = login(Client(), make_user("chuyenvien", Role.SPECIALIST))
    assert other.get("/api/jobs/").status_code == 403
    assert Client().get("/api/jobs/").status_code == 401
