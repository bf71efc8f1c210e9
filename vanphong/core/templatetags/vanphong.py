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
