"""CSRF everywhere: no view behind a URL is exempt from Django's CSRF check, except the REST API's views, which
django-ninja marks exempt and then checks itself: a session (cookie) caller goes through ninja's CSRF check
(``APIKeyCookie(csrf=True)``); a token caller sends ``Authorization: Bearer``, which a browser never adds on its
own, so there is nothing to forge. The test proves both halves for every unsafe API operation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _ninja_path_view(callback: Any) -> Any:
    """The ninja ``PathView`` behind a view function made by ``PathView.get_view`` (it closes over ``self``)."""
    from ninja.operation import PathView

    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def test_every_url_is_csrf_protected_except_ninja_api_views():
    exempt = []
    for route, callback in _walk(get_resolver().url_patterns):
        if not getattr(callback, "csrf_exempt", False):
            continue
        if route.startswith("api/") and _ninja_path_view(callback) is not None:
            continue  # checked below
        exempt.append(f"{route} → {callback.__module__}.{callback.__qualname__}")
    assert exempt == [], "views exempt from CSRF (remove @csrf_exempt): " + ", ".join(exempt)


def test_unsafe_api_operations_check_csrf_for_cookies_or_take_only_header_credentials():
    checked = 0
    problems = []
    for route, callback in _walk(get_resolver().url_patterns):
        view = _ninja_path_view(callback) if route.startswith("api/") else None
        if view is None:
            continue
        for op in view.operations:
            if not UNSAFE & set(op.methods):
                continue
            checked += 1
            name = f"{'/'.join(op.methods)} /{route}"
            if op.csrf_exempt:
                problems.append(f"{name}: marked csrf_exempt (cookie callers would skip the CSRF check)")
            if not op.auth_callbacks:
                problems.append(f"{name}: no auth (a session caller would reach it without a CSRF check)")
            for auth in op.auth_callbacks:
                if isinstance(auth, APIKeyCookie):
                    if not auth.csrf:
                        problems.append(f"{name}: cookie auth {type(auth).__name__} with csrf=False")
                elif not isinstance(auth, HttpBearer | APIKeyHeader):
                    problems.append(
                        f"{name}: auth {type(auth).__name__} is neither a cookie with CSRF nor a header"
                    )
    assert problems == []
    assert checked > 0  # the walk found the API's write operations
