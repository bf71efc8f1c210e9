from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("canh-bao/<int:pk>/xac-nhan/", views.alert_ack, name="alert_ack"),
    path("kiem-tra/", views.checks, name="checks"),
    path("kiem-tra/chay/", views.check_run, name="check_run"),
    path("su-co/moi/", views.incident_new, name="incident_create"),
    path("su-co/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("su-co/<int:pk>/chuyen-buoc/", views.incident_advance_view, name="incident_advance"),
]
