from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "vanphong.registry"
    label = "registry"
    verbose_name = "Văn bản đến, văn bản đi"

    def ready(self) -> None:
        from .search import register_sources
        from .services import incoming, outgoing  # noqa: F401 - register the audit action labels

        register_sources()
