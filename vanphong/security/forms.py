"""Forms of the security officer's desk: open an incident, move it to its next step."""

from __future__ import annotations

from typing import Any

from django import forms

from vanphong.org.models import Unit

from .models import IncidentStage, SecurityAlert, Severity


class IncidentForm(forms.Form):
    title = forms.CharField(label="Tên sự cố", max_length=300)
    description = forms.CharField(
        label="Mô tả (phát hiện thế nào, ảnh hưởng gì)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    severity = forms.ChoiceField(label="Mức độ", choices=Severity.choices, initial=Severity.MEDIUM)
    detected_at = forms.DateTimeField(
        label="Phát hiện lúc",
        required=False,
        help_text="Để trống nếu là bây giờ.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    unit = forms.ModelChoiceField(label="Đơn vị", queryset=Unit.objects.none(), required=False)
    alerts = forms.ModelMultipleChoiceField(
        label="Cảnh báo liên quan",
        queryset=SecurityAlert.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: list[Unit], alerts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        unit_field.required = bool(units)
        if units:
            unit_field.initial = units[0].pk
        alert_field: Any = self.fields["alerts"]
        alert_field.queryset = alerts


class AdvanceForm(forms.Form):
    note = forms.CharField(label="Nội dung bước này", widget=forms.Textarea(attrs={"rows": 4}))
    stage = forms.ChoiceField(choices=IncidentStage.choices, widget=forms.HiddenInput)
