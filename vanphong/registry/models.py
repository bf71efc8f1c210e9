"""Văn bản đến and văn bản đi (NĐ 30/2020 Điều 14–24; Phụ lục IV and VI), the arrival-number sequence,
outgoing recipients, review steps and number reservations.

The handling columns of the registers (who received it, when it was passed on, the deadline, progress, the
reply) are kept on ``IncomingDocument`` and written only by ``registry.services.incoming_handling_update``,
which the routing app calls; the registers therefore read one table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Medium(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Văn bản điện tử")
    INTERNAL = "internal", _("Nội bộ (trong hệ thống)")


class IncomingStatus(models.TextChoices):
    REGISTERED = "registered", _("Đã vào sổ, chờ trình")
    PROPOSED = "proposed", _("Chờ lãnh đạo cho ý kiến")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    DONE = "done", _("Đã giải quyết")
    RETURNED = "returned", _("Đã trả lại nơi gửi")
    RECALLED = "recalled", _("Bị thu hồi")


class ResultKind(models.TextChoices):
    REPLY = "reply", _("Trả lời bằng văn bản")
    NOTE = "note", _("Ghi nhận kết quả")
    FILED = "filed", _("Lưu hồ sơ, để biết")


class IncomingDocument(models.Model):
    """One registered incoming document. ``(unit, arrival_year, arrival_number)`` is unique: số đến runs from
    1 each calendar year in receipt order, one sequence for paper and electronic (NĐ 30 Điều 22)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị nhận"), on_delete=models.PROTECT, related_name="incoming_documents"
    )
    arrival_year = models.PositiveSmallIntegerField(_("năm"))
    arrival_number = models.PositiveIntegerField(_("số đến"))
    arrived_at = models.DateTimeField(_("ngày đến"), db_index=True)
    medium = models.CharField(_("hình thức"), max_length=20, choices=Medium.choices)
    # The document itself (Phụ lục VI Phần II)
    number = models.CharField(_("số"), max_length=20, blank=True)
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=60, blank=True, db_index=True)
    issued_date = models.DateField(_("ngày tháng văn bản"), null=True, blank=True)
    issuer_name = models.CharField(_("cơ quan ban hành (tác giả)"), max_length=300)
    issuer_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị ban hành trong hệ thống"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_type = models.ForeignKey(
        "catalogs.DocumentType",
        verbose_name=_("thể loại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.TextField(_("trích yếu"))
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    urgency = models.ForeignKey(
        "catalogs.Urgency", verbose_name=_("độ khẩn"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    secrecy = models.ForeignKey(
        "catalogs.SecrecyLevel", verbose_name=_("độ mật"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    secrecy_rank = models.PositiveSmallIntegerField(_("cấp độ mật"), default=0, db_index=True)
    is_urgent = models.BooleanField(_("khẩn"), default=False, db_index=True)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    notes = models.CharField(_("ghi chú"), max_length=500, blank=True)
    # Files and text
    intake = models.ForeignKey(
        "ingest.Intake", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    blob = models.ForeignKey(
        "storage.Blob", verbose_name=_("tệp văn bản"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    filename = models.CharField(_("tên tệp"), max_length=255, blank=True)
    text = models.TextField(_("nội dung chữ"), blank=True)
    ocr_used = models.BooleanField(_("đã nhận dạng chữ"), default=False)
    # Where it came from inside the system (internal delivery)
    source_recipient = models.OneToOneField(
        "registry.OutgoingRecipient", null=True, blank=True, on_delete=models.PROTECT,
        related_name="incoming_document",
    )  # fmt: skip
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("trùng với"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Handling (written by incoming_handling_update)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=IncomingStatus.choices, default=IncomingStatus.REGISTERED,
        db_index=True,
    )  # fmt: skip
    recipients_label = models.CharField(_("đơn vị hoặc người nhận"), max_length=500, blank=True)
    forwarded_at = models.DateTimeField(_("ngày chuyển"), null=True, blank=True)
    due_date = models.DateField(_("thời hạn giải quyết"), null=True, blank=True, db_index=True)
    progress_label = models.CharField(_("tiến độ giải quyết"), max_length=500, blank=True)
    result_kind = models.CharField(_("kết quả"), max_length=10, choices=ResultKind.choices, blank=True)
    result_note = models.TextField(_("ghi nhận kết quả"), blank=True)
    reply = models.ForeignKey(
        "registry.OutgoingDocument", verbose_name=_("văn bản trả lời"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    closed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người vào sổ"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-arrival_year", "-arrival_number"]
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("văn bản đến")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "arrival_year", "arrival_number"], name="registry_incoming_arrival_unique"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="registry_in_unit_status"),
            models.Index(fields=["unit", "arrived_at"], name="registry_in_unit_arrived"),
        ]

    def __str__(self) -> str:
        return f"Văn bản đến số {self.arrival_number}/{self.arrival_year}: {self.number_symbol or self.subject[:60]}"


class ArrivalSequence(models.Model):
    """The last số đến given by one receiving unit in one calendar year; the row is locked while numbering."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="registry_arrival_seq_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_number}"


class OutgoingStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    IN_REVIEW = "in_review", _("Đang thẩm định, duyệt")
    RETURNED = "returned", _("Trả lại để sửa")
    APPROVED = "approved", _("Đã duyệt, chờ ký")
    SIGNED = "signed", _("Đã ký, chờ phát hành")
    ISSUED = "issued", _("Đã phát hành")
    RECALLED = "recalled", _("Đã thu hồi")
    CANCELLED = "cancelled", _("Đã hủy")


class OutgoingDocument(models.Model):
    """One văn bản đi from draft to issue. Number and date are given when it is issued (or from a reservation)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT,
        related_name="outgoing_documents",
    )  # fmt: skip
    document_type = models.ForeignKey(
        "catalogs.DocumentType", verbose_name=_("thể loại"), on_delete=models.PROTECT, related_name="+"
    )
    number_book = models.ForeignKey(
        "catalogs.NumberBook", verbose_name=_("sổ văn bản"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=60, blank=True, db_index=True)
    issued_date = models.DateField(_("ngày tháng văn bản"), null=True, blank=True, db_index=True)
    subject = models.TextField(_("trích yếu"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ký"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("quyền hạn, chức vụ người ký"), max_length=200, blank=True)
    urgency = models.ForeignKey(
        "catalogs.Urgency", verbose_name=_("độ khẩn"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    secrecy = models.ForeignKey(
        "catalogs.SecrecyLevel", verbose_name=_("độ mật"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    secrecy_rank = models.PositiveSmallIntegerField(_("cấp độ mật"), default=0, db_index=True)
    copies = models.PositiveSmallIntegerField(_("số lượng bản"), default=1)
    file_copy_holder = models.CharField(_("đơn vị, người nhận bản lưu"), max_length=200, blank=True)
    reply_due_date = models.DateField(_("hạn trả lời"), null=True, blank=True)
    notes = models.CharField(_("ghi chú"), max_length=500, blank=True)
    in_reply_to = models.ForeignKey(
        IncomingDocument, verbose_name=_("trả lời văn bản đến"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="replies",
    )  # fmt: skip
    draft_blob = models.ForeignKey(
        "storage.Blob", verbose_name=_("tệp dự thảo"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    draft_filename = models.CharField(max_length=255, blank=True)
    signed_blob = models.ForeignKey(
        "storage.Blob", verbose_name=_("tệp đã ký"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    signed_filename = models.CharField(max_length=255, blank=True)
    text = models.TextField(_("nội dung chữ"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=OutgoingStatus.choices, default=OutgoingStatus.DRAFT,
        db_index=True,
    )  # fmt: skip
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người soạn thảo"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("văn thư phát hành"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    issued_at = models.DateTimeField(_("phát hành lúc"), null=True, blank=True)
    recalled_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    recall_reason = models.CharField(_("lý do thu hồi"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("văn bản đi")
        verbose_name_plural = _("văn bản đi")
        indexes = [models.Index(fields=["unit", "status"], name="registry_out_unit_status")]

    def __str__(self) -> str:
        return f"Văn bản đi {self.number_symbol or '(chưa cấp số)'}: {self.subject[:60]}"


class OutgoingRecipient(models.Model):
    """Nơi nhận. An internal unit receives the document straight into its incoming queue (``delivered_at``);
    an external organisation is identified by its mã định danh (``organ_id``)."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị trong hệ thống"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    organ_id = models.CharField(_("mã định danh"), max_length=13, blank=True)
    name = models.CharField(_("tên nơi nhận"), max_length=300)
    delivered_at = models.DateTimeField(_("đã chuyển lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("nơi nhận đã vào sổ lúc"), null=True, blank=True)
    recalled_at = models.DateTimeField(_("đã báo thu hồi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("nơi nhận")
        verbose_name_plural = _("nơi nhận")

    def __str__(self) -> str:
        return self.name


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Chờ ý kiến")
    APPROVED = "approved", _("Đồng ý")
    REJECTED = "rejected", _("Trả lại")
    SKIPPED = "skipped", _("Bỏ qua")


class OutgoingReview(models.Model):
    """One review or approval step of one draft, copied from the document type's flow when review starts."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("lượt trình"), default=1)
    order = models.PositiveSmallIntegerField(_("bước"))
    name = models.CharField(_("tên bước"), max_length=120)
    role = models.CharField(_("vai trò duyệt"), max_length=30)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người cho ý kiến"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decision = models.CharField(
        _("ý kiến"), max_length=10, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    comment = models.TextField(_("nhận xét"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "round", "order"]
        verbose_name = _("bước thẩm định, duyệt")
        verbose_name_plural = _("bước thẩm định, duyệt")

    def __str__(self) -> str:
        return f"{self.name}: {self.get_decision_display()}"


class ReservationStatus(models.TextChoices):
    RESERVED = "reserved", _("Đang giữ")
    USED = "used", _("Đã dùng")
    CANCELLED = "cancelled", _("Đã hủy")


class NumberReservation(models.Model):
    """A number taken from a book before the document is issued (lấy số trước), used later or cancelled."""

    book = models.ForeignKey("catalogs.NumberBook", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("số"))
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=60)
    for_date = models.DateField(_("ngày dự kiến ban hành"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.RESERVED
    )
    reason = models.CharField(_("lý do giữ số"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)
    document = models.OneToOneField(
        OutgoingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="reservation"
    )
    reserved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("số giữ trước")
        verbose_name_plural = _("số giữ trước")

    def __str__(self) -> str:
        return self.number_symbol


class IncomingGrant(models.Model):
    """Need-to-know: a unit (its leaders and clerks) or a person may read this incoming document because it was
    routed to them. Written by ``incoming_grant`` (the routing app), never removed, so history stays readable."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="grants")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(user__isnull=False),
                name="registry_grant_unit_or_user",
            ),
            models.UniqueConstraint(fields=["document", "unit", "user"], name="registry_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.unit_id or ''}{self.user_id or ''}"
