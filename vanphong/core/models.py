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
