from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "vanphong.routing"
    label = "routing"
    verbose_name = "Phân phối, giải quyết văn bản"
