from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy configure it to set REMOTE_ADDR (e.g. uwsgi/gunicorn forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(
            context.RequestContext(
                ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:200]
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


class ErrorPageMiddleware:
    """An uncaught ``NotFound`` / ``PermissionDenied`` from an access function becomes a 404 / 403 page that shows
    its Vietnamese message (or the API error shape for /api/ requests), never a stack trace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import JsonResponse
        from django.shortcuts import render

        from .exceptions import NotFound, PermissionDenied

        if not isinstance(exception, NotFound | PermissionDenied):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": exception.code, "message": exception.message}, status=exception.status
            )
        return render(request, "error.html", {"message": exception.message, "status": exception.status},
                      status=exception.status)  # fmt: skip
