"""The REST API: the schema at ``/api/openapi.json``, the browsable docs at ``/api/docs``.

Each app contributes a router from its own api.py, authenticated by ``vanphong.accounts.api_auth.api_auth``
(a personal token as ``Authorization: Bearer …``, or the browser session). Every request counts against the
caller's rate limit (``VANPHONG_API_RATE``). Refusals keep the project's error shape ``{"code", "message"}``.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled

from vanphong.accounts.api_auth import LOGIN_REQUIRED, api_auth
from vanphong.catalogs.api import router as catalogs_router
from vanphong.jobs.api import router as jobs_router
from vanphong.org.api import router as org_router
from vanphong.registry.api import router as registry_router
from vanphong.routing.api import router as routing_router
from vanphong.search.api import router as search_router

from .throttle import ApiRateLimit

# ``auth`` here is the default for a router that sets none (org, which sits below accounts); the others say it.
api = NinjaAPI(
    title="Vanphong API", version="1", urls_namespace="api", auth=api_auth, throttle=ApiRateLimit()
)
api.add_router("/jobs/", jobs_router)
api.add_router("/org/", org_router)
api.add_router("/catalogs/", catalogs_router)
api.add_router("/routing/", routing_router)
api.add_router("/registry/", registry_router)
api.add_router("/search/", search_router)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else LOGIN_REQUIRED
    response = api.create_response(request, {"code": "unauthorized", "message": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="vanphong"'
    return response


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    message = "Gửi quá nhiều yêu cầu tới API. Vui lòng chờ rồi thử lại."
    return api.create_response(request, {"code": "rate_limited", "message": message}, status=429)


@api.exception_handler(OverflowError)
def number_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """An id or year beyond what the database or the calendar holds (e.g. ``/units/99999999999999999999``)."""
    message = "Giá trị số vượt quá giới hạn cho phép."
    return api.create_response(request, {"code": "invalid", "message": message}, status=422)
