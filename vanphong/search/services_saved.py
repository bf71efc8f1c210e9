"""Writes of saved searches (a user's named searches to run again). Personal settings, not office records:
no audit entry, but the same habits as every service — keyword-only, validated here, Vietnamese errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction

from vanphong.core.exceptions import NotFound, ValidationError

from .models import SavedSearch

# The parameters of the results page a saved search keeps (never ``page``: a saved search starts at page 1).
QUERY_PARAMS = (
    "q", "kind", "doc_type", "issuer", "unit", "year", "secrecy", "status", "date_from", "date_to", "sort",
)  # fmt: skip
MAX_PER_USER = 100
NAME_MAX = SavedSearch._meta.get_field("name").max_length or 120
QUERY_MAX = SavedSearch._meta.get_field("query_string").max_length or 2000


def clean_query_string(query_string: str) -> str:
    """Only the known parameters, non-empty, in the order given: ``q=a&page=3&x=1`` → ``q=a``."""
    pairs = [
        (k, v.strip()) for k, v in parse_qsl(query_string.lstrip("?")) if k in QUERY_PARAMS and v.strip()
    ]
    return urlencode(pairs)


def saved_search_create(*, user: Any, name: str, query_string: str) -> SavedSearch:
    """Save the current search under ``name`` (unique per user)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Cần đặt tên cho tìm kiếm cần lưu.")
    if len(name) > NAME_MAX:
        raise ValidationError(f"Tên tìm kiếm dài quá {NAME_MAX} ký tự.")
    cleaned = clean_query_string(query_string or "")
    if not cleaned:
        raise ValidationError("Chưa có từ khóa hay bộ lọc nào để lưu.")
    if len(cleaned) > QUERY_MAX:
        raise ValidationError("Điều kiện tìm quá dài để lưu; bỏ bớt bộ lọc rồi lưu lại.")
    mine = SavedSearch.objects.filter(user=user)
    if mine.filter(name__iexact=name).exists():
        raise ValidationError(f"Bạn đã có tìm kiếm đã lưu tên “{name}”; hãy chọn tên khác.", code="duplicate")
    if mine.count() >= MAX_PER_USER:
        raise ValidationError(f"Bạn đã lưu {MAX_PER_USER} tìm kiếm; hãy xóa bớt trước khi lưu thêm.")
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(user=user, name=name, query_string=cleaned)
    except IntegrityError as exc:  # the same name saved at the same moment from another tab
        raise ValidationError(
            f"Bạn đã có tìm kiếm đã lưu tên “{name}”; hãy chọn tên khác.", code="duplicate"
        ) from exc


def saved_search_delete(*, user: Any, pk: int) -> None:
    """Delete one of the user's own saved searches; another user's is "not found"."""
    deleted, _ = SavedSearch.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise NotFound("Không tìm thấy tìm kiếm đã lưu này.")
