from django.urls import path

from . import views

app_name = "catalogs"
urlpatterns = [
    path("", views.index, name="index"),
    path("lich-lam-viec/", views.workdays, name="workdays"),
    path("<slug:slug>/", views.catalog_list, name="list"),
    path("<slug:slug>/them/", views.catalog_edit, name="create"),
    path("<slug:slug>/<int:pk>/sua/", views.catalog_edit, name="edit"),
]
