from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "vanphong.ingest"
    label = "ingest"
    verbose_name = "Tiếp nhận, số hóa"
