from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanphong.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
