"""REST: inbox, bút phê and hoàn thành through /api/routing/, with the project's error shape."""

from __future__ import annotations

import pytest

from vanphong.accounts.models import Role
from vanphong.registry.models import IncomingStatus
from vanphong.routing.models import Assignment
from vanphong.testing.factories import login, make_province, make_user

pytestmark = pytest.mark.django_db


def test_api_needs_a_session(client, doc):
    assert client.get("/api/routing/inbox").status_code == 401
    assert (
        client.post(
            f"/api/routing/documents/{doc.pk}/instruct", {}, content_type="application/json"
        ).status_code
        == 401
    )


def test_instruct_inbox_and_close(client, doc, leader, btc, btg, btc_leader):
    login(client, leader)
    r = client.post(
        f"/api/routing/documents/{doc.pk}/instruct",
        {"text": "Giao Ban Tổ chức", "lines": [{"kind": "lead", "unit_id": btc.pk, "days": 5},
                                                 {"kind": "support", "unit_id": btg.pk}]},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["document_id"] == doc.pk and [a["kind"] for a in body["assignments"]] == ["lead", "support"]
    login(client, btc_leader)
    rows = client.get("/api/routing/inbox", {"tab": "unit"}).json()
    assert rows["count"] == 1  # the phối hợp went to the other unit
    lead = next(x for x in rows["items"] if x["kind"] == "lead")
    assert lead["subject"] == doc.subject and lead["kind_label"] == "Chủ trì" and lead["deadline"]
    r = client.post(f"/api/routing/assignments/{lead['id']}/close", {"result_kind": "note", "note": "Xong"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "done"
    doc.refresh_from_db()
    assert doc.status == IncomingStatus.DONE
    r = client.post(f"/api/routing/assignments/{lead['id']}/close", {"result_kind": "note", "note": "Lần hai"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 409 and "đã hoàn thành" in r.json()["detail"] and r.json()["code"] == "conflict"


def test_errors_speak_vietnamese_with_the_status(client, doc, leader, btc, btg, clerk):
    login(client, leader)
    url = f"/api/routing/documents/{doc.pk}/instruct"
    r = client.post(url, {"lines": [{"kind": "lead", "unit_id": btc.pk}, {"kind": "lead", "unit_id": btg.pk}]},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 400
    assert r.json() == {"detail": "Chỉ được giao một đơn vị hoặc cá nhân chủ trì.", "code": "invalid"}
    assert not Assignment.objects.exists()
    login(client, clerk, two_factor=False)
    r = client.post(url, {"lines": [{"kind": "lead", "unit_id": btc.pk}]}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    stranger = make_user(make_province("Thành ủy Hà Nội"), [Role.COMMITTEE_LEADER])
    login(client, stranger)
    r = client.post(url, {"lines": [{"kind": "lead", "unit_id": btc.pk}]}, content_type="application/json")
    assert r.status_code == 404 and "Không tìm thấy" in r.json()["detail"] and r.json()["code"] == "not_found"


def test_openapi_lists_routing(client, db):
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {"/api/routing/inbox", "/api/routing/documents/{document_id}/instruct",
            "/api/routing/assignments/{assignment_id}/close"} <= paths  # fmt: skip
