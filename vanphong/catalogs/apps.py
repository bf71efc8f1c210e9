from django.apps import AppConfig


class CatalogsConfig(AppConfig):
    name = "vanphong.catalogs"
    label = "catalogs"
    verbose_name = "Danh mục và quy tắc"
