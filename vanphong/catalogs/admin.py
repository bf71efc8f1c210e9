"""Read-only admin views: catalogue edits go through the audited pages (``catalogs:edit``), not the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    AuthorityRule,
    CalendarException,
    DocumentType,
    HolidayRule,
    IssuerSymbol,
    NumberBook,
    NumberSequence,
    RetentionPeriod,
    ReviewStep,
    SecrecyLevel,
    Term,
    Urgency,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for model in (
    AuthorityRule,
    CalendarException,
    DocumentType,
    HolidayRule,
    IssuerSymbol,
    NumberBook,
    NumberSequence,
    RetentionPeriod,
    ReviewStep,
    SecrecyLevel,
    Term,
    Urgency,
):
    admin.site.register(model, ReadOnlyAdmin)
