from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "vanphong.storage"
    label = "storage"
    verbose_name = "Lưu trữ tệp"
