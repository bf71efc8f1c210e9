"""Vietnamese labels of audit actions. Each app registers its own in ``AppConfig.ready``."""

from __future__ import annotations

_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict[str, str]) -> None:
    _LABELS.update(labels)


def action_label(code: str) -> str:
    """The label of ``code``; unknown codes fall back to the label of their prefix, then to the code."""
    if code in _LABELS:
        return _LABELS[code]
    parts = code.split(".")
    while len(parts) > 1:
        parts.pop()
        prefix = ".".join(parts)
        if prefix in _LABELS:
            return f"{_LABELS[prefix]} ({code})"
    return code
