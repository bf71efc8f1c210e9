"""Keeps secrets out of the logs: ``RedactSecretsFilter`` rewrites log records before any handler formats them.

Redacted (replaced by ``[đã ẩn]``):

* values of sensitive keys in mapping arguments and in text — ``password``/``passwd``/``pwd``, ``secret``
  (``secret_key``, ``totp_secret``), ``token`` (``access_token``), ``api_key``, ``authorization``, ``cookie``,
  ``sessionid``, ``csrftoken``, ``csrfmiddlewaretoken``, ``totp``/``otp`` (``otp_code``), ``master_key``,
  ``private_key``, ``credential`` — whole words or joined by ``-``/``_``, so ``footprint`` stays. E.g.
  ``password=hunter2``, ``"token": "abc"``, ``Authorization: Bearer abc``;
* bearer/basic credentials anywhere in text (``Bearer eyJ…``);
* the literal values of ``SECRET_KEY``, the master key (``VANPHONG_KEYS["MASTER_KEY"]``, a ``VANPHONG_MASTER_KEY``
  setting or environment variable), ``EMAIL_HOST_PASSWORD`` and ``DATABASES[*]["PASSWORD"]`` wherever they appear;
* the ``request`` extra that Django's loggers attach: its ``Authorization`` and ``Cookie`` headers and the POST
  body (where the two-factor ``code`` field travels) are hidden by replacing ``record.request`` with a redacted
  summary (``method`` and ``path`` stay).

The formatted message replaces ``msg`` and ``args`` becomes ``None`` (a format string cannot be redacted without
breaking its placeholders); a traceback is formatted and redacted into ``exc_text``.

Wired on the console handler in ``settings.LOGGING``; add it to any new handler with
``"filters": ["redact_secrets"]``. Filters never drop a record (``filter`` always returns True).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[đã ẩn]"
_WORDS = (
    r"pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|authori[sz]ation|cookie|session[-_]?id|"
    r"csrf(?:token|middlewaretoken)?|t?otp|master[-_]?key|private[-_]?key|credentials?"
)
# A key (mapping key, header name, setting name) that holds a secret: one of the words, alone or joined by - or _.
SENSITIVE_KEY = re.compile(rf"(?:^|[-_\s])(?:{_WORDS})(?:$|[-_\s\d])", re.IGNORECASE)
# key=value, key: value, "key": "value" in free text.
_TEXT_PAIR = re.compile(
    rf"""(?<![\w-])(?P<key>["']?(?:[\w-]*[-_])?(?:{_WORDS})(?:[-_][\w-]*)?\d*["']?)(?P<sep>\s*[:=]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|(?:Bearer|Basic|Token)\s+\S+|[^\s,;&}]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE)
_MIN_LITERAL = 8  # shorter "secrets" would redact ordinary words


def _literal_secrets() -> list[str]:
    values: list[str] = []
    try:
        from django.conf import settings

        if settings.configured:
            values += [
                str(getattr(settings, "SECRET_KEY", "") or ""),
                str(getattr(settings, "VANPHONG_MASTER_KEY", "") or ""),
                str(getattr(settings, "EMAIL_HOST_PASSWORD", "") or ""),
            ]
            values += [str(db.get("PASSWORD") or "") for db in getattr(settings, "DATABASES", {}).values()]
            values.append(str((getattr(settings, "VANPHONG_KEYS", None) or {}).get("MASTER_KEY") or ""))
    except Exception:  # noqa: BLE001, S110 — a logging filter must never raise (nor log)
        pass
    values.append(os.environ.get("VANPHONG_MASTER_KEY", ""))
    return sorted({v for v in values if len(v) >= _MIN_LITERAL}, key=len, reverse=True)


def redact_text(text: str) -> str:
    """``text`` with sensitive pairs, bearer credentials and known secret values hidden."""
    for literal in _literal_secrets():
        if literal in text:
            text = text.replace(literal, REDACTED)

    def pair(m: re.Match[str]) -> str:
        value = m.group("value")
        quote = value[0] if value[:1] in ("'", '"') else ""
        return f"{m.group('key')}{m.group('sep')}{quote}{REDACTED}{quote}"

    text = _TEXT_PAIR.sub(pair, text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def redact(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with secrets hidden: mappings by key, sequences item by item, text by ``redact_text``."""
    if depth > 5:
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if isinstance(k, str) and SENSITIVE_KEY.search(k) else redact(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact(v, depth + 1) for v in value)
    return value


class RedactedRequest:
    """What remains of a request on a log record: enough to find the page, nothing that authenticates."""

    def __init__(self, request: Any) -> None:
        self.method = getattr(request, "method", "")
        self.path = getattr(request, "path", "")
        meta = getattr(request, "META", {}) or {}
        self.META = {
            k: (REDACTED if SENSITIVE_KEY.search(k) else v)
            for k, v in meta.items()
            if isinstance(v, str | int | float)
        }
        self.GET = redact(dict(getattr(request, "GET", {}) or {}))
        self.POST = REDACTED
        self.COOKIES = REDACTED
        self.headers = {k: (REDACTED if SENSITIVE_KEY.search(k) else v) for k, v in self.META.items()}

    def get_full_path(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"<{self.method} {self.path!r} (đã ẩn thông tin xác thực)>"


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact(record)
        except Exception:  # noqa: BLE001 — never lose a record because of the filter
            record.msg = REDACTED
            record.args = None
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        # Arguments first (a mapping's sensitive keys are known only there), then the formatted message, which
        # becomes the record's message: a format string cannot be redacted without breaking its placeholders.
        if record.args:
            if isinstance(record.args, Mapping):
                record.args = redact(dict(record.args))
            else:
                record.args = tuple(redact(a) for a in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # the caller's placeholders do not match; keep both, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, RedactedRequest):
            record.request = RedactedRequest(request)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Format the traceback now, so the text (which may quote arguments) is redacted too.
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
