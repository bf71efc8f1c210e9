from typing import Any

from django import template

from vanphong.core.actions import action_label

register = template.Library()


@register.filter
def audit_action(code: str) -> str:
    return action_label(code)


@register.filter
def object_type_label(label: str) -> str:
    """``accounts.user`` → ``người dùng`` (the model's verbose name), unknown labels unchanged."""
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


DUE_SOON_DAYS = 2  # calendar days; a deadline within this many days is shown "sắp đến hạn"


@register.inclusion_tag("components/deadline.html")
def deadline_chip(due: Any, done: Any = None) -> dict[str, Any]:
    """A deadline with its state: quá hạn (red), sắp đến hạn (amber), còn hạn, or đã xong (done is a date)."""
    from datetime import date, datetime

    from django.utils import timezone

    if isinstance(due, datetime):
        due = timezone.localtime(due).date()
    if isinstance(done, datetime):
        done = timezone.localtime(done).date()
    state, label = "", ""
    if isinstance(due, date):
        today = timezone.localdate()
        if done:
            state, label = ("ok", "Xong đúng hạn") if done <= due else ("bad", "Xong quá hạn")
        elif due < today:
            state, label = "bad", f"Quá hạn {(today - due).days} ngày"
        elif (due - today).days <= DUE_SOON_DAYS:
            state = "warn"
            label = "Đến hạn hôm nay" if due == today else f"Còn {(due - today).days} ngày"
        else:
            state, label = "", f"Còn {(due - today).days} ngày"
    return {"due": due, "state": state, "label": label}
