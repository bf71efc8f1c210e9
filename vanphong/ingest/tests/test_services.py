"""The intake services and the background task, with the fake OCR backend and the immediate task backend."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vanphong.core.audit import audit_verify
from vanphong.core.exceptions import ConflictError, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.ingest.models import FieldCorrection, Intake, IntakeSource, IntakeStatus
from vanphong.ingest.selectors import correction_stats
from vanphong.ingest.services import intake_create, intake_discard, intake_process, intake_retry
from vanphong.storage.services import blob_read

from .conftest import SAMPLES, expected_of, png_bytes, sample_docx, scanned_pdf, stored_files

pytestmark = pytest.mark.django_db


def _create(clerk, unit, data, filename="van-ban.pdf", **kw):
    return intake_create(actor=clerk, unit=unit, source=kw.pop("source", IntakeSource.UPLOAD), filename=filename,
                         data=data, **kw)  # fmt: skip


def test_born_digital_pdf_is_read_inline(
    storage, unit, clerk, sample_pdfs, django_capture_on_commit_callbacks
):
    """A PDF with a text layer is READY when intake_create returns: text, pages, proposal; no job is queued;
    the original bytes are stored unchanged and the creation is audited."""
    with django_capture_on_commit_callbacks() as callbacks:
        intake = _create(clerk, unit, sample_pdfs[0])
    assert callbacks == []
    assert intake.status == IntakeStatus.READY
    assert (intake.kind, intake.page_count, intake.needs_ocr, intake.ocr_used) == ("pdf", 1, False, False)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in intake.text
    assert intake.proposed == {**expected_of(0), "ocr_used": False}
    assert blob_read(intake.blob_id) == sample_pdfs[0]
    assert stored_files(storage) == [intake.blob_id]
    record = AuditRecord.objects.get(action="ingest.intake.create")
    assert record.after["status"] == IntakeStatus.READY and record.after["inline"] is True
    assert audit_verify().ok


def test_docx_upload_as_a_file_object(storage, unit, clerk):
    """Uploads arrive as file objects (Django's UploadedFile); DOCX is read inline too."""
    upload = SimpleUploadedFile(
        "cong-van.docx", sample_docx(SAMPLES[1]), content_type="application/octet-stream"
    )
    intake = _create(clerk, unit, upload, filename=upload.name)
    assert (intake.status, intake.kind, intake.page_count) == (IntakeStatus.READY, "docx", 1)
    assert intake.proposed["number_symbol"] == SAMPLES[1].number_symbol
    assert intake.blob.content_type.endswith("wordprocessingml.document")


def test_scan_goes_to_the_background_and_is_ocred(
    storage, unit, clerk, sample_pdfs, django_capture_on_commit_callbacks
):
    """A scan is QUEUED with the job enqueued after commit (its result id kept); the job OCRs it: READY, the OCR
    PDF stored separately from the original, proposal from the recognised text."""
    scan = scanned_pdf(sample_pdfs[0])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        intake = _create(clerk, unit, scan, filename="quet.pdf")
    assert intake.status == IntakeStatus.QUEUED and intake.needs_ocr and len(callbacks) == 1
    callbacks[0]()  # commit: the immediate backend runs the job now
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.READY and intake.task_result_id
    assert intake.ocr_used and intake.ocr_blob_id == intake.blob_id  # the fake returns its input as the "PDF"
    assert intake.text.startswith("TỈNH ỦY TÂY NINH")
    assert intake.proposed["number_symbol"] == "12-CV/TU" and intake.proposed["ocr_used"] is True
    assert AuditRecord.objects.filter(action="ingest.intake.process", object_id=str(intake.pk)).exists()


def test_image_is_wrapped_into_a_pdf_for_ocr(storage, unit, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        intake = _create(clerk, unit, png_bytes(), filename="anh-chup.png")
    intake.refresh_from_db()  # in a test the commit callbacks run when the block ends
    assert intake.status == IntakeStatus.READY and intake.kind == "image"
    assert intake.ocr_blob is not None and intake.ocr_blob_id != intake.blob_id
    assert blob_read(intake.ocr_blob_id).startswith(b"%PDF-")
    assert intake.ocr_blob.content_type == "application/pdf"


def test_ocr_failure_marks_failed_and_writes_nothing_else(
    settings, storage, unit, clerk, django_capture_on_commit_callbacks
):
    """The job fails cleanly: FAILED with the Vietnamese reason, no text, no proposal, no OCR blob; a retry after
    the cause is fixed reads it."""
    settings.VANPHONG_OCR_OPTIONS = {"fail": "Không nhận dạng được chữ (giả lập)."}
    with django_capture_on_commit_callbacks(execute=True):
        intake = _create(clerk, unit, png_bytes(), filename="mo.png")
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.FAILED
    assert intake.error == "Không nhận dạng được chữ (giả lập)."
    assert (intake.text, intake.proposed, intake.ocr_blob_id, intake.ocr_used) == ("", {}, None, False)
    assert AuditRecord.objects.filter(action="ingest.intake.fail").count() == 1

    settings.VANPHONG_OCR_OPTIONS = {}
    with django_capture_on_commit_callbacks(execute=True):
        retried = intake_retry(actor=clerk, intake=intake)
    retried.refresh_from_db()
    assert retried.status == IntakeStatus.READY and retried.error == "" and retried.ocr_used
    assert AuditRecord.objects.filter(action="ingest.intake.retry").count() == 1


def test_unexpected_error_in_the_job_is_a_clean_failure(monkeypatch, storage, unit, clerk,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("vanphong.ingest.services.read_document", boom)
    with django_capture_on_commit_callbacks(execute=True):
        intake = _create(clerk, unit, png_bytes(), filename="x.png")
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.FAILED and "Thử lại" in intake.error


def test_retry_refuses_anything_but_failed(storage, unit, clerk, sample_pdfs):
    intake = _create(clerk, unit, sample_pdfs[0])
    with pytest.raises(ConflictError, match="Chỉ thử lại được tệp đang lỗi"):
        intake_retry(actor=clerk, intake=intake)


def test_job_is_idempotent_and_discard_wins(
    storage, unit, clerk, sample_pdfs, django_capture_on_commit_callbacks
):
    """Running the job on an intake that is not queued changes nothing; a discarded intake is never read."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        intake = _create(clerk, unit, scanned_pdf(sample_pdfs[1]), filename="quet.pdf")
    discarded = intake_discard(actor=clerk, intake=intake, reason="Gửi nhầm")
    assert discarded.status == IntakeStatus.DISCARDED
    callbacks[0]()
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.DISCARDED and intake.text == ""
    assert intake_process(intake_id=intake.pk).status == IntakeStatus.DISCARDED
    assert intake_process(intake_id=999_999) is None
    record = AuditRecord.objects.get(action="ingest.intake.discard")
    assert record.after["reason"] == "Gửi nhầm" and record.before["status"] == IntakeStatus.QUEUED
    with pytest.raises(ConflictError, match="không hủy được"):
        intake_discard(actor=clerk, intake=intake)


def test_internal_delivery_keeps_the_senders_metadata(storage, unit, clerk, sample_pdfs):
    """Values that came with the file win; extraction only fills the keys that are missing or empty."""
    given = {"number_symbol": "99-CV/VPTU", "subject": "Trích yếu do nơi gửi nhập", "signer": ""}
    intake = _create(clerk, unit, sample_pdfs[2], source=IntakeSource.INTERNAL, proposed=given,
                     origin="registry.outgoingrecipient:7")  # fmt: skip
    p = intake.proposed
    assert p["number_symbol"] == "99-CV/VPTU" and p["subject"] == "Trích yếu do nơi gửi nhập"
    assert p["signer"] == expected_of(2)["signer"] and p["issuer"] == expected_of(2)["issuer"]
    assert intake.origin == "registry.outgoingrecipient:7" and intake.source == IntakeSource.INTERNAL


def test_background_only_setting(
    settings, storage, unit, clerk, sample_pdfs, django_capture_on_commit_callbacks
):
    """VANPHONG_INGEST_INLINE = False sends born-digital files to the job as well; the result is the same."""
    settings.VANPHONG_INGEST_INLINE = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        intake = _create(clerk, unit, sample_pdfs[3])
    intake.refresh_from_db()
    assert len(callbacks) == 1
    assert intake.status == IntakeStatus.READY and intake.proposed == {**expected_of(3), "ocr_used": False}


def test_same_bytes_twice_share_one_blob(storage, unit, clerk, sample_pdfs):
    first = _create(clerk, unit, sample_pdfs[4], filename="a.pdf")
    second = _create(clerk, unit, sample_pdfs[4], filename="b.pdf")
    assert first.pk != second.pk and first.blob_id == second.blob_id
    assert stored_files(storage) == [first.blob_id]


def test_unknown_source_is_refused(storage, unit, clerk, sample_pdfs):
    with pytest.raises(ValidationError, match="Nguồn tiếp nhận không hợp lệ"):
        _create(clerk, unit, sample_pdfs[0], source="email")
    assert Intake.objects.count() == 0


def test_filename_is_reduced_to_its_base_name(storage, unit, clerk, sample_pdfs):
    intake = _create(clerk, unit, sample_pdfs[0], filename="C:\\Users\\vt\\Desktop\\cong van.pdf")
    assert intake.filename == "cong van.pdf"


def test_correction_stats(storage, unit, clerk, sample_pdfs):
    """Per-field accuracy: share of registrations where the clerk kept the proposal; all eight fields listed."""
    a = _create(clerk, unit, sample_pdfs[0], filename="a.pdf")
    b = _create(clerk, unit, sample_pdfs[1], filename="b.pdf")
    FieldCorrection.objects.bulk_create(
        [
            FieldCorrection(
                intake=a, field="number_symbol", proposed="1-CV/TU", final="1-CV/TU", changed=False
            ),
            FieldCorrection(
                intake=b, field="number_symbol", proposed="2-CV/TU", final="3-CV/TU", changed=True
            ),
            FieldCorrection(intake=a, field="signer", proposed="A", final="A", changed=False),
        ]
    )
    stats = {s.field: s for s in correction_stats()}
    assert list(stats)[:8] == ["number_symbol", "issued_date", "issuer", "doc_type", "subject", "signer", "urgency",
                               "secrecy"]  # fmt: skip
    assert (stats["number_symbol"].total, stats["number_symbol"].correct) == (2, 1)
    assert stats["number_symbol"].accuracy == 0.5 and stats["signer"].accuracy == 1.0
    assert stats["issuer"].total == 0 and stats["issuer"].accuracy is None
    assert {s.field: s.total for s in correction_stats(unit)}["number_symbol"] == 2
    other = type(unit).objects.exclude(pk=unit.pk).first()
    assert {s.field: s.total for s in correction_stats(other)}["number_symbol"] == 0
