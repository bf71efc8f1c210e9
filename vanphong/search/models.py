"""Saved searches (per user). The PostgreSQL backend's index table lives here too (``SearchEntry``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedSearch(models.Model):
    """A search a user named to run again: the query string of the results page (text, filters, sort)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField("tên", max_length=120)
    query_string = models.CharField("điều kiện tìm", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="search_saved_unique_name")]
        verbose_name = "tìm kiếm đã lưu"

    def __str__(self) -> str:
        return self.name
