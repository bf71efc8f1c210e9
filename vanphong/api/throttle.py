"""A per-token rate limit for the API: a fixed-window counter in the Django cache.

``VANPHONG_API_RATE`` is ``"<requests>/<s|m|h|d>"`` (``"600/m"`` by default; empty turns the limit off). A token
request counts against its token, a session request against its user. Over the limit the API answers 429 with
``Retry-After`` (the seconds left in the window). With the default per-process cache each worker process counts
on its own; a shared cache (``CACHES``) makes the limit exact across processes.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text: str) -> tuple[int, int] | None:
    """``"600/m"`` → (600, 60); ``""`` → None (no limit). Units may be spelled out (``min``, ``hour``)."""
    text = (text or "").strip()
    if not text:
        return None
    count, _, unit = text.partition("/")
    period = PERIODS.get(unit.strip().lower()[:1])
    if period is None or not count.strip().isdigit():
        raise ValueError(f"VANPHONG_API_RATE must look like '600/m', not {text!r}")
    return int(count), period


def _ident(request: HttpRequest) -> str:
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"t:{token.prefix}"
    return f"u:{request.user.pk}"


class ApiRateLimit(BaseThrottle):
    """Allows ``n`` requests per window of ``period`` seconds for each token (or session user)."""

    def allow_request(self, request: HttpRequest) -> bool:
        rate = parse_rate(settings.VANPHONG_API_RATE)
        if rate is None:
            return True
        limit, period = rate
        key = f"vp-api-rate:{_ident(request)}:{period}:{int(time.time() // period)}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
        return count <= limit

    def wait(self) -> float | None:
        rate = parse_rate(settings.VANPHONG_API_RATE)
        if rate is None:
            return None
        period = rate[1]
        return max(1.0, period - time.time() % period)
