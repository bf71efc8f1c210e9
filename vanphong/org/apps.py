from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "vanphong.org"
    label = "org"
    verbose_name = "Tổ chức"

    def ready(self) -> None:
        from vanphong.core.actions import register_action_labels

        register_action_labels(
            {
                "org.unit.create": "Tạo đơn vị",
                "org.unit.update": "Sửa đơn vị",
                "org.unit.close": "Kết thúc hoạt động đơn vị",
                "org.divisions.load": "Nạp danh mục tỉnh, xã",
                "org.units.import": "Nhập cây tổ chức",
                "org": "Tổ chức",
                "catalogs": "Danh mục",
                "storage": "Lưu trữ tệp",
                "jobs": "Tác vụ nền",
            }
        )
