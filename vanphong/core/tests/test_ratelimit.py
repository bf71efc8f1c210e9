"""The cache-based limiter: counting, looking without counting, windows, reset and the 429 answer."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from vanphong.core import ratelimit


@pytest.fixture(autouse=True)
def clean_cache(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000.0)  # a multiple of 60 and of 300
    yield
    cache.clear()


def test_hit_allows_up_to_the_limit_then_refuses():
    results = [ratelimit.hit("k", limit=3, window_seconds=60) for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert [r.count for r in results] == [1, 2, 3, 4]
    assert results[1].remaining == 1 and results[3].remaining == 0
    assert results[3].retry_after == 60


def test_peek_does_not_count_and_refuses_once_the_limit_is_used():
    assert ratelimit.peek("k", 2, 60).allowed and ratelimit.peek("k", 2, 60).count == 0
    ratelimit.hit("k", 2, 60)
    assert ratelimit.peek("k", 2, 60).allowed
    ratelimit.hit("k", 2, 60)
    assert not ratelimit.peek("k", 2, 60).allowed


def test_keys_are_independent_and_any_text_is_a_valid_key():
    for _ in range(3):
        ratelimit.hit("login:user:nguyễn văn a b c", 2, 60)
    assert not ratelimit.peek("login:user:nguyễn văn a b c", 2, 60).allowed
    assert ratelimit.peek("login:user:someone-else", 2, 60).allowed
    assert ratelimit.hit("x" * 1000, 2, 60).allowed  # hashed: long keys are fine for memcached too


def test_a_new_window_starts_from_zero(monkeypatch):
    for _ in range(3):
        ratelimit.hit("k", 2, 60)
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000.0 + 45)
    assert ratelimit.peek("k", 2, 60).retry_after == 15
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000.0 + 60)
    assert ratelimit.hit("k", 2, 60).count == 1


def test_reset_forgets_the_key():
    for _ in range(3):
        ratelimit.hit("k", 2, 60)
    ratelimit.reset("k", 60)
    assert ratelimit.peek("k", 2, 60).count == 0


def test_window_must_be_positive():
    with pytest.raises(ValueError):
        ratelimit.hit("k", 1, 0)


def test_wait_text_is_vietnamese():
    assert ratelimit.wait_text(40) == "40 giây"
    assert ratelimit.wait_text(61) == "2 phút"


@pytest.mark.django_db
def test_too_many_requests_page_and_api_shape():
    result = ratelimit.RateResult(allowed=False, count=11, limit=10, retry_after=120)
    page = RequestFactory().get("/van-ban/")
    from django.contrib.auth.models import AnonymousUser

    page.user = AnonymousUser()
    r = ratelimit.too_many_requests(page, result)
    assert r.status_code == 429 and r["Retry-After"] == "120"
    assert "thử lại sau 2 phút" in r.content.decode()
    api = RequestFactory().get("/api/search/")
    r = ratelimit.too_many_requests(api, result, message="Quá nhiều yêu cầu API.")
    assert r.status_code == 429 and r["Retry-After"] == "120"
    assert json.loads(r.content) == {"code": "rate_limited", "message": "Quá nhiều yêu cầu API."}
