from __future__ import annotations

from typing import Any

from django import forms

from vanphong.org.models import Position, Unit

from .models import Clearance, Role, User


class LoginForm(forms.Form):
    username = forms.CharField(
        label="Tên đăng nhập",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Mật khẩu", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OtpForm(forms.Form):
    code = forms.CharField(
        label="Mã xác thực (6 chữ số)",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="Mật khẩu hiện tại", widget=forms.PasswordInput)
    new_password = forms.CharField(
        label="Mật khẩu mới",
        widget=forms.PasswordInput,
        help_text="Ít nhất 10 ký tự, không quá đơn giản, không chỉ gồm chữ số.",
    )
    new_password2 = forms.CharField(label="Nhập lại mật khẩu mới", widget=forms.PasswordInput)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self) -> str:
        pw = self.cleaned_data["old_password"]
        if not self.user.check_password(pw):
            raise forms.ValidationError("Mật khẩu hiện tại không đúng.")
        return pw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "Hai lần nhập mật khẩu mới không khớp.")
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label="Tìm theo tên", required=False)
    role = forms.ChoiceField(label="Vai trò", required=False, choices=[("", "Tất cả"), *Role.choices])
    active = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Tất cả"), ("1", "Đang hoạt động"), ("0", "Đã khóa")],
    )


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label="Mật khẩu ban đầu",
        widget=forms.PasswordInput,
        required=False,
        help_text="Để trống khi sửa nếu không đổi mật khẩu.",
    )
    roles = forms.MultipleChoiceField(
        label="Vai trò (trong đơn vị của người dùng)",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "unit", "position", "clearance", "is_active"]

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        self.fields["unit"].required = True
        self.fields["position"].queryset = Position.objects.all()  # type: ignore[attr-defined]
        self.fields["clearance"].choices = Clearance.choices  # type: ignore[attr-defined]
        self.fields["full_name"].required = True


class DelegationForm(forms.Form):
    grantee = forms.ModelChoiceField(label="Người được ủy quyền", queryset=User.objects.none())
    role = forms.ChoiceField(label="Vai trò ủy quyền", choices=Role.choices)
    start = forms.DateField(label="Từ ngày", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Đến ngày", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Lý do", required=False, max_length=300)

    def __init__(self, *args: Any, grantees: Any = None, roles: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if grantees is not None:
            self.fields["grantee"].queryset = grantees  # type: ignore[attr-defined]
        if roles is not None:
            self.fields["role"].choices = roles  # type: ignore[attr-defined]


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="Người thực hiện", required=False)
    unit = forms.CharField(label="Đơn vị", required=False)
    object_type = forms.CharField(label="Loại đối tượng", required=False)
    object_id = forms.CharField(label="Mã đối tượng", required=False)
    action = forms.CharField(label="Hành động", required=False)
    date_from = forms.DateField(
        label="Từ ngày",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
    )
    date_to = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
    )
