"""Daily e-mail digest: one plain-text Vietnamese letter per person who has unread notices or documents overdue
or due within two days. Sent at most once per person per day (``DigestDelivery``); notices included are
stamped ``emailed_at`` so that they are never mailed twice. Trích yếu of secret documents never leave the
system: the letter names them by số đến only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.core.audit import audit_log
from vanphong.core.models import Notification

from ..models import ACTIVE_STATUSES, Assignment, DigestDelivery
from . import common

logger = logging.getLogger(__name__)

DUE_WITHIN_DAYS = 2
MAX_ITEMS = 50  # per section of one letter; the rest is "và N mục khác"


@dataclass
class DigestItem:
    user: User
    notifications: list[Notification] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)


@dataclass
class DigestResult:
    day: date
    sent: int = 0
    failed: int = 0
    letters: list[tuple[str, str, str]] = field(default_factory=list)  # (to, subject, body)


def _absolute(url: str) -> str:
    base = getattr(settings, "VANPHONG_BASE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") else url


def digest_candidates(day: date) -> list[DigestItem]:
    """People with an e-mail and something to say, who have not had their letter for ``day`` yet."""
    eligible = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(pk__in=DigestDelivery.objects.filter(day=day).values("user_id"))
    )
    users = {u.pk: u for u in eligible}
    items: dict[int, DigestItem] = {}

    def item(user_id: int) -> DigestItem:
        if user_id not in items:
            items[user_id] = DigestItem(users[user_id])
        return items[user_id]

    notices = Notification.objects.filter(
        user__in=eligible.values("pk"), read_at__isnull=True, emailed_at__isnull=True
    ).order_by("-urgent", "created_at", "pk")
    for n in notices:
        if n.user_id in users:
            item(n.user_id).notifications.append(n)
    due = (
        Assignment.objects.filter(
            status__in=ACTIVE_STATUSES, deadline__lte=day + timedelta(days=DUE_WITHIN_DAYS)
        )
        .select_related("document", "unit", "user")
        .order_by("deadline", "pk")
    )
    handlers: dict[int, list[User]] = {}
    per_user: dict[int, list[Assignment]] = defaultdict(list)
    for a in due:
        if a.user_id is not None:
            targets = [a.user] if a.user is not None else []
        else:
            if a.unit_id not in handlers:
                handlers[a.unit_id] = common.unit_handlers(a.unit)
            targets = handlers[a.unit_id]
        for u in targets:
            if u.pk in users and a.document.secrecy_rank <= u.clearance:
                per_user[u.pk].append(a)
    for user_id, rows in per_user.items():
        item(user_id).assignments.extend(rows)
    return [i for i in items.values() if i.notifications or i.assignments]


def _assignment_line(a: Assignment, day: date) -> str:
    doc = a.document
    assert a.deadline is not None
    late = (day - a.deadline).days
    state = f"Quá hạn {late} ngày" if late > 0 else ("Đến hạn hôm nay" if late == 0 else f"Còn {-late} ngày")
    subject = "" if doc.secrecy_rank > 0 else f": {doc.subject[:160]}"
    return (
        f"- [{state}] Văn bản đến số {doc.arrival_number}/{doc.arrival_year}"
        f"{f' ({doc.number_symbol})' if doc.number_symbol else ''} — {a.get_kind_display()}"
        f" — hạn {a.deadline:%d/%m/%Y}{subject}\n  {_absolute(common.document_url(doc))}"
    )


def digest_render(item: DigestItem, day: date) -> tuple[str, str]:
    """Subject and body of one letter (plain text, Vietnamese)."""
    n_a, n_n = len(item.assignments), len(item.notifications)
    subject = f"[Văn phòng số] Tổng hợp ngày {day:%d/%m/%Y}: {n_a} văn bản cần xử lý, {n_n} thông báo mới"
    lines = [
        f"Kính gửi đồng chí {item.user.get_full_name()},",
        "",
        f"Tổng hợp công việc ngày {day:%d/%m/%Y}.",
        "",
    ]
    if item.assignments:
        lines.append(f"VĂN BẢN QUÁ HẠN HOẶC SẮP ĐẾN HẠN GIẢI QUYẾT ({n_a})")
        lines += [_assignment_line(a, day) for a in item.assignments[:MAX_ITEMS]]
        if n_a > MAX_ITEMS:
            lines.append(f"  … và {n_a - MAX_ITEMS} văn bản khác.")
        lines.append("")
    if item.notifications:
        lines.append(f"THÔNG BÁO CHƯA ĐỌC ({n_n})")
        for n in item.notifications[:MAX_ITEMS]:
            at = timezone.localtime(n.created_at)
            mark = "[KHẨN] " if n.urgent else ""
            lines.append(f"- {at:%H:%M %d/%m}: {mark}{n.text}")
            if n.url:
                lines.append(f"  {_absolute(n.url)}")
        if n_n > MAX_ITEMS:
            lines.append(f"  … và {n_n - MAX_ITEMS} thông báo khác.")
        lines.append("")
    lines += [
        f"Xem tất cả văn bản cần xử lý: {_absolute('/xu-ly/')}",
        "",
        "Thư này do hệ thống Văn phòng số gửi tự động, đề nghị không trả lời thư này.",
    ]
    return subject, "\n".join(lines)


def digest_send(*, day: date, dry_run: bool = False) -> DigestResult:
    """Send the letters of ``day``. Each person's letter commits with its delivery record and the stamps on
    its notices, so a failed send is retried on the next run and a repeated run sends nothing twice."""
    result = DigestResult(day=day)
    for item in digest_candidates(day):
        subject, body = digest_render(item, day)
        if dry_run:
            result.letters.append((item.user.email, subject, body))
            continue
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(
                    user=item.user, day=day, notification_count=len(item.notifications),
                    assignment_count=len(item.assignments),
                )  # fmt: skip
                Notification.objects.filter(pk__in=[n.pk for n in item.notifications]).update(
                    emailed_at=timezone.now()
                )
                send_mail(subject, body, None, [item.user.email], fail_silently=False)
        except IntegrityError:  # another run sent it meanwhile
            continue
        except Exception:  # a mail server error must not stop the other letters
            logger.exception("digest to user %s failed", item.user.pk)
            result.failed += 1
            continue
        result.sent += 1
        result.letters.append((item.user.email, subject, body))
    if result.sent or result.failed:
        with transaction.atomic():
            audit_log(
                actor=None, action="routing.digest.send", object_type="routing.digest",
                object_id=day.isoformat(), object_label=f"Thư tổng hợp ngày {day:%d/%m/%Y}",
                after={"sent": result.sent, "failed": result.failed},
            )  # fmt: skip
    return result
