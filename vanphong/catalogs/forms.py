"""Forms: one model form per catalogue (built from the registry) and the working-day calculator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

DATE_ERRORS = {"invalid": "Ngày không hợp lệ — nhập theo dạng ngày/tháng/năm, ví dụ 13/02/2026.",
               "required": "Cần nhập ngày."}  # fmt: skip
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]
EXCLUDED_FIELDS = {"updated_at"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def catalog_form_class(model: type[models.Model]) -> type[forms.ModelForm]:
    """A ModelForm with every editable field of ``model``, native date pickers and checkboxes for M2M."""
    fields = [f.name for f in model._meta.get_fields()
              if getattr(f, "editable", False) and not f.auto_created and f.name not in EXCLUDED_FIELDS
              and (f.concrete or f.many_to_many)]  # fmt: skip
    widgets: dict[str, type[forms.Widget] | forms.Widget] = {}
    for f in model._meta.get_fields():
        if isinstance(f, models.DateField) and f.name in fields:
            widgets[f.name] = DateInput()
        elif f.many_to_many and f.name in fields:
            widgets[f.name] = forms.CheckboxSelectMultiple()
    form_class = forms.modelform_factory(model, fields=fields, widgets=widgets)
    for name in fields:
        field = form_class.base_fields.get(name)
        if isinstance(field, forms.DateField):
            field.input_formats = DATE_FORMATS
            field.error_messages.update(DATE_ERRORS)
    return form_class


class AddWorkingDaysForm(forms.Form):
    start = forms.DateField(
        label="Ngày bắt đầu (ngày nhận, không tính)",
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
        widget=DateInput(),
    )
    days = forms.IntegerField(
        label="Số ngày làm việc", min_value=-1000, max_value=1000,
        error_messages={"invalid": "Số ngày phải là số nguyên.", "required": "Cần nhập số ngày.",
                        "min_value": "Số ngày không nhỏ hơn −1000.", "max_value": "Số ngày không quá 1000."},
    )  # fmt: skip


class BetweenForm(forms.Form):
    start = forms.DateField(
        label="Từ ngày (không tính)",
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
        widget=DateInput(),
    )
    end = forms.DateField(
        label="Đến ngày (có tính)", input_formats=DATE_FORMATS, error_messages=DATE_ERRORS, widget=DateInput()
    )
