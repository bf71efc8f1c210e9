"""Numbers the Vietnamese way on the search pages: 1.234 văn bản, 0,02 giây."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def vn_int(value: Any) -> str:
    """``1234`` → ``1.234``."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)


@register.filter
def vn_seconds(ms: Any) -> str:
    """Milliseconds as seconds with a decimal comma: ``18.4`` → ``0,02 giây``; never ``0,00``."""
    try:
        seconds = max(float(ms), 0.0) / 1000
    except (TypeError, ValueError):
        return ""
    if seconds < 0.01:
        return "dưới 0,01 giây"
    return f"{seconds:.2f}".replace(".", ",") + " giây"
