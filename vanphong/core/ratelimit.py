"""A small fixed-window rate limiter on the Django cache, for anything that must not be tried too often.

Use it like this (the login view and the API do)::

    from vanphong.core import ratelimit

    result = ratelimit.hit(f"api:token:{token_id}", limit=600, window_seconds=60)
    if not result.allowed:
        return ratelimit.too_many_requests(request, result)   # 429, Retry-After, Vietnamese message

``hit`` counts one event and says whether it is still within ``limit`` events per ``window_seconds``; ``peek`` only
looks (for "count failures only": peek before the attempt, ``hit`` after a failure); ``reset`` forgets a key.

Keys are free text (they may hold a user name or an address): they are hashed before they reach the cache, so any
backend accepts them. Windows are fixed and aligned on multiples of ``window_seconds`` since the epoch — simple and
atomic (``cache.add`` + ``cache.incr``), at the price of allowing up to twice the limit across a window boundary.

The cache is ``settings.VANPHONG_RATELIMIT_CACHE`` (default ``"default"``). Django's default cache is in-process
memory, which counts per worker process; a deployment with several workers should point this at a shared cache
(database, Redis or Memcached) so that a limit holds across them.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse

PREFIX = "vp:rl:"


@dataclass(frozen=True)
class RateResult:
    """The outcome of counting (or looking at) one key.

    ``count`` is the number of events in the current window including this one (for ``hit``); ``retry_after`` the
    whole seconds until the window ends (what to send in ``Retry-After``).
    """

    allowed: bool
    count: int
    limit: int
    retry_after: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def _now() -> float:
    return time.time()


def _cache() -> BaseCache:
    return caches[getattr(settings, "VANPHONG_RATELIMIT_CACHE", "default")]


def _window(key: str, window_seconds: int) -> tuple[str, int]:
    if window_seconds <= 0:
        raise ValueError("window_seconds must be positive")
    now = _now()
    bucket = int(now // window_seconds)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    retry_after = max(1, math.ceil((bucket + 1) * window_seconds - now))
    return f"{PREFIX}{digest}:{window_seconds}:{bucket}", retry_after


def hit(key: str, limit: int, window_seconds: int) -> RateResult:
    """Count one event for ``key``; ``allowed`` is False once more than ``limit`` events fall in this window."""
    cache_key, retry_after = _window(key, window_seconds)
    cache = _cache()
    # +1 s so the entry outlives its window on every backend; the bucket in the key makes it unique anyway.
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window_seconds + 1)
            count = 1
    return RateResult(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def peek(key: str, limit: int, window_seconds: int) -> RateResult:
    """The state of ``key`` without counting: ``allowed`` is False when ``limit`` events were already counted."""
    cache_key, retry_after = _window(key, window_seconds)
    count = int(_cache().get(cache_key, 0))
    return RateResult(allowed=count < limit, count=count, limit=limit, retry_after=retry_after)


def reset(key: str, window_seconds: int) -> None:
    """Forget the events of ``key`` in the current window (e.g. after an administrator's unlock)."""
    cache_key, _ = _window(key, window_seconds)
    _cache().delete(cache_key)


MESSAGE = "Bạn đã thử quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau {wait}."


def wait_text(seconds: int) -> str:
    """Vietnamese for a wait: 40 → “40 giây”, 61 → “2 phút”."""
    return f"{seconds} giây" if seconds < 60 else f"{math.ceil(seconds / 60)} phút"


def too_many_requests(request: HttpRequest, result: RateResult, message: str = "") -> HttpResponse:
    """A 429 with ``Retry-After``: the JSON error shape under /api/, else the error page, in Vietnamese."""
    from django.http import JsonResponse
    from django.shortcuts import render

    text = message or MESSAGE.format(wait=wait_text(result.retry_after))
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "rate_limited", "message": text}, status=429)
    else:
        response = render(request, "error.html", {"message": text, "status": 429}, status=429)
    response["Retry-After"] = str(result.retry_after)
    return response
