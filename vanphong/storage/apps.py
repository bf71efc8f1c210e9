from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "vanphong.storage"
    label = "storage"
    verbose_name = "Lưu trữ tệp"

    def ready(self) -> None:
        from vanphong.core.actions import register_action_labels

        register_action_labels(
            {
                "storage.blob.put": "Lưu tệp",
                "storage.blob.repair": "Khôi phục tệp bị thiếu",
                "storage.gc": "Dọn tệp mồ côi",
                "storage.blob.encrypt": "Mã hóa tệp",
                "storage.keys.rotate": "Đổi khóa chủ mã hóa tệp",
            }
        )
