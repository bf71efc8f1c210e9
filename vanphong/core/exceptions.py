"""One exception family: English for developers (``str(exc)``), Vietnamese for users (``exc.message``)."""

from __future__ import annotations

from typing import Any


class VanphongError(Exception):
    """Base of every error the product raises on purpose.

    ``message`` is shown to the user (Vietnamese, actionable); ``code`` is stable for the API;
    ``details`` carries structured data such as per-row errors of an import.
    """

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class ValidationError(VanphongError):
    code = "invalid"


class PermissionDenied(VanphongError):
    code = "forbidden"
    status = 403


class NotFound(VanphongError):
    code = "not_found"
    status = 404


class ConflictError(VanphongError):
    code = "conflict"
    status = 409
