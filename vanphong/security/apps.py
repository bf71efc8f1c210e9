from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "vanphong.security"
    label = "security"
    verbose_name = "An ninh thông tin"

    def ready(self) -> None:
        from . import services  # noqa: F401 - register the audit action labels
