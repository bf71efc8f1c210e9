from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "vanphong.routing"
    label = "routing"
    verbose_name = "Phân phối, giải quyết văn bản"

    def ready(self) -> None:
        from vanphong.core.actions import register_action_labels
        from vanphong.registry.panels import register_incoming_panel

        from .panels import routing_panel

        register_incoming_panel(routing_panel)
        register_action_labels(
            {
                "routing": "Phân phối, giải quyết văn bản",
                "routing.propose": "Đề xuất phân phối văn bản đến",
                "routing.instruct": "Bút phê, phân phối văn bản đến",
                "routing.assignment.read": "Xác nhận đã xem văn bản được giao",
                "routing.assignment.handover": "Giao cá nhân giải quyết văn bản đến",
                "routing.assignment.progress": "Cập nhật tiến độ giải quyết",
                "routing.assignment.return": "Trả lại văn bản được giao",
                "routing.assignment.redirect": "Chuyển lại đơn vị, cá nhân giải quyết",
                "routing.assignment.close": "Hoàn thành giải quyết văn bản đến",
                "routing.digest.send": "Gửi thư tổng hợp hằng ngày",
            }
        )
