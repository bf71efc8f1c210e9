from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "vanphong.dashboards"
    label = "dashboards"
    verbose_name = "Trang chủ và bảng điều hành"
