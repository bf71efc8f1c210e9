from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Blob


@admin.register(Blob)
class BlobAdmin(admin.ModelAdmin):
    """Read-only: blobs are written by ``storage.services`` only."""

    list_display = ["sha256", "size", "content_type", "created_at", "encrypted", "key_id"]
    search_fields = ["sha256"]
    exclude = ["wrapped_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Blob | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Blob | None = None) -> bool:
        return False
