"""Progress reported by running tasks; the task results themselves live in ``django_tasks_db.DBTaskResult``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobProgress(models.Model):
    """How far a task has got. Written by the task (``job_progress_update``), read by the job list."""

    task_result_id = models.CharField(_("mã tác vụ"), max_length=64, unique=True)
    label = models.CharField(_("tên tác vụ"), max_length=200, blank=True)
    done = models.PositiveBigIntegerField(_("đã xử lý"), default=0)
    total = models.PositiveBigIntegerField(_("tổng số"), null=True, blank=True)
    message = models.CharField(_("thông báo"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tiến độ tác vụ")
        verbose_name_plural = _("tiến độ tác vụ")

    def __str__(self) -> str:
        return f"{self.label or self.task_result_id}: {self.done}/{self.total or '?'}"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))
