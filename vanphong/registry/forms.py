"""Forms of the incoming side: upload, confirm-and-register, return."""

from __future__ import annotations

from typing import Any

from django import forms

from vanphong.catalogs.models import DocumentType, SecrecyLevel, Urgency

from .models import Medium

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
DATE_ERROR = "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2026."


class VietDateField(forms.DateField):
    """A date typed the Vietnamese way (ngày/tháng/năm), with a message a clerk can act on."""

    input_formats = DATE_FORMATS
    default_error_messages = {"invalid": DATE_ERROR}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "size": 10})
        )
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked like a single FileField."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    uploads = MultipleFileField(
        label="Tệp văn bản",
        widget=MultipleFileInput(attrs={"multiple": True, "accept": ".pdf,.docx,.jpg,.jpeg,.png,.tif,.tiff"}),
        help_text="PDF (bản điện tử hoặc bản quét), DOCX, ảnh JPG/PNG/TIFF. Có thể chọn nhiều tệp.",
    )


class RegisterForm(forms.Form):
    """The clerk's confirmation: every field proposed by the extractor can be corrected here."""

    number_symbol = forms.CharField(label="Số, ký hiệu", max_length=60, required=False,
                                    widget=forms.TextInput(attrs={"placeholder": "57-NQ/TW hoặc 30/2020/NĐ-CP"}))  # fmt: skip
    issued_date = VietDateField(label="Ngày tháng văn bản", required=False)
    issuer_name = forms.CharField(label="Cơ quan ban hành (tác giả)", max_length=300)
    document_type = forms.ModelChoiceField(
        label="Tên loại", queryset=DocumentType.objects.filter(active=True), required=False,
        empty_label="— chọn thể loại —",
    )  # fmt: skip
    subject = forms.CharField(label="Trích yếu nội dung", widget=forms.Textarea(attrs={"rows": 3}))
    signer_name = forms.CharField(label="Người ký", max_length=120, required=False)
    urgency = forms.ModelChoiceField(
        label="Độ khẩn", queryset=Urgency.objects.filter(active=True), required=False, empty_label="Thường"
    )
    secrecy = forms.ModelChoiceField(
        label="Độ mật", queryset=SecrecyLevel.objects.filter(active=True, rank__gt=0), required=False,
        empty_label="Không mật",
    )  # fmt: skip
    medium = forms.ChoiceField(label="Hình thức nhận", choices=Medium.choices)
    page_count = forms.IntegerField(label="Số trang", min_value=1, max_value=100000, required=False)
    notes = forms.CharField(label="Ghi chú", max_length=500, required=False)
    acknowledge_duplicate = forms.BooleanField(
        label="Tôi đã kiểm tra: đây không phải văn bản đã vào sổ, vẫn vào sổ", required=False,
        widget=forms.HiddenInput,
    )  # fmt: skip

    def __init__(self, *args: Any, max_clearance: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["secrecy"]
        field.queryset = field.queryset.filter(rank__lte=max_clearance)


class ReturnForm(forms.Form):
    reason = forms.CharField(label="Lý do trả lại", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
