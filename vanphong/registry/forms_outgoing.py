"""Forms of the outgoing side: the draft (with the recipient picker), review opinion, signed upload, issue,
reasons (recall, cancel, cancel a held number) and number reservation."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

from vanphong.accounts.models import Role, RoleAssignment, User
from vanphong.catalogs.models import DocumentType, NumberBook, SecrecyLevel, Urgency
from vanphong.org.models import Unit, UnitLevel, validate_organ_id

from .forms import VietDateField
from .models import NumberReservation
from .services.outgoing import RecipientIn, max_upload_bytes

LEADER_ROLES = (Role.COMMITTEE_LEADER, Role.OFFICE_LEADER, Role.UNIT_LEADER)
# “000.00.01.A53 – Tên” (any dash, colon or bar), or “000.00.01.A53 Tên”; a leading code is checked as an id.
ORGAN_LINE_RES = (
    re.compile(r"^(?P<id>[0-9][0-9A-Za-z.]*)\s*[–—:|-]\s*(?P<name>.*)$"),
    re.compile(r"^(?P<id>\d{3}\.\S*)\s+(?P<name>.*)$"),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PickerDateField(VietDateField):
    """``VietDateField`` with the browser's date picker."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)


def _file_field(label: str, accept: str, help_text: str, required: bool) -> forms.FileField:
    return forms.FileField(
        label=label, required=required, help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": accept}),
        error_messages={"required": "Chưa chọn tệp.", "empty": "Tệp rỗng (0 byte), hãy chọn lại tệp.",
                        "invalid": "Tệp tải lên không hợp lệ."},
    )  # fmt: skip


def read_upload(upload: Any) -> tuple[bytes, str]:
    """The bytes and name of an uploaded file; a file above the limit is refused before it is read."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            f"Tệp “{upload.name}” dung lượng {upload.size / 1048576:.1f} MB, vượt giới hạn {limit / 1048576:g} MB."
        )
    data = b"".join(upload.chunks())
    return data, upload.name or ""


def parse_external_recipients(text: str) -> list[RecipientIn]:
    """One nơi nhận per line: “000.00.01.A53 – Văn phòng Tỉnh ủy Tây Ninh”, or just a name (sent on paper)."""
    out: list[RecipientIn] = []
    errors: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("-•+").strip().rstrip(";,.").strip()
        if not line:
            continue
        if line.casefold().startswith("lưu"):
            errors.append(f"Dòng {n}: “{line}” là nơi lưu — ghi vào ô “Lưu” bên dưới.")
            continue
        m = next((m for rx in ORGAN_LINE_RES if (m := rx.match(line))), None)
        if m:
            organ_id, name = m.group("id"), m.group("name").strip()
            try:
                validate_organ_id(organ_id)
            except DjangoValidationError:
                errors.append(f"Dòng {n}: mã định danh “{organ_id}” phải có dạng 000.00.00.A00.")
                continue
            if not name:
                errors.append(f"Dòng {n}: thiếu tên cơ quan sau mã định danh {organ_id}.")
                continue
            out.append(RecipientIn(name=name[:300], organ_id=organ_id))
        else:
            out.append(RecipientIn(name=line[:300]))
    if errors:
        raise forms.ValidationError(errors)
    return out


def format_external_recipients(recipients: Any) -> str:
    return "\n".join(
        f"{r.organ_id} – {r.name}" if r.organ_id else r.name for r in recipients if r.unit_id is None
    )


def recipient_units_for(unit: Unit | None) -> QuerySet[Unit]:
    """Internal recipients: active units of the issuing body's province (no chi bộ), top-down."""
    qs = Unit.objects.active().exclude(level__in=[UnitLevel.CELL, UnitLevel.CENTRAL])
    province = unit.province() if unit is not None else None
    if province is not None:
        qs = qs.filter(path__startswith=province.path)
    return qs.order_by("path").only("id", "name", "depth", "path", "level")


def signers_for(unit: Unit | None) -> QuerySet[User]:
    """Leaders (cấp ủy, văn phòng, đơn vị) of the province who may sign."""
    province = unit.province() if unit is not None else None
    ra = RoleAssignment.objects.filter(role__in=LEADER_ROLES)
    if province is not None:
        ra = ra.filter(unit__path__startswith=province.path)
    return User.objects.filter(pk__in=ra.values("user_id"), is_active=True).select_related("position")


class UnitLabelChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * max(obj.depth - 2, 0)}{obj.name}"


class SignerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        position = obj.position.name if obj.position_id and obj.position else ""
        return f"{obj.get_full_name()}{f' — {position}' if position else ''}"


class OutgoingDraftForm(forms.Form):
    """The draft: main fields, the file (DOCX or PDF), internal and external recipients."""

    unit = forms.ModelChoiceField(label="Đơn vị ban hành", queryset=Unit.objects.none(), empty_label=None)
    document_type = forms.ModelChoiceField(
        label="Thể loại", queryset=DocumentType.objects.filter(active=True), empty_label="— chọn thể loại —",
        error_messages={"required": "Chưa chọn thể loại văn bản."},
    )  # fmt: skip
    subject = forms.CharField(
        label="Trích yếu nội dung", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Công văn ghi “V/v …”.", error_messages={"required": "Chưa có trích yếu nội dung."},
    )  # fmt: skip
    file = _file_field("Tệp dự thảo", ".docx,.pdf", "DOCX hoặc PDF. Để trống nếu giữ tệp hiện có.", False)
    urgency = forms.ModelChoiceField(
        label="Độ khẩn", queryset=Urgency.objects.filter(active=True, edxml_priority__gt=0), required=False,
        empty_label="Thường",
    )  # fmt: skip
    secrecy = forms.ModelChoiceField(
        label="Độ mật", queryset=SecrecyLevel.objects.none(), required=False, empty_label="Không mật"
    )
    signer = SignerChoice(
        label="Người ký", queryset=User.objects.none(), required=False, empty_label="— chọn —"
    )
    signer_name = forms.CharField(
        label="Họ tên người ký",
        max_length=120,
        required=False,
        help_text="Để trống thì lấy theo người ký đã chọn.",
    )
    signer_title = forms.CharField(
        label="Quyền hạn, chức vụ người ký", max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": "T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ"}),
    )  # fmt: skip
    recipient_units = UnitLabelChoice(
        label="Nơi nhận trong hệ thống", queryset=Unit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Văn bản được chuyển thẳng vào hàng tiếp nhận văn bản đến của đơn vị. Giữ Ctrl để chọn nhiều.",
    )  # fmt: skip
    external_recipients = forms.CharField(
        label="Nơi nhận ngoài hệ thống", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mỗi dòng “mã định danh – tên”, ví dụ “000.00.01.A53 – Văn phòng Tỉnh ủy Tây Ninh”, "
                  "hoặc chỉ ghi tên nếu gửi bản giấy.",
    )  # fmt: skip
    file_copy_holder = forms.CharField(
        label="Lưu", max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": "Lưu Văn phòng Tỉnh ủy"}),
    )  # fmt: skip
    copies = forms.IntegerField(
        label="Số lượng bản", min_value=1, max_value=9999, initial=1,
        error_messages={"min_value": "Số lượng bản phải từ 1 trở lên.", "invalid": "Số lượng bản phải là số."},
    )  # fmt: skip
    reply_due_date = PickerDateField(label="Hạn trả lời", required=False)
    notes = forms.CharField(label="Ghi chú", max_length=500, required=False)
    in_reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: list[Unit], user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        unit_field.choices = [(u.pk, u.name) for u in units]
        first = units[0] if units else None
        secrecy: Any = self.fields["secrecy"]
        secrecy.queryset = SecrecyLevel.objects.filter(active=True, rank__gt=0, rank__lte=user.clearance)
        signer: Any = self.fields["signer"]
        signer.queryset = signers_for(first)
        recipients: Any = self.fields["recipient_units"]
        recipients.queryset = recipient_units_for(first)

    def clean_file(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("file")
        return read_upload(upload) if upload else None

    def clean_external_recipients(self) -> list[RecipientIn]:
        return parse_external_recipients(self.cleaned_data.get("external_recipients") or "")

    def recipients(self) -> list[RecipientIn | Unit]:
        units: list[RecipientIn | Unit] = list(self.cleaned_data.get("recipient_units") or [])
        return units + list(self.cleaned_data.get("external_recipients") or [])


class ReviewForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approved", "Đồng ý"), ("rejected", "Trả lại")])
    comment = forms.CharField(
        label="Nhận xét", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Bắt buộc khi trả lại dự thảo.",
    )  # fmt: skip


class SignedUploadForm(forms.Form):
    file = _file_field("Bản đã ký (PDF)", ".pdf", "Tệp PDF văn bản đã ký (bản quét hoặc bản ký số).", True)

    def clean_file(self) -> tuple[bytes, str]:
        return read_upload(self.cleaned_data["file"])


class IssueForm(forms.Form):
    book = forms.ModelChoiceField(
        label="Sổ văn bản", queryset=NumberBook.objects.none(), required=False, empty_label="— tự chọn —"
    )
    reservation = forms.ModelChoiceField(
        label="Dùng số đã giữ", queryset=NumberReservation.objects.none(), required=False,
        empty_label="— cấp số mới —",
    )  # fmt: skip
    issued_date = PickerDateField(label="Ngày văn bản", required=False, help_text="Để trống: hôm nay.")

    def __init__(self, *args: Any, books: list[NumberBook], reservations: QuerySet[NumberReservation],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        book: Any = self.fields["book"]
        book.queryset = NumberBook.objects.filter(pk__in=[b.pk for b in books])
        reservation: Any = self.fields["reservation"]
        reservation.queryset = reservations


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Lý do", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Cần ghi lý do."},
    )  # fmt: skip


class ReserveForm(forms.Form):
    book = forms.ModelChoiceField(label="Sổ văn bản", queryset=NumberBook.objects.none(), empty_label=None)
    document_type = forms.ModelChoiceField(
        label="Thể loại", queryset=DocumentType.objects.filter(active=True), required=False,
        empty_label="— theo sổ —", help_text="Cần chọn khi sổ dùng cho nhiều thể loại.",
    )  # fmt: skip
    for_date = PickerDateField(label="Ngày dự kiến ban hành")
    reason = forms.CharField(
        label="Lý do giữ số", max_length=300, error_messages={"required": "Cần ghi lý do."}
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, books: QuerySet[NumberBook], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        book: Any = self.fields["book"]
        book.queryset = books


def reservation_choices(books: list[NumberBook]) -> QuerySet[NumberReservation]:
    """Held numbers of these books, oldest first."""
    return (
        NumberReservation.objects.filter(Q(book__in=books), status="reserved")
        .select_related("book")
        .order_by("number")
    )
