"""Notification bell and list: unread count in the header (one query), unread first, mark one / all read."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from vanphong.core.models import Notification
from vanphong.core.notify import notify
from vanphong.routing.context_processors import notifications
from vanphong.testing.factories import login

pytestmark = pytest.mark.django_db
LIST = reverse("accounts:notifications")


@pytest.fixture
def notices(clerk):
    notify(users=[clerk], kind="test", text="Thông báo cũ đã đọc", url="/xu-ly/")
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    notify(users=[clerk], kind="test", text="Văn bản đến số 7 chờ trình", url="/xu-ly/")
    notify(users=[clerk], kind="test", text="Văn bản KHẨN số 8", url="//evil.example/", urgent=True)
    return list(Notification.objects.filter(user=clerk).order_by("pk"))


def test_bell_shows_the_unread_count_with_one_query(client, clerk, notices, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = clerk
    context = notifications(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "2" and bool(context["unread_notifications"])
    login(client, clerk, two_factor=False)
    html = client.get(LIST).content.decode()
    assert 'class="bell-count">2<' in html


def test_list_puts_unread_first_and_marks_one_read_with_htmx(client, clerk, notices):
    login(client, clerk, two_factor=False)
    html = client.get(LIST).content.decode()
    assert html.index("Văn bản KHẨN số 8") < html.index("Thông báo cũ đã đọc")
    assert html.index("Văn bản đến số 7") < html.index("Thông báo cũ đã đọc")
    target = notices[1]
    r = client.post(reverse("accounts:notification_read", args=[target.pk]), HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and f'id="notification-{target.pk}"' in body and "đã đọc lúc" in body
    assert 'hx-swap-oob="true"' in body and 'class="bell-count">1<' in body
    target.refresh_from_db()
    assert target.read_at is not None


def test_mark_all_read_and_open(client, clerk, notices, office_leader):
    login(client, clerk, two_factor=False)
    r = client.get(reverse("accounts:notification_open", args=[notices[1].pk]))
    assert r.status_code == 302 and r.url == "/xu-ly/"
    r = client.get(reverse("accounts:notification_open", args=[notices[2].pk]))
    assert r.url == LIST  # an outside link is not followed
    notify(users=[clerk], kind="test", text="Mới")
    r = client.post(reverse("accounts:notifications_read_all"))
    assert r.status_code == 302
    assert not Notification.objects.filter(user=clerk, read_at__isnull=True).exists()
    notify(users=[office_leader], kind="test", text="Của người khác")
    other = Notification.objects.get(user=office_leader)
    assert client.post(reverse("accounts:notification_read", args=[other.pk])).status_code == 404
    assert client.get(reverse("accounts:notification_open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_has_no_bell(client, db):
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert notifications(request) == {}
    assert client.get(LIST).status_code == 302
