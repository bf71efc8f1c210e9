"""Recall (thu hồi) and cancel."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.models import Role, User
from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ConflictError, PermissionDenied, ValidationError
from vanphong.core.notify import notify, subject_of
from vanphong.ingest.models import Intake, IntakeStatus
from vanphong.ingest.services import intake_discard

from ...models import (
    IncomingDocument,
    IncomingGrant,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    ReviewDecision,
)
from ...search import index_outgoing
from ..incoming import incoming_handling_update
from ._base import AUDIT_FIELDS, ORIGIN_PREFIX, _clerks_of, _detail_url, _guard_open, _lock, _role_holders
from .permissions import _is_manager, can_cancel_outgoing

# --- recall and cancel -------------------------------------------------------------------------------------


def _incoming_handlers(incoming: IncomingDocument) -> list[User]:
    grants = list(IncomingGrant.objects.filter(document=incoming).select_related("user", "unit"))
    users = [g.user for g in grants if g.user is not None]
    for g in grants:
        if g.unit is not None:
            users += _role_holders(Role.UNIT_LEADER, [g.unit])
    if incoming.registered_by is not None:
        users.append(incoming.registered_by)
    return users


def outgoing_recall(*, actor: User, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """Thu hồi: freeze the issued document; in each internal recipient, discard the intake not yet registered
    or mark the registered incoming document RECALLED, and tell its văn thư and handlers."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do thu hồi văn bản.")
    reason = reason.strip()[:500]
    with transaction.atomic():
        doc = _lock(document)
        if doc.status == OutgoingStatus.RECALLED:
            raise ConflictError("Văn bản đã được thu hồi trước đó.", code="already_recalled")
        if doc.status != OutgoingStatus.ISSUED:
            raise ConflictError("Chỉ thu hồi được văn bản đã phát hành; dự thảo thì dùng chức năng hủy.")
        if not _is_manager(actor, doc.unit):
            raise PermissionDenied("Chỉ văn thư hoặc lãnh đạo của đơn vị ban hành được thu hồi văn bản.")
        before = snapshot(doc, AUDIT_FIELDS)
        now = timezone.now()
        doc.status, doc.recalled_at, doc.recall_reason = OutgoingStatus.RECALLED, now, reason
        doc.save()
        text = f"{doc.unit.name} thu hồi văn bản {doc.number_symbol}: {reason[:200]}"
        outcome: list[dict[str, Any]] = []
        for r in doc.recipients.select_related("unit"):
            if r.unit is None:
                if r.delivered_at is None:  # never sent: nothing to call back
                    r.recalled_at = now
                    r.save(update_fields=["recalled_at"])
                outcome.append({"recipient": r.pk, "external": True, "sent": r.delivered_at is not None})
                continue
            users = _clerks_of(r.unit)
            incoming = IncomingDocument.objects.filter(source_recipient=r).first()
            intakes = list(Intake.objects.filter(origin=f"{ORIGIN_PREFIX}{r.pk}"))
            if incoming is None:
                incoming = next((d for i in intakes for d in i.documents.all()), None)
            url = reverse("registry:intake")
            if incoming is not None:
                incoming_handling_update(actor=actor, document=incoming, status=IncomingStatus.RECALLED,
                                         progress_label=f"Nơi gửi thu hồi: {reason}"[:500],
                                         action="registry.incoming.recalled")  # fmt: skip
                users += _incoming_handlers(incoming)
                url = reverse("registry:incoming_detail", args=[incoming.pk])
            for intake in intakes:
                if intake.status not in (IntakeStatus.REGISTERED, IntakeStatus.DISCARDED):
                    intake_discard(actor=actor, intake=intake, reason=f"Nơi gửi thu hồi văn bản: {reason}")
            r.recalled_at = now
            r.save(update_fields=["recalled_at"])
            notify(users=users, kind="incoming.recalled", url=url, urgent=True, text=text,
                   secrecy_rank=doc.secrecy_rank)  # fmt: skip
            outcome.append({"recipient": r.pk, "incoming": incoming.pk if incoming else None,
                            "intakes": [i.pk for i in intakes]})  # fmt: skip
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.recall", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "recipients": outcome})  # fmt: skip
    return doc


def outgoing_cancel(*, actor: User, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """Hủy a document before issue (the drafter, văn thư or leaders of the unit); pending steps are skipped."""
    if not reason.strip():
        raise ValidationError("Cần ghi lý do hủy.")
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status == OutgoingStatus.ISSUED:
            raise ConflictError("Văn bản đã phát hành: dùng chức năng thu hồi thay vì hủy.", code="issued")
        if not can_cancel_outgoing(actor, doc):
            raise PermissionDenied(
                "Chỉ người soạn thảo, văn thư hoặc lãnh đạo của đơn vị được hủy văn bản này."
            )
        before = snapshot(doc, AUDIT_FIELDS)
        doc.reviews.filter(decision=ReviewDecision.PENDING).update(decision=ReviewDecision.SKIPPED)
        doc.status = OutgoingStatus.CANCELLED
        doc.notes = f"Hủy: {reason.strip()}"[:500]
        doc.save()
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.cancel", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "reason": reason.strip()})  # fmt: skip
        if doc.drafted_by is not None and doc.drafted_by.pk != actor.pk:
            notify(users=[doc.drafted_by], kind="outgoing.cancelled", url=_detail_url(doc), secrecy_rank=doc.secrecy_rank,
                   text=f"{actor.get_full_name()} đã hủy dự thảo “{subject_of(doc, 150)}”: {reason.strip()[:200]}")  # fmt: skip
    return doc
