"""Input of the routing forms. The bút phê rows are repeated fields (``line_kind``, ``line_target``,
``line_days``, ``line_deadline``, ``line_note``) so that rows can be added and removed on the page freely."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.http import QueryDict

from vanphong.accounts.models import User
from vanphong.core.exceptions import ValidationError
from vanphong.org.models import Unit
from vanphong.registry.models import ResultKind

from .models import AssignmentKind
from .services import Line

MAX_ROWS = 40
DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]


def parse_date(value: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in DATE_INPUTS:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValidationError(f"{label}: ngày “{value[:20]}” không hợp lệ (dạng ngày/tháng/năm).")


def parse_days(value: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(f"{label}: số ngày làm việc “{value[:10]}” không hợp lệ.")
    return int(value)


def parse_target(value: str) -> tuple[Unit | None, User | None]:
    """``u:<id>`` → a unit, ``p:<id>`` → a person. The service checks that it lies in the routing scope."""
    prefix, _, raw = value.partition(":")
    if raw.isdigit():
        if prefix == "u":
            unit = Unit.objects.filter(pk=int(raw)).first()
            if unit is not None:
                return unit, None
        elif prefix == "p":
            user = User.objects.filter(pk=int(raw)).select_related("unit").first()
            if user is not None:
                return None, user
    raise ValidationError("Không tìm thấy đơn vị hoặc cá nhân đã chọn.")


def parse_lines(data: QueryDict) -> list[Line]:
    """The rows of a bút phê / đề xuất form; rows without a recipient are ignored. All errors at once."""
    kinds = data.getlist("line_kind")
    targets = data.getlist("line_target")
    days = data.getlist("line_days")
    deadlines = data.getlist("line_deadline")
    notes = data.getlist("line_note")
    if len(targets) > MAX_ROWS:
        raise ValidationError(f"Mỗi lần phân phối tối đa {MAX_ROWS} dòng.")
    lines: list[Line] = []
    errors: list[str] = []

    def at(values: list[str], i: int) -> str:
        return values[i] if i < len(values) else ""

    for i, target in enumerate(targets):
        if not target.strip():
            continue
        label = f"Dòng {i + 1}"
        try:
            unit, user = parse_target(target.strip())
            kind = at(kinds, i) or AssignmentKind.SUPPORT
            lines.append(
                Line(
                    kind=kind,
                    unit=unit,
                    user=user,
                    days=parse_days(at(days, i), label),
                    deadline=parse_date(at(deadlines, i), label),
                    note=at(notes, i).strip()[:500],
                )
            )
        except ValidationError as exc:
            errors.append(f"{label}: {exc.message}" if not exc.message.startswith(label) else exc.message)
    if errors:
        raise ValidationError(" ".join(errors), details=errors)
    return lines


def lines_initial(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Form rows from the stored lines of a proposal (so the leader can accept it as it is)."""
    rows = []
    for ln in lines:
        target = f"p:{ln['user_id']}" if ln.get("user_id") else f"u:{ln.get('unit_id')}"
        rows.append(
            {
                "kind": ln.get("kind", AssignmentKind.SUPPORT),
                "target": target,
                "days": ln.get("days") if ln.get("days") is not None else "",
                "deadline": ln.get("deadline") if ln.get("days") is None and ln.get("deadline") else "",
                "note": ln.get("note", ""),
            }
        )
    return rows


class TextForm(forms.Form):
    text = forms.CharField(label="Ý kiến", required=False, max_length=4000, widget=forms.Textarea)


class HandoverForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Giao cho",
        queryset=User.objects.none(),
        error_messages={"required": "Cần chọn người được giao."},
    )
    days = forms.IntegerField(label="Hạn (số ngày làm việc)", required=False, min_value=0, max_value=365)
    deadline = forms.DateField(label="hoặc ngày hết hạn", required=False, input_formats=DATE_INPUTS)
    note = forms.CharField(label="Ý kiến giao việc", required=False, max_length=500)

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["user"].queryset = people  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    text = forms.CharField(
        label="Tiến độ", max_length=2000, error_messages={"required": "Cần ghi nội dung tiến độ."}
    )
    percent = forms.IntegerField(label="Phần trăm hoàn thành", required=False, min_value=0, max_value=100)


class CloseForm(forms.Form):
    result_kind = forms.ChoiceField(
        label="Kết quả",
        choices=ResultKind.choices,
        error_messages={"required": "Cần chọn kết quả giải quyết."},
    )
    reply = forms.IntegerField(label="Văn bản trả lời", required=False)
    note = forms.CharField(label="Ghi nhận kết quả", required=False, max_length=4000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Lý do", max_length=500, error_messages={"required": "Cần ghi lý do."})


class RedirectForm(ReasonForm):
    target = forms.CharField(label="Chuyển cho", error_messages={"required": "Cần chọn nơi chuyển đến."})
    days = forms.IntegerField(label="Hạn (số ngày làm việc)", required=False, min_value=0, max_value=365)
    deadline = forms.DateField(label="hoặc ngày hết hạn", required=False, input_formats=DATE_INPUTS)


def form_errors(form: forms.Form) -> str:
    """All errors of a form as one Vietnamese sentence for a message."""
    parts = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts += [f"{label}: {e}" if label else str(e) for e in errs]
    return " ".join(parts)
