from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "vanphong.jobs"
    label = "jobs"
    verbose_name = "Tác vụ nền"
