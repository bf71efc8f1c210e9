"""Core models: the hash-chained, append-only audit trail."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit records are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("Audit records are append-only")


class AuditRecord(models.Model):
    """One event. ``hash = sha256(prev_hash + canonical(fields))``; ``seq`` has no gaps."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor_id = models.BigIntegerField(_("người thực hiện"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=200, blank=True)
    unit_id = models.BigIntegerField(_("đơn vị"), null=True, blank=True, db_index=True)
    unit_label = models.CharField(max_length=300, blank=True)
    action = models.CharField(_("hành động"), max_length=80, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=80, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("bản ghi nhật ký")
        verbose_name_plural = _("nhật ký hệ thống")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit records are append-only")


class AuditChainHead(models.Model):
    """Singleton row: the last sequence number and hash. Locked while appending, so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head {self.last_seq}"


class Notification(models.Model):
    """An in-app notice to one person ("Bạn được giao chủ trì văn bản đến số 15"). Written by ``notify``."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("loại"), max_length=60, db_index=True)
    text = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    urgent = models.BooleanField(_("khẩn"), default=False)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("đã gửi thư tổng hợp lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [models.Index(fields=["user", "read_at"], name="core_notif_user_read")]

    def __str__(self) -> str:
        return self.text
