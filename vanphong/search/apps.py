from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "vanphong.search"
    label = "search"
    verbose_name = "Tìm kiếm"
