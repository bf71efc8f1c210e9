"""Saved searches (per user). The PostgreSQL backend's index table lives here too (``SearchEntry``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedSearch(models.Model):
    """A search a user named to run again: the query string of the results page (text, filters, sort)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField("tên", max_length=120)
    query_string = models.CharField("điều kiện tìm", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="search_saved_unique_name")]
        verbose_name = "tìm kiếm đã lưu"

    def __str__(self) -> str:
        return self.name


class SearchEntry(models.Model):
    """One indexed record of the PostgreSQL search backend (``backends.postgres``), keyed by ``SearchRecord.key``.

    The portable columns below exist on every database (the app is installed everywhere); on PostgreSQL
    migration 0002 adds what only PostgreSQL has: ``acl text[]``, ``facets text[]``, the ``head`` and ``tsv``
    tsvectors and their GIN indexes. The backend reads and writes this table with raw SQL only.
    """

    key = models.CharField(max_length=255)  # "<kind>:<id>", unique (a constraint: no extra LIKE index)
    kind = models.CharField(max_length=40)
    doc_type = models.TextField(blank=True, default="")
    issuer = models.TextField(blank=True, default="")
    unit_id = models.BigIntegerField(default=0)
    year = models.IntegerField(default=0)  # 0 = no date
    doc_date = models.DateField(null=True, blank=True)
    secrecy_rank = models.SmallIntegerField(default=0)
    secrecy_label = models.TextField(blank=True, default="")
    status = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict)  # base.record_to_json: rebuilds a hit
    body = models.TextField(blank=True, default="")  # the full text (NFC), for snippets
    fingerprint = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="search_entry_unique_key")]
        verbose_name = "mục chỉ mục tìm kiếm"

    def __str__(self) -> str:
        return self.key
