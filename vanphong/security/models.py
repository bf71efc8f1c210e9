"""Security alerts (bulk access, …) and incidents (ứng phó sự cố) with their four stages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    LOW = "low", _("Thấp")
    MEDIUM = "medium", _("Trung bình")
    HIGH = "high", _("Cao")


class AlertKind(models.TextChoices):
    BULK_ACCESS = "bulk_access", _("Truy cập hàng loạt")
    LOCKOUT = "lockout", _("Khóa tài khoản")
    OTHER = "other", _("Khác")


class SecurityAlert(models.Model):
    """Something the security officer should look at. Raised by services, acknowledged on the desk."""

    kind = models.CharField(_("loại"), max_length=20, choices=AlertKind.choices, db_index=True)
    severity = models.CharField(_("mức độ"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng liên quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="security_alerts",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    detail = models.TextField(_("nội dung"))
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("đã xác nhận lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cảnh báo an ninh")
        verbose_name_plural = _("cảnh báo an ninh")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail[:80]}"


class IncidentStage(models.TextChoices):
    DETECTED = "detected", _("Phát hiện")
    CONTAINED = "contained", _("Ngăn chặn")
    RESOLVED = "resolved", _("Xử lý")
    LESSONS = "lessons", _("Rút kinh nghiệm")


STAGE_ORDER: list[str] = [s.value for s in IncidentStage]


class Incident(models.Model):
    """Ứng phó sự cố: phát hiện → ngăn chặn → xử lý → rút kinh nghiệm. Each step keeps its note, time and person."""

    title = models.CharField(_("tên sự cố"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    severity = models.CharField(_("mức độ"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.CharField(
        _("bước"), max_length=12, choices=IncidentStage.choices, default=IncidentStage.DETECTED, db_index=True
    )
    detected_at = models.DateTimeField(_("phát hiện lúc"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người báo"), on_delete=models.PROTECT, related_name="+"
    )
    containment_notes = models.TextField(_("biện pháp ngăn chặn"), blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    contained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_notes = models.TextField(_("kết quả xử lý"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lessons_notes = models.TextField(_("bài học kinh nghiệm"), blank=True)
    lessons_at = models.DateTimeField(null=True, blank=True)
    lessons_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    alerts = models.ManyToManyField(SecurityAlert, verbose_name=_("cảnh báo liên quan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("sự cố an ninh")
        verbose_name_plural = _("sự cố an ninh")

    def __str__(self) -> str:
        return self.title

    @property
    def next_stage(self) -> str | None:
        i = STAGE_ORDER.index(self.stage)
        return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None

    @property
    def closed(self) -> bool:
        return self.stage == IncidentStage.LESSONS
