from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("chay/", views.job_enqueue, name="enqueue"),
    path("<uuid:task_id>/", views.job_detail, name="detail"),
]
