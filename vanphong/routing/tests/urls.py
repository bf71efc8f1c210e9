"""Test URLconf: the project's URLs, plus stand-ins for registry pages that parallel work has not added yet
(the routing panel and notices link to ``registry:incoming_detail``; the navigation to the registry lists)."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from config import urls as project
from vanphong.registry import urls as registry_urls


def _stand_in(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("stand-in")


NEEDED = {
    "incoming_list": "den/",
    "incoming_detail": "den/<int:pk>/",
    "outgoing_list": "di/",
    "outgoing_detail": "di/<int:pk>/",
}
_have = {p.name for p in registry_urls.urlpatterns if isinstance(p, URLPattern)}
_stand_ins = [path(route, _stand_in, name=name) for name, route in NEEDED.items() if name not in _have]

urlpatterns: list[URLPattern | URLResolver] = [
    p for p in project.urlpatterns if getattr(p, "app_name", None) != "registry"
] + [path("van-ban/", include((list(registry_urls.urlpatterns) + _stand_ins, "registry")))]
