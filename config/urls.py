from django.contrib import admin
from django.urls import include, path

from vanphong.api.urls import api

urlpatterns = [
    path("", include("vanphong.dashboards.urls")),
    path("tai-khoan/", include("vanphong.accounts.urls")),
    path("to-chuc/", include("vanphong.org.urls")),
    path("danh-muc/", include("vanphong.catalogs.urls")),
    path("tac-vu/", include("vanphong.jobs.urls")),
    path("van-ban/", include("vanphong.registry.urls")),
    path("xu-ly/", include("vanphong.routing.urls")),
    path("tim-kiem/", include("vanphong.search.urls")),
    path("an-ninh/", include("vanphong.security.urls")),
    path("quan-tri-he-thong/", admin.site.urls),
    path("api/", api.urls),
]
