"""Phân phối, giải quyết văn bản đến (NĐ 30/2020 Điều 22–24; Phụ lục IV mục VII).

- ``Instruction``: one written opinion on a document — the office's ý kiến đề xuất (``proposal``, may carry
  proposed lines for the leader to accept) or the leader's bút phê (``instruction``).
- ``Assignment``: one recipient of a bút phê — a unit or a person as chủ trì, phối hợp or để biết, with its own
  deadline. A unit leader hands the unit's assignment to a person by a child assignment (``parent``).
- ``ProgressNote``: what the handler reports while working on it.
- ``DigestDelivery``: one daily e-mail digest sent to one person (the digest is idempotent per day).

The register columns of the document (recipients, ngày chuyển, thời hạn, tiến độ, kết quả) are written through
``registry.services.incoming.incoming_handling_update`` by the routing services, never here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanphong.registry.models import ResultKind


class InstructionKind(models.TextChoices):
    PROPOSAL = "proposal", _("Ý kiến đề xuất")
    INSTRUCTION = "instruction", _("Ý kiến chỉ đạo (bút phê)")


class Instruction(models.Model):
    document = models.ForeignKey(
        "registry.IncomingDocument", on_delete=models.PROTECT, related_name="instructions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cho ý kiến"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("loại ý kiến"), max_length=12, choices=InstructionKind.choices)
    text = models.TextField(_("nội dung ý kiến"), blank=True)
    # Proposed lines of a proposal ({kind, unit_id, user_id, deadline, days, note}), so the leader can accept them.
    lines = models.JSONField(_("phân phối đề xuất"), default=list, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ý kiến phân phối")
        verbose_name_plural = _("ý kiến phân phối")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — văn bản đến {self.document_id}"


class AssignmentKind(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    SUPPORT = "support", _("Phối hợp")
    INFO = "info", _("Để biết")


class AssignmentStatus(models.TextChoices):
    NEW = "new", _("Mới giao")
    READ = "read", _("Đã xem")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    DONE = "done", _("Đã hoàn thành")
    RETURNED = "returned", _("Đã trả lại")
    REDIRECTED = "redirected", _("Đã chuyển nơi khác")
    CANCELLED = "cancelled", _("Đã hủy")


ACTIVE_STATUSES = (AssignmentStatus.NEW, AssignmentStatus.READ, AssignmentStatus.IN_PROGRESS)
# A lead assignment in one of these statuses counts as "the" chủ trì of its document.
LEAD_HOLDING_STATUSES = (*ACTIVE_STATUSES, AssignmentStatus.DONE)


class Assignment(models.Model):
    """One recipient of a bút phê (unit, or a person of a unit) with its own deadline and state."""

    document = models.ForeignKey(
        "registry.IncomingDocument", on_delete=models.PROTECT, related_name="assignments"
    )
    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(_("vai trò"), max_length=10, choices=AssignmentKind.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cá nhân"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="routing_assignments",
    )  # fmt: skip
    parent = models.ForeignKey(
        "self", verbose_name=_("giao từ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip
    deadline = models.DateField(_("thời hạn giải quyết"), null=True, blank=True, db_index=True)
    note = models.CharField(_("ý kiến giao việc"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.NEW,
        db_index=True,
    )  # fmt: skip
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người giao"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("giao lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã xem lúc"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người xem"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người báo hoàn thành"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    result_kind = models.CharField(_("kết quả"), max_length=10, choices=ResultKind.choices, blank=True)
    result_note = models.TextField(_("ghi nhận kết quả"), blank=True)
    reply = models.ForeignKey(
        "registry.OutgoingDocument", verbose_name=_("văn bản trả lời"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    reason = models.CharField(_("lý do trả lại, chuyển"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        verbose_name = _("phân công giải quyết")
        verbose_name_plural = _("phân công giải quyết")
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(
                    kind="lead", parent__isnull=True, status__in=["new", "read", "in_progress", "done"]
                ),
                name="routing_one_lead_per_document",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="routing_asg_user_status"),
            models.Index(fields=["unit", "status"], name="routing_asg_unit_status"),
        ]

    def __str__(self) -> str:
        who = self.user or self.unit
        return f"{self.get_kind_display()}: {who} — văn bản đến {self.document_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def target_label(self) -> str:
        if self.user_id:
            return f"{self.user} ({self.unit})"
        return str(self.unit)


class ProgressNote(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("nội dung"))
    percent = models.PositiveSmallIntegerField(_("phần trăm hoàn thành"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("tiến độ giải quyết")
        verbose_name_plural = _("tiến độ giải quyết")

    def __str__(self) -> str:
        return self.text[:80]


class DigestDelivery(models.Model):
    """The daily digest e-mail of one person for one day; its existence makes ``digest_send`` idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("ngày"))
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    notification_count = models.PositiveIntegerField(default=0)
    assignment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("thư tổng hợp")
        verbose_name_plural = _("thư tổng hợp")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="routing_digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
