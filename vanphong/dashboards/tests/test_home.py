"""The home page greets the person, shows today's working-day facts and role panels; navigation by role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanphong.accounts.models import Role
from vanphong.testing.factories import login, make_province, make_user


@pytest.fixture
def province(db):
    return make_province("Tỉnh ủy Thử")


def test_clerk_home_has_today_and_no_admin_links(client, province, django_assert_max_num_queries):
    clerk = make_user(province, [Role.CLERK], full_name="Đặng Thị Mai")
    login(client, clerk, two_factor=False)
    with django_assert_max_num_queries(16):
        body = client.get(reverse("dashboards:home")).content.decode()
    assert "Chào Đặng Thị Mai" in body and "Hôm nay" in body and "âm lịch" in body
    assert "Nhật ký hệ thống" not in body and "Tác vụ nền" not in body


def test_security_home_has_security_panel(client, province):
    officer = make_user(province, [Role.SECURITY])
    login(client, officer)
    body = client.get(reverse("dashboards:home")).content.decode()
    assert "An ninh thông tin — 24 giờ qua" in body and "Nhật ký hệ thống" in body


def test_admin_home_has_admin_panel(client, province):
    admin = make_user(province, [Role.ADMIN])
    login(client, admin)
    body = client.get(reverse("dashboards:home")).content.decode()
    assert "Quản trị hệ thống" in body and "Tác vụ nền lỗi" in body


def test_only_the_longest_matching_nav_link_is_active(client, province):
    user = make_user(province, [Role.CLERK])
    login(client, user, two_factor=False)
    response = client.get(reverse("catalogs:workdays"))
    active = [i["label"] for i in response.context["nav_items"] if i["active"]]
    assert active == ["Lịch làm việc"]


def test_anonymous_is_sent_to_login(client, db):
    r = client.get("/")
    assert r.status_code == 302 and reverse("accounts:login") in r.url
