"""Forms for the unit pages. They validate input only; writes go through ``services``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from .models import Unit
from .tabular import CSV_EXTENSIONS, MAX_FILE_BYTES, XLSX_EXTENSIONS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNIT_FIELDS = [
    "name",
    "short_name",
    "level",
    "parent",
    "organ_id",
    "stats_code",
    "valid_from",
    "valid_to",
    "note",
]


class UnitForm(forms.ModelForm):
    """Create or edit a unit. ``parents`` are the units the admin may place it under."""

    class Meta:
        model = Unit
        fields = UNIT_FIELDS
        widgets = {
            "valid_from": DATE_INPUT,
            "valid_to": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, parents: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        parent_field.queryset = parents
        # Only the central committee has no parent; everything else needs one.
        parent_field.required = not (self.instance.pk and self.instance.parent_id is None)
        if parent_field.required:
            parent_field.empty_label = None


class UnitCloseForm(forms.Form):
    """Sáp nhập (with a successor) or giải thể (without)."""

    on = forms.DateField(label="Ngày kết thúc hoạt động", widget=DATE_INPUT, initial=date.today)
    successor = forms.ModelChoiceField(
        label="Đơn vị kế thừa (sáp nhập vào)",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="— Không có (giải thể) —",
        help_text="Đơn vị kế thừa sẽ ghi nhận đơn vị này là đơn vị tiền thân.",
    )
    confirm = forms.BooleanField(label="Tôi xác nhận đóng đơn vị này; lịch sử và văn bản cũ được giữ nguyên.")

    def __init__(self, *args: Any, successors: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["successor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = successors


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp danh sách đơn vị (CSV UTF-8 hoặc Excel .xlsx)",
        help_text="Dòng 1 là tiêu đề: ma, ten, ten_viet_tat, cap, ma_cap_tren, ma_dinh_danh, ma_thong_ke, "
        "tu_ngay, den_ngay.",
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not any(name.endswith(ext) for ext in CSV_EXTENSIONS | XLSX_EXTENSIONS):
            raise forms.ValidationError("Chỉ nhận tệp CSV (UTF-8) hoặc Excel .xlsx.")
        if f.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"Tệp quá lớn (tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB).")
        return f
