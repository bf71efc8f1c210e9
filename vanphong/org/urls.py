from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("nhap/", views.import_start, name="import_start"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:parent_pk>/them/", views.unit_create, name="unit_create"),
    path("<int:pk>/sua/", views.unit_edit, name="unit_edit"),
    path("<int:pk>/dong/", views.unit_close, name="unit_close"),
    path("<int:pk>/nhap/", views.unit_import, name="unit_import"),
]
