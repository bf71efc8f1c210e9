from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class MinimumLengthValidator:
    """Django's Vietnamese catalogue lacks this message; ours speaks Vietnamese."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự.", code="password_too_short"
            )

    def get_help_text(self) -> str:
        return f"Mật khẩu cần ít nhất {self.min_length} ký tự."
