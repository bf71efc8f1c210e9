"""An intake is one received file on its way to the register: checked, stored, read (OCR when scanned),
metadata proposed, waiting for the clerk to confirm. Registration (``registry``) turns it into a document.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IntakeSource(models.TextChoices):
    UPLOAD = "upload", _("Tải lên")
    SCANNER = "scanner", _("Thư mục máy quét")
    INTERNAL = "internal", _("Chuyển nội bộ")
    EXCHANGE = "exchange", _("Trục liên thông")


class IntakeStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ xử lý")
    PROCESSING = "processing", _("Đang đọc, nhận dạng")
    READY = "ready", _("Chờ văn thư xác nhận")
    FAILED = "failed", _("Lỗi xử lý")
    REGISTERED = "registered", _("Đã vào sổ")
    DISCARDED = "discarded", _("Đã hủy")


class Intake(models.Model):
    """One received file. The original bytes are kept as they arrived (``blob``); the OCR copy is separate."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị nhận"), on_delete=models.PROTECT, related_name="intakes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=IntakeSource.choices)
    filename = models.CharField(_("tên tệp"), max_length=255)
    kind = models.CharField(_("loại tệp"), max_length=10)  # pdf, docx, image
    blob = models.ForeignKey(
        "storage.Blob", verbose_name=_("tệp gốc"), on_delete=models.PROTECT, related_name="+"
    )
    ocr_blob = models.ForeignKey(
        "storage.Blob",
        verbose_name=_("bản PDF có lớp chữ (OCR)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=IntakeStatus.choices, default=IntakeStatus.QUEUED
    )
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    needs_ocr = models.BooleanField(_("cần nhận dạng chữ"), default=False)
    ocr_used = models.BooleanField(_("đã nhận dạng chữ (OCR)"), default=False)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    text = models.TextField(_("nội dung chữ"), blank=True)
    proposed = models.JSONField(_("thông tin đề xuất"), default=dict, blank=True)
    origin = models.CharField(
        _("nguồn gốc trong hệ thống"), max_length=100, blank=True,
        help_text=_("Ví dụ “registry.outgoingrecipient:12” khi văn bản được chuyển nội bộ."),
    )  # fmt: skip
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("thời điểm nhận"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tệp tiếp nhận")
        verbose_name_plural = _("tệp tiếp nhận")
        indexes = [models.Index(fields=["unit", "status"], name="ingest_intake_unit_status")]

    def __str__(self) -> str:
        return self.filename


class FieldCorrection(models.Model):
    """What the extractor proposed for one field and what the clerk registered: the accuracy record."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("trường"), max_length=40)
    proposed = models.TextField(_("đề xuất"), blank=True)
    final = models.TextField(_("giá trị vào sổ"), blank=True)
    changed = models.BooleanField(_("văn thư đã sửa"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hiệu chỉnh thông tin")
        verbose_name_plural = _("hiệu chỉnh thông tin")
        constraints = [models.UniqueConstraint(fields=["intake", "field"], name="ingest_correction_unique")]

    def __str__(self) -> str:
        return f"{self.field}: {self.proposed!r} → {self.final!r}"
