"""An upload cut off by ``vanphong.core.security.SizeCapUploadHandler`` (above ``VANPHONG_UPLOAD_MAX_BYTES``) is
refused by the intake in Vietnamese before anything is stored; the content, not the browser's content type,
decides the kind."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from vanphong.core.exceptions import ValidationError
from vanphong.core.security import OversizeUploadedFile
from vanphong.ingest.models import IntakeSource
from vanphong.ingest.services import intake_create

from .conftest import stored_files


@pytest.mark.django_db
def test_oversize_upload_is_refused_and_nothing_is_stored(settings, storage, unit, clerk, counts):
    settings.VANPHONG_UPLOAD_MAX_BYTES = 20_000
    settings.VANPHONG_INGEST_MAX_BYTES = 20_000
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.7\n" + b"0" * 100_000, content_type="application/pdf")
    upload = RequestFactory().post("/van-ban/tiep-nhan/", {"uploads": big}).FILES["uploads"]
    assert isinstance(upload, OversizeUploadedFile)
    before = counts()
    with pytest.raises(ValidationError, match="vượt giới hạn") as exc:
        intake_create(actor=clerk, unit=unit, source=IntakeSource.UPLOAD, filename=upload.name, data=upload)
    assert exc.value.code == "too_large" and "lon.pdf" in exc.value.message
    assert counts() == before and stored_files(storage) == []


@pytest.mark.django_db
def test_the_browsers_content_type_is_ignored(storage, unit, clerk, counts):
    before = counts()
    with pytest.raises(ValidationError, match="trang HTML"):
        intake_create(
            actor=clerk, unit=unit, source=IntakeSource.UPLOAD, filename="gia.pdf",
            data=b"<!doctype html><script>alert(1)</script>", content_type="application/pdf",
        )  # fmt: skip
    assert counts() == before and stored_files(storage) == []
