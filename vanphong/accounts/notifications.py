"""Thông báo: the person's own notices (written by ``core.notify``), unread first; open one, mark one or all read.

Marking read changes only the reader's own inbox state, so the two writes below are plain queryset updates
scoped to ``user`` and are not audited (the audit trail records changes to the office's data; a notice being
read is the person's private reading state, like the bell's counter).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanphong.core.models import Notification

from .models import User

PAGE_SIZE = 30


# --- reads and writes (the person's own notices only) --------------------------------------------------------


def notifications_of(user: User) -> QuerySet[Notification]:
    """Unread first, then newest first."""
    return Notification.objects.filter(user=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def _own(user: User, pk: int) -> Notification:
    n = Notification.objects.filter(user=user, pk=pk).first()
    if n is None:
        raise Http404("Không tìm thấy thông báo.")
    return n


def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    """Idempotent: the first reading time is kept."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, user=user, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# --- pages --------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(notifications_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    context = {"page_obj": page, "unread": unread}
    template = (
        "accounts/_notifications.html" if getattr(request, "htmx", False) else "accounts/notifications.html"
    )
    htmx = getattr(request, "htmx", False)
    return render(request, template, {**context, "querystring_without_page": "", "oob_bell": htmx})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice's link; opening it marks it read. Only links inside the site are followed."""
    n = notification_mark_read(user=_user(request), notification=_own(_user(request), pk))
    target = n.url if n.url.startswith("/") and not n.url.startswith("//") else ""
    return redirect(target or "accounts:notifications")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    n = notification_mark_read(user=_user(request), notification=_own(_user(request), pk))
    if getattr(request, "htmx", False):
        return render(request, "accounts/_notification_row.html", {"n": n, "oob_bell": True})
    return redirect("accounts:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=_user(request))
    if getattr(request, "htmx", False):
        return notification_list(request)
    messages.success(
        request, f"Đã đánh dấu {count} thông báo là đã đọc." if count else "Không có thông báo chưa đọc."
    )
    return redirect("accounts:notifications")
