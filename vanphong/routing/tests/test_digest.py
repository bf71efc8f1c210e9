"""Daily digest e-mail: one letter per person with unread notices or deadlines within two days; once a day."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from vanphong.core.models import AuditRecord, Notification
from vanphong.routing.models import Assignment, DigestDelivery
from vanphong.routing.services import Line, digest_send, routing_instruct
from vanphong.routing.tasks import digest_send_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return timezone.localdate()


def test_digest_lists_deadlines_and_unread_notices_once_a_day(
    routed, doc, btc_leader, btg_leader, leader, day
):
    """The chủ trì's deadline is tomorrow: its unit leader gets one letter with the document and the notice."""
    Assignment.objects.filter(document=doc, kind="lead").update(deadline=day + timedelta(days=1))
    result = digest_send(day=day)
    letters = {m.to[0]: m for m in mail.outbox}
    assert result.sent == len(mail.outbox) >= 2
    letter = letters[btc_leader.email]
    assert "Tổng hợp ngày" in letter.subject and "1 văn bản cần xử lý" in letter.subject
    assert "[Còn 1 ngày] Văn bản đến số 1/" in letter.body and doc.subject in letter.body
    assert "THÔNG BÁO CHƯA ĐỌC (1)" in letter.body and "Chủ trì giải quyết" in letter.body
    assert f"Kính gửi đồng chí {btc_leader.full_name}" in letter.body
    assert not Notification.objects.filter(user=btc_leader, emailed_at__isnull=True).exists()
    assert DigestDelivery.objects.filter(user=btc_leader, day=day, assignment_count=1).exists()
    assert AuditRecord.objects.filter(action="routing.digest.send").count() == 1
    # Idempotent: a second run the same day sends nothing, even with the deadline still near.
    sent = len(mail.outbox)
    assert digest_send(day=day).sent == 0 and len(mail.outbox) == sent


def test_people_with_nothing_or_no_email_get_no_letter(doc, leader, btc, btc_leader, day):
    btc_leader.email = ""
    btc_leader.save(update_fields=["email"])
    routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc, days=30)])
    digest_send(day=day)
    assert btc_leader.email not in [m.to[0] for m in mail.outbox]
    assert leader.email not in [m.to[0] for m in mail.outbox]  # nothing unread, nothing due


def test_secret_subject_never_leaves_by_mail(register, leader, btc, btc_leader, day):
    from vanphong.catalogs.models import SecrecyLevel

    doc = register(subject="Nội dung tuyệt đối không gửi thư", secrecy=SecrecyLevel.objects.get(rank=1))
    routing_instruct(actor=leader, document=doc, text="", lines=[Line("lead", btc, days=1)])
    digest_send(day=day + timedelta(days=1))
    body = next(m.body for m in mail.outbox if m.to[0] == btc_leader.email)
    assert "Văn bản đến số" in body and doc.subject not in body


def test_dry_run_sends_and_records_nothing(routed, btc_leader, day):
    out = StringIO()
    call_command("digest", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and btc_leader.email in out.getvalue()
    assert not mail.outbox and not DigestDelivery.objects.exists()
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_command_and_task_send(routed, btc_leader, day):
    out = StringIO()
    call_command("digest", "--day", day.isoformat(), stdout=out)
    assert "Sent" in out.getvalue() and mail.outbox
    before = len(mail.outbox)
    result = digest_send_task.enqueue(day=day.isoformat())
    assert result.return_value == {"day": day.isoformat(), "sent": 0, "failed": 0}
    assert len(mail.outbox) == before


def test_failed_send_is_retried_next_run(routed, btc_leader, day, monkeypatch):
    from vanphong.routing.services import digest as digest_module

    def boom(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(digest_module, "send_mail", boom)
    result = digest_send(day=day)
    assert result.failed >= 1 and result.sent == 0
    assert not DigestDelivery.objects.exists()
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    monkeypatch.undo()
    assert digest_send(day=day).sent >= 1
