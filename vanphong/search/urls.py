from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.results, name="results"),
    path("goi-y/", views.suggest, name="suggest"),
    path("tuong-tu/<slug:kind>:<int:pk>/", views.similar, name="similar"),
    path("da-luu/", views.saved_list, name="saved"),
    path("da-luu/luu/", views.saved_create, name="saved_create"),
    path("da-luu/<int:pk>/xoa/", views.saved_delete, name="saved_delete"),
]
