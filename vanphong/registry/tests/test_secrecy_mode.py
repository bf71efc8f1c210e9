"""Deployment mode and độ mật handling: internet refuses classified content before anything is stored; isolated
accepts it; Tuyệt mật is not digitised; notifications about classified documents reach only cleared people and
never quote them."""

from __future__ import annotations

import pytest
from django.test import override_settings

from vanphong.accounts.models import Role
from vanphong.catalogs.models import SecrecyLevel
from vanphong.catalogs.secrecy import (
    deployment_mode,
    ensure_storable,
    may_digitise,
    must_encrypt,
    storable,
)
from vanphong.core.exceptions import ValidationError
from vanphong.core.models import AuditRecord, Notification
from vanphong.ingest.models import Intake, IntakeSource, IntakeStatus
from vanphong.registry.models import IncomingDocument, OutgoingDocument
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.storage.models import Blob
from vanphong.storage.services import blob_put
from vanphong.testing.factories import make_user

from .test_outgoing_support import draft, make_pdf, make_world

pytestmark = pytest.mark.django_db

INTERNET = override_settings(VANPHONG_DEPLOYMENT_MODE="internet")
ISOLATED = override_settings(VANPHONG_DEPLOYMENT_MODE="isolated")


def _level(rank: int) -> SecrecyLevel:
    return SecrecyLevel.objects.get(rank=rank)


def test_the_catalogue_carries_the_rules_with_their_source():
    levels = {lvl.rank: lvl for lvl in SecrecyLevel.objects.all()}
    assert levels[0].internet_allowed and not levels[0].encrypt_at_rest
    assert all(not levels[r].internet_allowed and levels[r].encrypt_at_rest for r in (1, 2, 3))
    assert not levels[3].digitise_allowed and levels[2].digitise_allowed
    assert all("117/2025/QH15" in levels[r].handling_source for r in levels)
    assert "40-HD/VPTW" in levels[3].handling_source


def test_policy_follows_the_mode():
    with INTERNET:
        assert deployment_mode() == "internet"
        assert storable(None) and storable(_level(0)) and not storable(_level(1)) and not storable(3)
        with pytest.raises(ValidationError) as err:
            ensure_storable(_level(2))
        assert "117/2025/QH15" in err.value.message and "Tối mật" in err.value.message
    with ISOLATED:
        assert all(storable(r) for r in range(4))
        ensure_storable(_level(3))
    assert must_encrypt(1) and not must_encrypt(0) and not must_encrypt(None)
    assert not may_digitise(3) and may_digitise(2) and may_digitise(None)
    with override_settings(VANPHONG_DEPLOYMENT_MODE="cloud"), pytest.raises(ValueError):
        deployment_mode()


@INTERNET
def test_internet_mode_refuses_a_secret_incoming_document_and_keeps_nothing():
    w = make_world()
    docs, audits, notes = (
        IncomingDocument.objects.count(),
        AuditRecord.objects.count(),
        Notification.objects.count(),
    )
    with pytest.raises(ValidationError) as err:
        incoming_document_register(
            actor=w.clerk, unit=w.office, medium="paper", subject="Kế hoạch bảo vệ nội bộ năm 2026",
            issuer_name="Ban Tổ chức Trung ương", secrecy=_level(1),
        )  # fmt: skip
    assert err.value.code == "secrecy_not_storable"
    assert IncomingDocument.objects.count() == docs
    assert AuditRecord.objects.count() == audits and Notification.objects.count() == notes
    # a document without độ mật goes through as always
    doc = incoming_document_register(actor=w.clerk, unit=w.office, medium="paper", subject="Giấy mời họp",
                                     issuer_name="Ban Tổ chức Trung ương")  # fmt: skip
    assert doc.secrecy_rank == 0


@INTERNET
def test_internet_mode_refuses_a_secret_draft_before_its_file_is_stored():
    w = make_world()
    blobs, drafts = Blob.objects.count(), OutgoingDocument.objects.count()
    pdf = make_pdf("Phuong an bao ve bi mat")
    with pytest.raises(ValidationError):
        draft(w, secrecy=_level(1), file=(pdf, "phuong-an.pdf"))
    assert Blob.objects.count() == blobs and OutgoingDocument.objects.count() == drafts
    doc = draft(w, file=(pdf, "phuong-an.pdf"))  # unclassified: stored
    with pytest.raises(ValidationError):  # and it cannot be raised to Mật afterwards
        from vanphong.registry.services.outgoing import outgoing_draft_update

        outgoing_draft_update(actor=w.specialist, document=doc, secrecy=_level(1))
    doc.refresh_from_db()
    assert doc.secrecy_rank == 0


@ISOLATED
def test_isolated_mode_accepts_the_same_document():
    w = make_world()
    doc = incoming_document_register(
        actor=w.clerk, unit=w.office, medium="paper", subject="Kế hoạch bảo vệ nội bộ năm 2026",
        issuer_name="Ban Tổ chức Trung ương", secrecy=_level(1),
    )  # fmt: skip
    assert doc.secrecy_rank == 1


@ISOLATED
def test_top_secret_from_an_intake_keeps_the_original_file_and_no_recognised_text():
    w = make_world()
    w.clerk.clearance = 3
    w.clerk.save()
    original = blob_put(actor=w.clerk, data=make_pdf("Ban goc"), content_type="application/pdf")
    ocr = blob_put(actor=w.clerk, data=make_pdf("Ban goc co lop chu"), content_type="application/pdf")
    intake = Intake.objects.create(
        unit=w.office, source=IntakeSource.SCANNER, kind="pdf", filename="scan.pdf", blob=original, ocr_blob=ocr,
        text="Nội dung nhận dạng được", ocr_used=True, status=IntakeStatus.READY, page_count=1,
    )  # fmt: skip
    doc = incoming_document_register(
        actor=w.clerk, unit=w.office, medium="electronic", subject="Văn bản tuyệt mật",
        issuer_name="Ban Tổ chức Trung ương", secrecy=_level(3), intake=intake,
    )  # fmt: skip
    assert doc.blob_id == original.pk and doc.text == "" and not doc.ocr_used


@ISOLATED
def test_notifications_about_a_secret_document_reach_only_cleared_leaders_without_its_subject():
    w = make_world()
    cleared = w.office_leader  # clearance 2
    uncleared = make_user(
        w.office, [Role.OFFICE_LEADER], full_name="Phó Chánh Chưa Được Cấp Phép", clearance=0
    )
    subject = "Phương án nhân sự khóa mới"
    doc = incoming_document_register(actor=w.clerk, unit=w.office, medium="paper", subject=subject,
                                     issuer_name="Ban Tổ chức Trung ương", secrecy=_level(1))  # fmt: skip
    notes = list(Notification.objects.filter(kind__startswith="incoming."))
    assert {n.user_id for n in notes} == {cleared.pk}
    assert all(subject not in n.text and "Mật" in n.text for n in notes)
    assert uncleared.pk not in {n.user_id for n in notes}
    # an unclassified one still says what it is about, to every leader
    incoming_document_register(actor=w.clerk, unit=w.office, medium="paper", subject="Giấy mời hội nghị",
                               issuer_name="Ban Tổ chức Trung ương")  # fmt: skip
    plain = Notification.objects.filter(text__contains="Giấy mời hội nghị")
    assert {n.user_id for n in plain} == {cleared.pk, uncleared.pk}
    assert doc.secrecy_rank == 1


def _raw(blob: Blob) -> bytes:
    from vanphong.storage.backends import get_backend

    blob.refresh_from_db()
    with get_backend().open(blob.storage_name) as f:
        return f.read()


@ISOLATED
def test_isolated_mode_stores_a_secret_document_encrypted():
    """The issue's check: in isolated mode the same file is stored encrypted — the raw blob holds no plaintext,
    and the document still reads the same through the service."""
    from vanphong.storage.services import blob_read

    w = make_world()
    pdf = make_pdf("Phuong an bao ve bi mat noi bo")
    assert b"%PDF" in pdf
    upload = blob_put(actor=w.clerk, data=pdf, content_type="application/pdf")
    assert pdf == _raw(upload)  # unclassified so far: stored as is
    intake = Intake.objects.create(
        unit=w.office, source=IntakeSource.UPLOAD, kind="pdf", filename="phuong-an.pdf", blob=upload,
        text="Phương án bảo vệ bí mật nội bộ", status=IntakeStatus.READY, page_count=1,
    )  # fmt: skip
    doc = incoming_document_register(
        actor=w.clerk, unit=w.office, medium="electronic", subject="Phương án bảo vệ bí mật nội bộ",
        issuer_name="Ban Tổ chức Trung ương", secrecy=_level(1), intake=intake,
    )  # fmt: skip
    raw = _raw(upload)
    assert b"%PDF" not in raw and b"Phuong an" not in raw and len(raw) >= len(pdf)
    assert blob_read(doc.blob_id) == pdf

    # a secret draft's file is encrypted from the start; raising a draft to Mật encrypts the file it holds
    from vanphong.registry.services.outgoing import outgoing_draft_update

    secret = draft(w, secrecy=_level(1), file=(make_pdf("Du thao mat"), "du-thao.pdf"))
    assert b"%PDF" not in _raw(secret.draft_blob)
    plain = draft(w, file=(make_pdf("Du thao thuong"), "du-thao-2.pdf"))
    assert b"%PDF" in _raw(plain.draft_blob)
    outgoing_draft_update(actor=w.specialist, document=plain, secrecy=_level(1))
    assert b"%PDF" not in _raw(plain.draft_blob)
    assert blob_read(plain.draft_blob_id).startswith(b"%PDF")
