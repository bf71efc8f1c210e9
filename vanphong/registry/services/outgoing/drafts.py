"""Drafts, review and approval along the catalogue flow, and the signed file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanphong.accounts.access import has_role
from vanphong.accounts.models import Role, User
from vanphong.catalogs.models import (
    DocumentType,
    SecrecyLevel,
    Urgency,
)
from vanphong.catalogs.secrecy import must_encrypt
from vanphong.catalogs.selectors import review_flow
from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ConflictError, PermissionDenied, ValidationError
from vanphong.core.notify import notify, subject_of
from vanphong.org.models import Unit
from vanphong.storage.services import blob_encrypt, blob_put

from ...models import (
    IncomingDocument,
    OutgoingDocument,
    OutgoingReview,
    OutgoingStatus,
    ReviewDecision,
)
from ...search import index_outgoing
from ._base import (
    AUDIT_FIELDS,
    CONTENT_TYPES,
    EDITABLE,
    ISSUABLE,
    RecipientIn,
    _apply_signer,
    _check_secrecy,
    _clean_recipients,
    _clerks_of,
    _detail_url,
    _guard_open,
    _lock,
    _recipients_snapshot,
    _role_holders,
    _write_recipients,
    check_file,
)
from .checks import outgoing_format_check
from .permissions import (
    _drafter_or_clerk,
    _review_units,
    can_decide_review,
    can_draft_outgoing,
    can_upload_signed,
    current_stage,
    role_label,
)

# --- drafts -----------------------------------------------------------------------------------------------


def outgoing_draft_create(
    *,
    actor: User,
    unit: Unit,
    document_type: DocumentType,
    subject: str,
    file: tuple[bytes, str] | None = None,
    urgency: Urgency | None = None,
    secrecy: SecrecyLevel | None = None,
    signer: User | None = None,
    signer_name: str = "",
    signer_title: str = "",
    in_reply_to: IncomingDocument | None = None,
    recipients: Sequence[RecipientIn | Unit] = (),
    copies: int = 1,
    file_copy_holder: str = "",
    reply_due_date: date | None = None,
    notes: str = "",
) -> OutgoingDocument:
    """Create a draft văn bản đi of ``unit`` (status DRAFT) with its recipients and, optionally, the draft
    file (DOCX or PDF, checked before it is stored)."""
    if not can_draft_outgoing(actor, unit):
        raise PermissionDenied(f"Bạn không soạn thảo văn bản nhân danh {unit.name}.")
    if not document_type.active:
        raise ValidationError(f"Thể loại “{document_type.name}” đã ngừng sử dụng.")
    if not subject.strip():
        raise ValidationError("Chưa có trích yếu nội dung văn bản.")
    if copies < 1:
        raise ValidationError("Số lượng bản phải từ 1 trở lên.")
    _check_secrecy(actor, secrecy)
    cleaned = _clean_recipients(recipients)
    checked = check_file(file[0], file[1]) if file is not None else None
    with transaction.atomic():
        doc = OutgoingDocument(
            unit=unit, document_type=document_type, subject=subject.strip(), urgency=urgency, secrecy=secrecy,
            secrecy_rank=secrecy.rank if secrecy else 0, in_reply_to=in_reply_to, copies=copies,
            file_copy_holder=file_copy_holder.strip()[:200], reply_due_date=reply_due_date,
            notes=notes.strip()[:500], drafted_by=actor, status=OutgoingStatus.DRAFT,
        )  # fmt: skip
        _apply_signer(doc, signer, signer_name, signer_title)
        if checked is not None:
            blob = blob_put(actor=actor, data=checked.data, content_type=CONTENT_TYPES[checked.kind],
                            encrypt=must_encrypt(doc.secrecy))  # fmt: skip
            doc.draft_blob, doc.draft_filename, doc.text = blob, checked.filename, checked.text
        doc.save()
        _write_recipients(doc, cleaned)
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.draft_create", obj=doc, unit=unit,
                  after={**snapshot(doc, AUDIT_FIELDS), "recipients": _recipients_snapshot(doc)})  # fmt: skip
    return doc


_UNSET: Any = object()


def outgoing_draft_update(
    *,
    actor: User,
    document: OutgoingDocument,
    document_type: DocumentType = _UNSET,
    subject: str = _UNSET,
    file: tuple[bytes, str] | None = _UNSET,
    urgency: Urgency | None = _UNSET,
    secrecy: SecrecyLevel | None = _UNSET,
    signer: User | None = _UNSET,
    signer_name: str = _UNSET,
    signer_title: str = _UNSET,
    in_reply_to: IncomingDocument | None = _UNSET,
    recipients: Sequence[RecipientIn | Unit] = _UNSET,
    copies: int = _UNSET,
    file_copy_holder: str = _UNSET,
    reply_due_date: date | None = _UNSET,
    notes: str = _UNSET,
) -> OutgoingDocument:
    """Change a draft (only while DRAFT or RETURNED). Only the given fields change; ``file=None`` keeps the
    current draft file, a new file replaces it; ``recipients`` replaces the whole list."""
    _guard_open(document)
    if document.status not in EDITABLE:
        raise ConflictError(
            f"Văn bản đang ở trạng thái “{document.get_status_display()}”, chỉ sửa được khi là dự thảo "
            "hoặc đã bị trả lại.",
            code="not_editable",
        )
    if not _drafter_or_clerk(actor, document):
        raise PermissionDenied("Chỉ người soạn thảo hoặc văn thư của đơn vị được sửa dự thảo này.")
    if subject is not _UNSET and not subject.strip():
        raise ValidationError("Chưa có trích yếu nội dung văn bản.")
    if copies is not _UNSET and copies < 1:
        raise ValidationError("Số lượng bản phải từ 1 trở lên.")
    if document_type is not _UNSET and not document_type.active:
        raise ValidationError(f"Thể loại “{document_type.name}” đã ngừng sử dụng.")
    if secrecy is not _UNSET:
        _check_secrecy(actor, secrecy)
    cleaned = _clean_recipients(recipients) if recipients is not _UNSET else None
    checked = check_file(file[0], file[1]) if file is not _UNSET and file is not None else None
    if secrecy is not _UNSET and must_encrypt(secrecy):  # files kept so far: encrypted before the change
        _encrypt_files(actor, document)
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status not in EDITABLE:
            raise ConflictError("Văn bản vừa được trình hoặc thay đổi trạng thái, không sửa được nữa.")
        before = {**snapshot(doc, AUDIT_FIELDS), "recipients": _recipients_snapshot(doc)}
        simple = {"document_type": document_type, "urgency": urgency, "in_reply_to": in_reply_to,
                  "copies": copies, "reply_due_date": reply_due_date}  # fmt: skip
        for name, value in simple.items():
            if value is not _UNSET:
                setattr(doc, name, value)
        if subject is not _UNSET:
            doc.subject = subject.strip()
        if file_copy_holder is not _UNSET:
            doc.file_copy_holder = file_copy_holder.strip()[:200]
        if notes is not _UNSET:
            doc.notes = notes.strip()[:500]
        if secrecy is not _UNSET:
            doc.secrecy, doc.secrecy_rank = secrecy, (secrecy.rank if secrecy else 0)
        if signer is not _UNSET or signer_name is not _UNSET or signer_title is not _UNSET:
            new_signer = doc.signer if signer is _UNSET else signer
            changed = signer is not _UNSET and getattr(signer, "pk", None) != doc.signer_id
            name = signer_name if signer_name is not _UNSET else ("" if changed else doc.signer_name)
            title = signer_title if signer_title is not _UNSET else ("" if changed else doc.signer_title)
            _apply_signer(doc, new_signer, name, title)
        if checked is not None:
            blob = blob_put(actor=actor, data=checked.data, content_type=CONTENT_TYPES[checked.kind],
                            encrypt=must_encrypt(doc.secrecy))  # fmt: skip
            doc.draft_blob, doc.draft_filename, doc.text = blob, checked.filename, checked.text
        doc.save()
        if cleaned is not None:
            _write_recipients(doc, cleaned)
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.draft_update", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "recipients": _recipients_snapshot(doc)})  # fmt: skip
    return doc


def _encrypt_files(actor: User, document: OutgoingDocument) -> None:
    """Encrypt the files a draft already holds (a crash-safe rewrite per file, outside any transaction: an
    encrypted file reads the same, so a change refused afterwards harms nothing)."""
    for sha in dict.fromkeys(s for s in (document.draft_blob_id, document.signed_blob_id) if s):
        blob_encrypt(sha, actor=actor)


# --- review and approval ------------------------------------------------------------------------------------


def _notify_stage(document: OutgoingDocument, stage: list[OutgoingReview]) -> None:
    units = _review_units(document)
    users: list[User] = []
    for review in stage:
        users += _role_holders(review.role, units, min_clearance=document.secrecy_rank)
    names = ", ".join(sorted({r.name for r in stage}))
    notify(users=users, kind="outgoing.review", url=_detail_url(document), secrecy_rank=document.secrecy_rank,
           urgent=bool(document.urgency and document.urgency.edxml_priority > 0),
           text=f"Dự thảo chờ cho ý kiến ({names}): {subject_of(document)}")  # fmt: skip


def outgoing_submit(*, actor: User, document: OutgoingDocument) -> OutgoingDocument:
    """Trình: copy the review flow of the catalogue (for this type and unit) into a new round of review steps
    and tell the first reviewers. A blocking format finding (type outside the body's authority) refuses it.
    A flow with no active step approves the draft at once."""
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status == OutgoingStatus.IN_REVIEW:
            raise ConflictError("Văn bản đã được trình, đang chờ ý kiến.", code="already_submitted")
        if doc.status not in EDITABLE:
            raise ConflictError(
                f"Văn bản đang ở trạng thái “{doc.get_status_display()}”, không trình lại được."
            )
        if not _drafter_or_clerk(actor, doc):
            raise PermissionDenied("Chỉ người soạn thảo hoặc văn thư của đơn vị được trình dự thảo.")
        blocking = [w for w in outgoing_format_check(doc) if w.blocking]
        if blocking:
            raise ValidationError(
                "Chưa trình được: " + " ".join(w.message for w in blocking),
                details=[w.code for w in blocking],
            )
        before = snapshot(doc, ["status"])
        last_round = doc.reviews.order_by("-round").values_list("round", flat=True).first() or 0
        flow = review_flow(doc.document_type, doc.unit)
        rows = OutgoingReview.objects.bulk_create(
            [OutgoingReview(document=doc, round=last_round + 1, order=s.order, name=s.name, role=s.role)
             for s in flow]
        )  # fmt: skip
        doc.status = OutgoingStatus.IN_REVIEW if rows else OutgoingStatus.APPROVED
        doc.save(update_fields=["status", "updated_at"])
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.submit", obj=doc, before=before,
                  after={"status": doc.status, "round": last_round + 1,
                         "flow": [{"order": s.order, "name": s.name, "role": s.role, "step": s.pk} for s in flow]})  # fmt: skip
        if rows:
            _notify_stage(doc, current_stage(doc))
        else:
            _notify_approved(doc)
    return doc


def _notify_approved(document: OutgoingDocument) -> None:
    users = [u for u in (document.drafted_by, document.signer) if u is not None]
    notify(users=users, kind="outgoing.approved", url=_detail_url(document), secrecy_rank=document.secrecy_rank,
           text=f"Dự thảo đã được duyệt, chờ ký: {subject_of(document)}")  # fmt: skip


def outgoing_review_decide(
    *, actor: User, review: OutgoingReview, decision: str, comment: str = ""
) -> OutgoingReview:
    """Cho ý kiến on one step: ``approved`` (đồng ý) or ``rejected`` (trả lại, with a comment). Only a holder of
    the step's role over the document's unit (or the drafting department), and only for the current step.
    Returning sends the draft back to the drafter (RETURNED); the last approval makes it APPROVED."""
    if decision not in (ReviewDecision.APPROVED, ReviewDecision.REJECTED):
        raise ValidationError("Ý kiến phải là đồng ý hoặc trả lại.")
    comment = comment.strip()
    if decision == ReviewDecision.REJECTED and not comment:
        raise ValidationError("Khi trả lại dự thảo cần ghi nhận xét để người soạn thảo sửa.")
    with transaction.atomic():
        doc = _lock(review.document)
        _guard_open(doc)
        step = OutgoingReview.objects.select_for_update().get(pk=review.pk)
        if step.decision != ReviewDecision.PENDING:
            who = step.reviewer.get_full_name() if step.reviewer else "người khác"
            raise ConflictError(
                f"Bước “{step.name}” đã có ý kiến “{step.get_decision_display()}” của {who}.", code="decided"
            )
        if doc.status != OutgoingStatus.IN_REVIEW:
            raise ConflictError("Văn bản không còn ở bước thẩm định, duyệt.")
        stage = current_stage(doc)
        if step.pk not in {r.pk for r in stage}:
            raise ConflictError(f"Chưa đến lượt bước “{step.name}”: các bước trước chưa cho ý kiến.")
        if not can_decide_review(actor, doc, step.role):
            raise PermissionDenied(
                f"Bước “{step.name}” do {role_label(step.role).lower()} của {doc.unit.name} cho ý kiến; "
                "bạn không giữ vai trò này."
            )
        step.reviewer, step.decision, step.comment, step.decided_at = actor, decision, comment, timezone.now()
        step.save(update_fields=["reviewer", "decision", "comment", "decided_at"])
        before_status = doc.status
        if decision == ReviewDecision.REJECTED:
            doc.reviews.filter(round=step.round, decision=ReviewDecision.PENDING).update(
                decision=ReviewDecision.SKIPPED
            )
            doc.status = OutgoingStatus.RETURNED
            doc.save(update_fields=["status", "updated_at"])
            if doc.drafted_by is not None:
                notify(users=[doc.drafted_by], kind="outgoing.returned", url=_detail_url(doc),
                       secrecy_rank=doc.secrecy_rank,
                       text=f"{actor.get_full_name()} trả lại dự thảo ({step.name}): {comment[:300]}")  # fmt: skip
        else:
            remaining = current_stage(doc)
            if not remaining:
                doc.status = OutgoingStatus.APPROVED
                doc.save(update_fields=["status", "updated_at"])
                _notify_approved(doc)
            elif remaining[0].order != step.order:
                _notify_stage(doc, remaining)
                if doc.drafted_by is not None:
                    notify(users=[doc.drafted_by], kind="outgoing.progress", url=_detail_url(doc),
                           secrecy_rank=doc.secrecy_rank,
                           text=f"{actor.get_full_name()} đồng ý ({step.name}); dự thảo chuyển bước "
                                f"“{remaining[0].name}”.")  # fmt: skip
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.review", obj=doc, before={"status": before_status},
                  after={"status": doc.status, "review": step.pk, "round": step.round, "step": step.name,
                         "role": step.role, "decision": decision, "comment": comment})  # fmt: skip
    return step


# --- signed file ------------------------------------------------------------------------------------------


def outgoing_signed_upload(
    *, actor: User, document: OutgoingDocument, data: bytes, filename: str
) -> OutgoingDocument:
    """Attach the signed PDF (approved → SIGNED; uploading again before issue replaces it). The PDF must open.

    The signer stays the one chosen on the draft; when none was chosen, a leader uploading it is recorded as
    the signer, anyone else is asked to name the signer first.
    """
    _guard_open(document)
    checked = check_file(data, filename, pdf_only=True)
    with transaction.atomic():
        doc = _lock(document)
        _guard_open(doc)
        if doc.status == OutgoingStatus.ISSUED:
            raise ConflictError("Văn bản đã phát hành, không thay bản đã ký được.", code="issued")
        if doc.status not in ISSUABLE:
            raise ConflictError("Chỉ tải bản đã ký lên sau khi dự thảo được duyệt.", code="not_approved")
        if not can_upload_signed(actor, doc):
            raise PermissionDenied(
                "Chỉ người ký, người soạn thảo hoặc văn thư của đơn vị được tải lên bản đã ký."
            )
        if doc.signer_id is None and not doc.signer_name:
            leader = any(
                has_role(actor, r, doc.unit)
                for r in (Role.COMMITTEE_LEADER, Role.OFFICE_LEADER, Role.UNIT_LEADER)
            )
            if not leader:
                raise ValidationError(
                    "Chưa ghi người ký văn bản: đề nghị người soạn thảo bổ sung trước khi tải lên."
                )
            _apply_signer(doc, actor, "", "")
        before = snapshot(doc, AUDIT_FIELDS)
        blob = blob_put(actor=actor, data=checked.data, content_type=CONTENT_TYPES["pdf"],
                        encrypt=must_encrypt(doc.secrecy))  # fmt: skip
        doc.signed_blob, doc.signed_filename = blob, checked.filename
        doc.text = checked.text or doc.text
        doc.status = OutgoingStatus.SIGNED
        doc.save()
        index_outgoing([doc.pk])  # the search index follows after commit
        audit_log(actor=actor, action="registry.outgoing.sign", obj=doc, before=before,
                  after={**snapshot(doc, AUDIT_FIELDS), "pages": checked.pages,
                         "signer": doc.signer_name, "uploaded_by": actor.pk})  # fmt: skip
        notify(users=_clerks_of(doc.unit), kind="outgoing.signed", url=_detail_url(doc), secrecy_rank=doc.secrecy_rank,
               text=f"Văn bản đã ký, chờ cấp số và phát hành: {subject_of(doc)}")  # fmt: skip
    return doc
