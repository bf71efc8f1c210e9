"""Scope rules: admins manage only their subtree; delegation grants a role for a period; audit page scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts import access, services
from vanphong.accounts.models import Clearance, Role
from vanphong.core.exceptions import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.testing.factories import login, make_province, make_unit, make_user


@pytest.fixture
def two_provinces(db):
    a = make_province("Tỉnh ủy A")
    b = make_province("Tỉnh ủy B")
    return a, b


def test_province_admin_sees_only_own_subtree(two_provinces):
    a, b = two_provinces
    room = make_unit(make_unit(a, "Văn phòng Tỉnh ủy A"), "Phòng Tổng hợp")
    admin_a = make_user(a, [Role.ADMIN])
    in_a = make_user(room)
    in_b = make_user(b)
    visible = set(access.users_visible_to(admin_a))
    assert in_a in visible and in_b not in visible
    with pytest.raises(PermissionDenied):
        access.access_user_for_change(admin_a, in_b.pk)
    with pytest.raises(PermissionDenied):
        services.user_create(actor=admin_a, username="x1", full_name="X", unit=b, password="Mat-khau-thu-1")
    with pytest.raises(PermissionDenied):
        services.user_update(actor=admin_a, user=in_a, unit=b)


def test_user_list_page_is_scoped(client, two_provinces, django_assert_max_num_queries):
    a, b = two_provinces
    admin_a = make_user(a, [Role.ADMIN])
    make_user(a, full_name="Nguyễn Văn Trong")
    make_user(b, full_name="Lê Thị Ngoài")
    login(client, admin_a)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("accounts:user_list"))
    body = r.content.decode()
    assert "Nguyễn Văn Trong" in body and "Lê Thị Ngoài" not in body
    other = make_user(b)
    assert client.get(reverse("accounts:user_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[other.pk])).status_code == 404


def test_specialist_cannot_open_user_admin_or_audit(client, two_provinces):
    a, _ = two_provinces
    user = make_user(a, [Role.SPECIALIST])
    login(client, user, two_factor=False)
    assert client.get(reverse("accounts:user_list")).status_code == 404
    assert client.get(reverse("accounts:audit")).status_code == 404


def test_admin_creates_user_through_page_and_it_is_audited(client, two_provinces):
    a, _ = two_provinces
    admin_a = make_user(a, [Role.ADMIN])
    login(client, admin_a)
    r = client.post(
        reverse("accounts:user_create"),
        {
            "username": "vanthu.moi",
            "full_name": "Đặng Văn Mới",
            "unit": a.pk,
            "clearance": Clearance.MAT,
            "is_active": "on",
            "password": "Mot-Mat-Khau-Dai-2026",
            "roles": [Role.CLERK],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    rec = AuditRecord.objects.get(action="accounts.user.create", object_label="Đặng Văn Mới")
    assert rec.actor_id == admin_a.pk and rec.after["roles"] == ["clerk"]


def test_weak_password_gets_vietnamese_error(client, two_provinces):
    a, _ = two_provinces
    admin_a = make_user(a, [Role.ADMIN])
    login(client, admin_a)
    r = client.post(
        reverse("accounts:user_create"),
        {
            "username": "yeu",
            "full_name": "Yếu",
            "unit": a.pk,
            "clearance": 0,
            "password": "123",
        },
    )
    assert r.status_code == 200
    assert "quá ngắn" in r.content.decode() or "ít nhất" in r.content.decode()


def test_delegation_grants_role_for_period_only(two_provinces):
    a, _ = two_provinces
    chief = make_user(a, [Role.OFFICE_LEADER])
    deputy = make_user(a)
    today = timezone.localdate()
    d = services.delegation_create(
        actor=chief,
        grantee=deputy,
        role=Role.OFFICE_LEADER,
        unit=a,
        start=today,
        end=today + timedelta(days=3),
    )
    assert access.has_role(deputy, Role.OFFICE_LEADER, a)
    assert not access.effective_roles(deputy, on=today + timedelta(days=4))
    fresh = type(deputy).objects.get(pk=deputy.pk)
    services.delegation_revoke(actor=chief, delegation=d)
    assert not access.has_role(fresh, Role.OFFICE_LEADER, a)
    assert AuditRecord.objects.filter(action="accounts.delegation.revoke").exists()


def test_cannot_delegate_a_role_not_held(two_provinces):
    a, _ = two_provinces
    clerk = make_user(a, [Role.CLERK])
    other = make_user(a)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.delegation_create(
            actor=clerk, grantee=other, role=Role.COMMITTEE_LEADER, unit=a, start=today, end=today
        )
    with pytest.raises(ValidationError):
        services.delegation_create(
            actor=clerk, grantee=other, role=Role.CLERK, unit=a, start=today, end=today - timedelta(days=1)
        )


def test_security_officer_audit_page_filters_and_scope(client, two_provinces, django_assert_max_num_queries):
    a, b = two_provinces
    officer = make_user(a, [Role.SECURITY])
    make_user(a, full_name="Người Trong Tỉnh")
    make_user(b, full_name="Người Tỉnh Khác")
    login(client, officer)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("accounts:audit"), {"action": "accounts.user.create"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Người Trong Tỉnh" in body and "Người Tỉnh Khác" not in body
    r = client.get(reverse("accounts:audit"), {"date_from": "31/02/2026"})
    assert "Ngày không hợp lệ" in r.content.decode()
