from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanphong.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from vanphong.core.actions import register_action_labels

        register_action_labels(
            {
                "auth.login": "Đăng nhập",
                "auth.login.failed": "Đăng nhập sai",
                "auth.login.lockout": "Khóa tạm thời do đăng nhập sai nhiều lần",
                "auth.login.locked": "Đăng nhập khi tài khoản đang bị khóa",
                "auth.totp.failed": "Nhập sai mã xác thực hai lớp",
                "auth.totp.enabled": "Bật xác thực hai lớp",
                "auth.totp.reset": "Đặt lại xác thực hai lớp",
                "accounts.user.create": "Tạo người dùng",
                "accounts.user.update": "Sửa người dùng",
                "accounts.user.unlock": "Mở khóa tài khoản",
                "accounts.password.set": "Đặt mật khẩu",
                "accounts.role.assign": "Giao vai trò",
                "accounts.role.revoke": "Thu hồi vai trò",
                "accounts.delegation.create": "Ủy quyền",
                "accounts.delegation.revoke": "Thu hồi ủy quyền",
            }
        )
