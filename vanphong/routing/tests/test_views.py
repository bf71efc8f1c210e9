"""Routing pages: inbox tabs (bounded queries), the panel on the incoming page and its forms, the phiếu."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse

from vanphong.accounts.models import Role
from vanphong.registry.models import IncomingStatus
from vanphong.routing.models import Assignment, AssignmentStatus, Instruction, ProgressNote
from vanphong.routing.panels import routing_panel
from vanphong.routing.services import Line, assignment_close, assignment_handover, routing_instruct
from vanphong.testing.factories import login, make_province, make_user

pytestmark = pytest.mark.django_db
INBOX = reverse("routing:inbox")


def _detail(doc) -> str:
    return reverse("registry:incoming_detail", args=[doc.pk]) + "#xu-ly"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _panel(user, doc, method: str = "GET") -> str:
    request = getattr(RequestFactory(), method.lower())("/")
    request.user = user
    html = routing_panel(request, doc)
    assert html is not None
    return html


def _lead(doc) -> Assignment:
    return Assignment.objects.get(document=doc, kind="lead", parent__isnull=True)


# --- inbox ---------------------------------------------------------------------------------------------------


def _many(register, leader, btc, n: int) -> None:
    for i in range(n):
        d = register(subject=f"Văn bản số {i}", number_symbol=f"{100 + i}-CV/BTCTW")
        routing_instruct(actor=leader, document=d, text="", lines=[Line("lead", btc, days=3)])


@pytest.mark.parametrize("tab", ["unit", "done", "waiting"])
def test_inbox_tabs_have_bounded_queries(
    client, register, leader, btc, btc_leader, tab, django_assert_max_num_queries
):
    """The number of queries does not grow with the rows (pagination in the database)."""
    _many(register, leader, btc, 3)
    register(subject="Chờ bút phê", number_symbol="199-CV/BTCTW")
    if tab == "done":
        for a in Assignment.objects.all()[:2]:
            assignment_close(actor=btc_leader, assignment=a, result_kind="filed")
    user = leader if tab == "waiting" else btc_leader
    login(client, user)
    with django_assert_max_num_queries(16) as small:
        assert client.get(INBOX, {"tab": tab}).status_code == 200
    _many(register, leader, btc, 27)
    for i in range(30):
        register(subject=f"Chờ bút phê {i}", number_symbol=f"{200 + i}-CV/BTCTW")
    if tab == "done":
        for a in Assignment.objects.filter(status="new")[:27]:
            assignment_close(actor=btc_leader, assignment=a, result_kind="filed")
    with django_assert_max_num_queries(16) as big:
        response = client.get(INBOX, {"tab": tab})
    assert response.status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)


def test_inbox_unit_tab_lists_rows_with_deadline_chip_and_pagination(
    client, register, leader, btc, btc_leader
):
    _many(register, leader, btc, 27)
    login(client, btc_leader)
    html = client.get(INBOX, {"tab": "unit"}).content.decode()
    assert "Văn bản cần xử lý" in html and "Của đơn vị" in html and "Chờ bút phê" not in html
    assert "Chủ trì" in html and 'class="deadline' in html and "Trang 1/2" in html
    assert "Ban Tổ chức Tỉnh ủy" in html


def test_inbox_mine_tab_after_handover_and_htmx_partial(client, routed, doc, btc_leader, btc_specialist):
    assignment_handover(actor=btc_leader, assignment=_lead(doc), user=btc_specialist)
    login(client, btc_specialist)
    html = client.get(INBOX).content.decode()
    assert doc.subject in html and "Chủ trì" in html
    partial = client.get(INBOX, {"tab": "mine"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and doc.subject in partial


def test_waiting_tab_for_leaders_only(client, doc, leader, btc_leader):
    login(client, leader)
    html = client.get(INBOX, {"tab": "waiting"}).content.decode()
    assert "Chờ bút phê" in html and doc.subject in html
    login(client, btc_leader)
    html = client.get(INBOX, {"tab": "waiting"}).content.decode()
    assert "Chờ bút phê" not in html and doc.subject not in html


def test_inbox_filters(client, register, leader, btc, btg, btc_leader):
    a = register(subject="Về công tác cán bộ", number_symbol="1-CV/BTCTW")
    b = register(subject="Về tuyên truyền", number_symbol="2-CV/BTCTW")
    routing_instruct(actor=leader, document=a, text="", lines=[Line("lead", btc, days=3)])
    routing_instruct(
        actor=leader, document=b, text="", lines=[Line("lead", btg, days=3), Line("support", btc)]
    )
    login(client, btc_leader)
    html = client.get(INBOX, {"tab": "unit", "kind": "support"}).content.decode()
    assert "Về tuyên truyền" in html and "Về công tác cán bộ" not in html
    html = client.get(INBOX, {"tab": "unit", "q": "cán bộ"}).content.decode()
    assert "Về công tác cán bộ" in html and "Về tuyên truyền" not in html


def test_nav_has_the_inbox_right_after_home(client, doc, clerk):
    login(client, clerk, two_factor=False)
    items = [i["label"] for i in client.get(INBOX).context["nav_items"]]
    assert items[:2] == ["Trang chủ", "Văn bản cần xử lý"]


# --- panel -------------------------------------------------------------------------------------------------


def test_panel_shows_only_allowed_forms(doc, leader, clerk, office_leader):
    html = _panel(leader, doc)
    assert "Cho ý kiến phân phối (bút phê)" in html and "Đề xuất phân phối" not in html
    assert 'name="line_target"' in html and "Văn phòng Tỉnh ủy" in html
    html = _panel(clerk, doc)
    assert "Đề xuất phân phối" in html and "bút phê)" not in html
    html = _panel(office_leader, doc)
    assert "Đề xuất phân phối" in html and "Cho ý kiến phân phối (bút phê)" in html


def test_panel_records_read_receipt_and_shows_history(routed, doc, btc_leader, leader):
    lead = _lead(doc)
    assert lead.read_at is None
    html = _panel(btc_leader, doc)
    lead.refresh_from_db()
    assert lead.read_at is not None and lead.status == AssignmentStatus.READ
    assert "Giao cho chuyên viên" in html and "Hoàn thành" in html and "Trả lại" in html
    assert "Cho ý kiến phân phối" not in html
    html = _panel(leader, doc)
    assert "Đã xem lúc" in html and "Giao Ban Tổ chức chủ trì tham mưu trả lời." in html
    assert "Chuyển lại" in html and "Phối hợp" in html and "Để biết" in html


def test_panel_prefills_the_bút_phê_from_the_proposal(doc, office_leader, leader, btc):
    from vanphong.routing.services import routing_propose

    routing_propose(
        actor=office_leader, document=doc, text="Đề nghị giao Ban Tổ chức", lines=[Line("lead", btc)]
    )
    html = _panel(leader, doc)
    assert "đã điền sẵn theo đề xuất" in html
    assert f'<option value="u:{btc.pk}" selected>' in html


def test_panel_is_empty_for_anonymous(doc):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert routing_panel(request, doc) is None


def test_instruct_form_posts_and_redirects(client, doc, leader, btc, btg, today):
    today(date(2026, 11, 23))
    login(client, leader)
    response = client.post(
        reverse("routing:instruct", args=[doc.pk]),
        {
            "text": "Giao Ban Tổ chức chủ trì",
            "line_kind": ["lead", "support", "support"],
            "line_target": [f"u:{btc.pk}", f"u:{btg.pk}", ""],
            "line_days": ["5", "", ""],
            "line_deadline": ["", "2026-11-30", ""],
            "line_note": ["", "Góp ý", ""],
        },
    )
    assert response.status_code == 302 and response.url == _detail(doc)
    assert "Đã cho ý kiến phân phối" in " ".join(_messages(response))
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.IN_PROGRESS
    assert Assignment.objects.get(document=doc, unit=btg).deadline == date(2026, 11, 30)
    assert _lead(doc).deadline == date(2026, 11, 30)  # 5 working days after Monday 23/11


def test_instruct_form_error_writes_nothing(client, doc, leader, btc, btg):
    login(client, leader)
    response = client.post(
        reverse("routing:instruct", args=[doc.pk]),
        {"text": "", "line_kind": ["lead", "lead"], "line_target": [f"u:{btc.pk}", f"u:{btg.pk}"],
         "line_days": ["x", ""], "line_deadline": ["", ""], "line_note": ["", ""]},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == _detail(doc)
    assert "số ngày làm việc “x” không hợp lệ" in " ".join(_messages(response))
    assert not Instruction.objects.exists() and not Assignment.objects.exists()


def test_other_province_gets_404_on_every_action(client, routed, doc):
    stranger = make_user(make_province("Thành ủy Hà Nội"), [Role.COMMITTEE_LEADER])
    login(client, stranger)
    lead = _lead(doc)
    assert client.post(reverse("routing:instruct", args=[doc.pk]), {}).status_code == 404
    assert client.post(reverse("routing:close", args=[lead.pk]), {"result_kind": "filed"}).status_code == 404
    assert client.get(reverse("routing:slip", args=[doc.pk])).status_code == 404
    assert client.get(reverse("routing:line_row", args=[doc.pk])).status_code == 404


def test_assignment_forms_post_and_redirect(client, routed, doc, btc_leader, btc_specialist, leader, btg):
    lead = _lead(doc)
    login(client, btc_leader)
    r = client.post(
        reverse("routing:handover", args=[lead.pk]), {"user": btc_specialist.pk, "note": "Dự thảo"}
    )
    assert r.status_code == 302 and r.url == _detail(doc), _messages(r)
    child = Assignment.objects.get(parent=lead)
    login(client, btc_specialist)
    r = client.post(reverse("routing:progress", args=[child.pk]), {"text": "Đang dự thảo", "percent": "40"})
    assert r.status_code == 302 and ProgressNote.objects.filter(assignment=child, percent=40).exists()
    r = client.post(reverse("routing:close", args=[child.pk]), {"result_kind": "note", "note": "Đã báo cáo"})
    assert r.status_code == 302 and "Đã báo hoàn thành" in " ".join(_messages(r))
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.DONE
    r = client.post(reverse("routing:close", args=[child.pk]), {"result_kind": "note", "note": "Lần hai"})
    assert "đã hoàn thành" in " ".join(_messages(r))


def test_return_and_redirect_forms(client, routed, doc, btc_leader, leader, btg):
    lead = _lead(doc)
    login(client, btc_leader)
    r = client.post(reverse("routing:return", args=[lead.pk]), {"reason": "Không thuộc chức năng"})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.RETURNED
    support = Assignment.objects.get(document=doc, kind="support")
    login(client, leader)
    r = client.post(
        reverse("routing:redirect", args=[lead.pk]), {"target": f"u:{support.unit_id}", "reason": "x"}
    )
    assert "đang được giao" in " ".join(_messages(r))
    other = make_user(btg, [Role.SPECIALIST], full_name="Chuyên Viên Khác")
    r = client.post(reverse("routing:redirect", args=[lead.pk]), {"target": f"p:{other.pk}", "reason": "Giao đích danh", "days": "3"})  # fmt: skip
    assert "Đã chuyển" in " ".join(_messages(r))
    assert _lead_active(doc).user == other


def _lead_active(doc) -> Assignment:
    return Assignment.objects.get(document=doc, kind="lead", parent__isnull=True, status="new")


def test_mark_read_and_line_row(client, routed, doc, btc_leader, leader):
    login(client, btc_leader)
    r = client.post(reverse("routing:read", args=[_lead(doc).pk]))
    assert r.status_code == 302 and _lead(doc).read_at is not None
    login(client, leader)
    html = client.get(reverse("routing:line_row", args=[doc.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'class="line-row"' in html and "Ban Tổ chức Tỉnh ủy" in html and "<html" not in html


# --- phiếu giải quyết ----------------------------------------------------------------------------------------


def test_slip_html_has_the_three_parts(client, routed, doc, btc_leader, btc_specialist, leader):
    assignment_handover(actor=btc_leader, assignment=_lead(doc), user=btc_specialist, note="Đ/c Lan tham mưu")
    login(client, leader)
    response = client.get(reverse("routing:slip", args=[doc.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for heading in (
        "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN",
        "1. Ý kiến của lãnh đạo cơ quan",
        "2. Ý kiến của lãnh đạo đơn vị",
        "3. Ý kiến đề xuất của người giải quyết",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "TỈNH ỦY TÂY NINH",
        "VĂN PHÒNG TỈNH ỦY",
    ):
        assert heading in html, heading
    assert "Chủ trì: Ban Tổ chức Tỉnh ủy" in html and "Đ/c Lan tham mưu" in html and "Trần Minh Đức" in html
    assert 'class="dots"' in html  # part 3 is still empty: dotted lines for handwriting


def test_slip_pdf(client, routed, doc, leader):
    login(client, leader)
    response = client.get(reverse("routing:slip", args=[doc.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "phieu-giai-quyet-" in response["Content-Disposition"]


def test_propose_form_posts_and_redirects(client, doc, office_leader, leader, btc):
    login(client, office_leader)
    r = client.post(
        reverse("routing:propose", args=[doc.pk]),
        {"text": "Đề nghị giao Ban Tổ chức", "line_kind": ["lead"], "line_target": [f"u:{btc.pk}"],
         "line_days": ["5"], "line_deadline": [""], "line_note": [""]},
    )  # fmt: skip
    assert r.status_code == 302 and r.url == _detail(doc)
    assert "Đã gửi ý kiến đề xuất" in " ".join(_messages(r))
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.PROPOSED
    html = _panel(leader, doc)
    assert "Ý kiến đề xuất" in html and "Chủ trì: Ban Tổ chức Tỉnh ủy — hạn 5 ngày làm việc" in html


def test_panel_opened_by_the_unit_leader_leaves_the_specialists_receipt_alone(
    routed, doc, btc_leader, btc_specialist
):
    child = assignment_handover(actor=btc_leader, assignment=_lead(doc), user=btc_specialist)
    _panel(btc_leader, doc)
    child.refresh_from_db()
    assert child.read_at is None
    html = _panel(btc_specialist, doc)
    child.refresh_from_db()
    assert child.read_at is not None and "Cập nhật tiến độ" in html and "Giao cho chuyên viên" not in html
