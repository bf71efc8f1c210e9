"""Reads about stored blobs (no user data: figures for administrators' commands)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from .models import Blob


@dataclass(frozen=True)
class KeyUsage:
    """How many blobs are stored plaintext and encrypted, and how many encrypted blobs each master key wraps."""

    total: int
    encrypted: int
    by_key_id: dict[str, int]


def key_usage() -> KeyUsage:
    counts = Blob.objects.filter(encrypted=True).values("key_id").annotate(n=Count("pk")).order_by("key_id")
    by_key = {row["key_id"]: row["n"] for row in counts}
    return KeyUsage(total=Blob.objects.count(), encrypted=sum(by_key.values()), by_key_id=by_key)
