"""Who is calling the REST API: a personal token (``Authorization: Bearer vp_…``) or the browser session.

Every router in ``vanphong/*/api.py`` takes ``auth=api_auth``. A token request runs as the token's user
(``request.user`` is set to them), so the endpoints apply the same access funnel as the pages. A session request
keeps Django's CSRF check for unsafe methods; a token request needs none (a browser never adds the header on its
own). A missing, malformed, expired or revoked token answers 401 with the reason in Vietnamese.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from .tokens import TokenRejected, api_token_authenticate

LOGIN_REQUIRED = "Cần đăng nhập hoặc gửi mã truy cập API (Authorization: Bearer <mã>)."
WRONG_SCHEME = "Chỉ nhận mã truy cập API theo dạng “Authorization: Bearer <mã>”."


class TokenAuth(HttpBearer):
    """``Authorization: Bearer vp_<prefix>_<secret>`` (see ``vanphong user token``)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None  # no token: let the session try
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError(message=WRONG_SCHEME)
        return self.authenticate(request, value)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            user, record = api_token_authenticate(token)
        except TokenRejected as exc:
            raise AuthenticationError(message=exc.message) from exc
        request.user = user
        request.api_token = record  # type: ignore[attr-defined]  # the rate limit counts per token
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session, with Django's CSRF check on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # anonymous: 401, not a CSRF 403
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


api_auth = [TokenAuth(), SessionAuth()]
