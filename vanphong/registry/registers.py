"""The statutory registers (sổ) of NĐ 30/2020/NĐ-CP Phụ lục IV, read from the documents already in the system.

- Sổ đăng ký văn bản đến (Phụ lục IV mục VI.2, tối thiểu 10 nội dung)
- Sổ đăng ký văn bản đi (mục I.2, tối thiểu 10 nội dung)
- Sổ theo dõi giải quyết văn bản đến (mục VIII.2, tối thiểu 07 nội dung)

Column headers are copied word for word from the decree's Phụ lục IV as reproduced in the public repository
ericphan28/van-ban-plus, ``docs/van-ban-phap-quy/nghi-dinh/30-2020-ND-CP/van-ban-goc/30.2020.NĐ-CP/Phuluc4.md``
(the decree text and its annexes) [V]. The decree asks that registers kept in the system can be printed with
all these columns, signed and bound (Điều 16, 22); ``exports`` prints them from the same column list.

Reads: a register belongs to one unit; the reader holds văn thư, lãnh đạo văn phòng, lãnh đạo cấp ủy or lưu
trữ over it (``can_read_register``); rows come through ``incoming_visible_to`` / ``outgoing_visible_to``, so
the clearance rule (độ mật) applies as everywhere else. ``viewer=None`` is the system (management command).
Rows are built from ``.values()`` of the listed columns only: the full text of a document is never loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import CharField, DateTimeField, F, IntegerField, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.catalogs.models import DocumentType
from vanphong.core.actions import register_action_labels
from vanphong.core.exceptions import NotFound
from vanphong.org.models import Unit

from .access import incoming_visible_to, outgoing_visible_to
from .forms import VietDateField
from .models import (
    IncomingDocument,
    IncomingStatus,
    Medium,
    NumberReservation,
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingStatus,
    ReservationStatus,
    ResultKind,
)

INCOMING = "incoming"
OUTGOING = "outgoing"
FOLLOWUP = "followup"

EXPORT_ACTION = "registry.register.export"
# Labels of the audit actions of this module. They belong in RegistryConfig.ready with the app's other labels;
# registered here until then (the module is imported with the URLconf, before any audit page renders).
register_action_labels({EXPORT_ACTION: "Xuất sổ đăng ký văn bản"})

SOURCE = "Nghị định 30/2020/NĐ-CP, Phụ lục IV"
PAGE_SIZE = 50
CHUNK = 1000  # rows per query when a whole register is read for an export

Row = dict[str, Any]


# ---------------------------------------------------------------- cell helpers


def _local_date(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value is not None else None


def _dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _join(*parts: Any, sep: str = "; ") -> str:
    return sep.join(str(p).strip() for p in parts if p and str(p).strip())


def type_and_subject(type_name: str | None, subject: str | None) -> str:
    """“Tên loại và trích yếu”: “Công văn về việc …”, or “Kế hoạch: Tổ chức …” when the trích yếu starts a
    sentence of its own; the trích yếu alone when the type is unknown."""
    subject = " ".join((subject or "").split())
    if not type_name:
        return subject
    if not subject:
        return type_name
    return f"{type_name} {subject}" if subject[0].islower() else f"{type_name}: {subject}"


def overdue_days(due: date | None, closed: Any, today: date) -> int:
    """Calendar days past ``due`` of an unfinished document (0 when not overdue or finished)."""
    if due is None or closed or due >= today:
        return 0
    return (today - due).days


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One column of a register form: the header exactly as printed in Phụ lục IV, the value of a row, and the
    width in Excel character units (screen and PDF use the same proportions). ``kind`` is ``text``, ``date``
    (a real date, printed dd/mm/yyyy), ``number`` (an integer) or ``sign`` (left blank to sign on paper);
    ``deadline`` columns are shown with the deadline chip on screen."""

    header: str
    get: Callable[[Row], Any]
    width: float
    kind: str = "text"
    deadline: bool = False  # on screen, shown as a deadline chip


def _blank(row: Row) -> None:
    return None


def _incoming_note(row: Row) -> str:
    status = row["status"]
    state = (
        IncomingStatus(status).label if status in {IncomingStatus.RETURNED, IncomingStatus.RECALLED} else ""
    )
    secrecy = row["secrecy__name"] if row["secrecy_rank"] else ""
    return _join(row["urgency__name"] if row["is_urgent"] else "", secrecy, state, row["notes"])


def _followup_identity(row: Row) -> str:
    """“Tên loại, số, ký hiệu, ngày, tháng và tên cơ quan, tổ chức ban hành văn bản” in one phrase."""
    parts = [row["document_type__name"] or "Văn bản"]
    if row["number_symbol"]:
        parts.append(f"số {row['number_symbol']}")
    if row["issued_date"]:
        parts.append(f"ngày {row['issued_date']:%d/%m/%Y}")
    if row["issuer_name"]:
        parts.append(f"của {row['issuer_name']}")
    return " ".join(parts)


def _followup_progress(row: Row) -> str:
    if row["progress_label"]:
        return str(row["progress_label"])
    if row["closed_at"]:
        return f"Đã giải quyết ngày {_dmy(_local_date(row['closed_at']))}"
    return str(IncomingStatus(row["status"]).label)


def _followup_note(row: Row) -> str:
    late = overdue_days(row["due_date"], row["_closed"], row["_today"])
    result = (
        ResultKind(row["result_kind"]).label if row["result_kind"] and not row["reply__number_symbol"] else ""
    )
    return _join(f"Quá hạn {late} ngày" if late else "", result, row["notes"])


def _outgoing_subject(row: Row) -> str:
    if row["c_kind"] == "cancelled":
        return "Số hủy"
    return type_and_subject(row["c_type"], row["c_subject"])


def _outgoing_note(row: Row) -> str:
    if row["c_kind"] == "cancelled":
        return _join(f"Lý do hủy: {row['c_note']}" if row["c_note"] else "Hủy số")
    recalled = ""
    if row["c_status"] == OutgoingStatus.RECALLED:
        when = _local_date(row["c_recalled_at"])
        recalled = _join(
            f"Đã thu hồi{f' ngày {_dmy(when)}' if when else ''}", row["c_recall_reason"], sep=": "
        )
    return _join(recalled, row["c_note"])


# Phụ lục IV mục VI.2 — Mẫu sổ đăng ký văn bản đến, (1)…(10).
INCOMING_COLUMNS: tuple[Column, ...] = (
    Column("Ngày đến", lambda r: _local_date(r["arrived_at"]), 13, "date"),
    Column("Số đến", lambda r: r["arrival_number"], 7, "number"),
    Column("Tác giả", lambda r: r["issuer_name"], 22),
    Column("Số, ký hiệu văn bản", lambda r: r["number_symbol"], 15),
    Column("Ngày tháng văn bản", lambda r: r["issued_date"], 13, "date"),
    Column("Tên loại và trích yếu nội dung văn bản", lambda r: type_and_subject(r["document_type__name"], r["subject"]), 40),
    Column("Đơn vị hoặc người nhận", lambda r: r["recipients_label"], 20),
    Column("Ngày chuyển", lambda r: _local_date(r["forwarded_at"]), 13, "date"),
    Column("Ký nhận", _blank, 10, "sign"),
    Column("Ghi chú", _incoming_note, 16),
)  # fmt: skip

# Phụ lục IV mục I.2 — Mẫu sổ đăng ký văn bản đi, (1)…(10).
OUTGOING_COLUMNS: tuple[Column, ...] = (
    Column("Số, ký hiệu văn bản", lambda r: r["c_symbol"], 15),
    Column("Ngày tháng văn bản", lambda r: r["c_date"] if r["c_kind"] == "doc" else None, 13, "date"),
    Column("Tên loại và trích yếu nội dung văn bản", _outgoing_subject, 40),
    Column("Người ký", lambda r: r["c_signer"], 16),
    Column("Nơi nhận văn bản", lambda r: r["recipients"], 26),
    Column("Đơn vị, người nhận bản lưu", lambda r: r["c_file_copy"], 16),
    Column("Số lượng bản", lambda r: r["c_copies"] if r["c_kind"] == "doc" else None, 9, "number"),
    Column("Ngày chuyển", lambda r: r["sent_on"], 13, "date"),
    Column("Ký nhận", _blank, 10, "sign"),
    Column("Ghi chú", _outgoing_note, 16),
)  # fmt: skip

# Phụ lục IV mục VIII.2 — Mẫu sổ theo dõi giải quyết văn bản đến, (1)…(7).
FOLLOWUP_COLUMNS: tuple[Column, ...] = (
    Column("Số đến", lambda r: r["arrival_number"], 8, "number"),
    Column("Tên loại, số, ký hiệu, ngày, tháng và tên cơ quan, tổ chức ban hành văn bản", _followup_identity, 46),
    Column("Đơn vị hoặc người nhận", lambda r: r["recipients_label"], 24),
    Column("Thời hạn giải quyết", lambda r: r["due_date"], 13, "date", deadline=True),
    Column("Tiến độ giải quyết", _followup_progress, 28),
    Column("Số, ký hiệu văn bản trả lời", lambda r: r["reply__number_symbol"], 16),
    Column("Ghi chú", _followup_note, 20),
)  # fmt: skip


@dataclass(frozen=True)
class Register:
    kind: str
    slug: str  # in the URL: /van-ban/so/<slug>/
    name: str  # sentence case, for headings
    title: str  # upper case, as on the book's cover
    file_stem: str
    columns: tuple[Column, ...]
    status_choices: tuple[tuple[str, str], ...]
    date_label: str  # which date the year and the range filter
    link_column: int  # the cell that links to the document
    source: str  # the form in the decree

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


_INCOMING_STATUSES = tuple((s.value, str(s.label)) for s in IncomingStatus)

REGISTERS: dict[str, Register] = {
    r.kind: r
    for r in (
        Register(
            INCOMING, "den", "Sổ đăng ký văn bản đến", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "so-den", INCOMING_COLUMNS,
            _INCOMING_STATUSES, "ngày đến", 1, f"{SOURCE}, mục VI (mẫu sổ đăng ký văn bản đến)",
        ),
        Register(
            OUTGOING, "di", "Sổ đăng ký văn bản đi", "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "so-di", OUTGOING_COLUMNS,
            (
                (OutgoingStatus.ISSUED.value, "Đã phát hành"),
                (OutgoingStatus.RECALLED.value, "Đã thu hồi"),
                ("cancelled", "Số hủy"),
            ),
            "ngày tháng văn bản", 0, f"{SOURCE}, mục I (mẫu sổ đăng ký văn bản đi)",
        ),
        Register(
            FOLLOWUP, "theo-doi", "Sổ theo dõi giải quyết văn bản đến", "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
            "so-theo-doi", FOLLOWUP_COLUMNS, _INCOMING_STATUSES, "ngày đến", 0,
            f"{SOURCE}, mục VIII (mẫu sổ theo dõi giải quyết văn bản đến)",
        ),
    )
}  # fmt: skip
REGISTERS_BY_SLUG = {r.slug: r for r in REGISTERS.values()}


def register_by_slug(slug: str) -> Register:
    try:
        return REGISTERS_BY_SLUG[slug]
    except KeyError as exc:
        raise NotFound("Không có sổ này.") from exc


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class RegisterFilters:
    """What part of a register to read. ``year`` always applies (a register is opened per calendar year);
    the date range narrows it within that year."""

    year: int
    date_from: date | None = None
    date_to: date | None = None
    medium: str = ""
    document_type: int | None = None
    status: str = ""
    urgent: bool = False
    overdue: bool = False
    q: str = ""
    today: date = field(default_factory=timezone.localdate, compare=False)

    def as_audit(self) -> dict[str, Any]:
        """The non-empty filters, JSON-safe (dates ISO), for the audit record."""
        data: dict[str, Any] = {"year": self.year}
        for name in ("date_from", "date_to", "medium", "document_type", "status", "urgent", "overdue", "q"):
            value = getattr(self, name)
            if value:
                data[name] = value.isoformat() if isinstance(value, date) else value
        return data

    @property
    def has_range(self) -> bool:
        return bool(self.date_from or self.date_to)

    def period_label(self) -> str:
        """“Năm 2026”, or the date range: “Từ ngày 01/01/2026 đến ngày 31/03/2026”."""
        if self.date_from and self.date_to:
            return f"Từ ngày {_dmy(self.date_from)} đến ngày {_dmy(self.date_to)}"
        if self.date_from:
            return f"Từ ngày {_dmy(self.date_from)} (năm {self.year})"
        if self.date_to:
            return f"Đến ngày {_dmy(self.date_to)} (năm {self.year})"
        return f"Năm {self.year}"

    def file_suffix(self) -> str:
        if not self.has_range:
            return str(self.year)
        start = self.date_from or date(self.year, 1, 1)
        end = self.date_to or date(self.year, 12, 31)
        return f"{start:%Y%m%d}-{end:%Y%m%d}"


class RegisterFilterForm(forms.Form):
    """The filter bar of a register (GET) and the options of ``vanphong registers export``."""

    year = forms.IntegerField(
        label="Năm", required=False, min_value=1930, max_value=2199,
        error_messages={"invalid": "Năm không hợp lệ.", "min_value": "Năm không hợp lệ.",
                        "max_value": "Năm không hợp lệ."},
        widget=forms.NumberInput(attrs={"style": "width:6em"}),
    )  # fmt: skip
    date_from = VietDateField(label="Từ ngày", required=False)
    date_to = VietDateField(label="Đến ngày", required=False)
    medium = forms.ChoiceField(label="Hình thức", required=False, choices=[("", "Tất cả"), *Medium.choices])
    document_type = forms.ModelChoiceField(
        label="Tên loại", required=False, queryset=DocumentType.objects.filter(active=True),
        empty_label="Tất cả",
    )  # fmt: skip
    status = forms.ChoiceField(label="Trạng thái", required=False)
    urgent = forms.BooleanField(label="Chỉ văn bản khẩn", required=False)
    overdue = forms.BooleanField(label="Chỉ văn bản quá hạn", required=False)
    q = forms.CharField(label="Số, ký hiệu hoặc trích yếu", required=False, max_length=100)

    def __init__(self, *args: Any, register: Register, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register = register
        self.today = today or timezone.localdate()
        status: Any = self.fields["status"]
        status.choices = [("", "Tất cả"), *register.status_choices]
        self.fields["year"].initial = self.today.year
        if register.kind == OUTGOING:
            del self.fields["medium"]
        if register.kind != FOLLOWUP:
            del self.fields["overdue"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        d_from, d_to = data.get("date_from"), data.get("date_to")
        if d_from and d_to and d_from > d_to:
            self.add_error("date_to", "Ngày cuối phải bằng hoặc sau ngày đầu của khoảng thời gian.")
        if "year" in data and not data.get("year"):
            data["year"] = (d_from or d_to or self.today).year
        year = data.get("year")
        for name in ("date_from", "date_to"):
            value = data.get(name)
            if year and value and value.year != year and name not in self.errors:
                self.add_error(name, f"Ngày {_dmy(value)} không thuộc năm {year}: mỗi năm mở một quyển sổ.")
        return data

    def filters(self) -> RegisterFilters:
        """Filters from valid data; the defaults (this year, everything) for an unbound form."""
        if not self.is_bound:
            return RegisterFilters(year=self.today.year, today=self.today)
        d = self.cleaned_data
        doc_type = d.get("document_type")
        return RegisterFilters(
            year=d["year"], date_from=d.get("date_from"), date_to=d.get("date_to"), medium=d.get("medium") or "",
            document_type=doc_type.pk if doc_type else None, status=d.get("status") or "",
            urgent=bool(d.get("urgent")), overdue=bool(d.get("overdue")), q=(d.get("q") or "").strip(),
            today=self.today,
        )  # fmt: skip

    def error_text(self) -> str:
        """Every error on one line, labelled, for the command line and flash messages."""
        parts: list[str] = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            parts.extend(f"{label}: {e}" if label else str(e) for e in errors)
        return " ".join(parts)


# ---------------------------------------------------------------- selectors


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


INCOMING_FIELDS = (
    "pk", "arrival_number", "arrived_at", "medium", "issuer_name", "number_symbol", "issued_date",
    "document_type__name", "subject", "recipients_label", "forwarded_at", "notes", "status", "is_urgent",
    "urgency__name", "secrecy__name", "secrecy_rank", "due_date", "progress_label", "reply__number_symbol",
    "closed_at", "result_kind",
)  # fmt: skip

CLOSED_STATUSES = (IncomingStatus.DONE, IncomingStatus.RETURNED, IncomingStatus.RECALLED)


def _incoming_queryset(
    register: Register, unit: Unit, f: RegisterFilters, viewer: User | None
) -> QuerySet[Any]:
    base = incoming_visible_to(viewer) if viewer is not None else IncomingDocument.objects.all()
    qs = base.filter(unit=unit, arrival_year=f.year)
    if f.date_from:
        qs = qs.filter(arrived_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(arrived_at__lt=_day_start(f.date_to + timedelta(days=1)))
    if f.medium:
        qs = qs.filter(medium=f.medium)
    if f.document_type:
        qs = qs.filter(document_type_id=f.document_type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.urgent:
        qs = qs.filter(is_urgent=True)
    if f.q:
        match = Q(subject__icontains=f.q) | Q(number_symbol__icontains=f.q) | Q(issuer_name__icontains=f.q)
        if f.q.isdigit():
            match |= Q(arrival_number=int(f.q))
        qs = qs.filter(match)
    if register.kind == FOLLOWUP:
        # The follow-up book tracks what has to be resolved: a deadline was set, or a reply was issued.
        qs = qs.filter(Q(due_date__isnull=False) | Q(reply__isnull=False))
    if f.overdue:
        qs = qs.filter(due_date__lt=f.today, closed_at__isnull=True).exclude(status__in=CLOSED_STATUSES)
    return qs.order_by("arrival_number", "pk").values(*INCOMING_FIELDS)


OUTGOING_COLUMNS_SQL = (
    "c_kind", "c_pk", "c_book", "c_book_name", "c_number", "c_symbol", "c_date", "c_type", "c_subject",
    "c_signer", "c_file_copy", "c_copies", "c_note", "c_status", "c_issued_at", "c_recalled_at",
    "c_recall_reason",
)  # fmt: skip
NO_BOOK = 2**31 - 1  # documents numbered outside any book come last


def _outgoing_queryset(unit: Unit, f: RegisterFilters, viewer: User | None) -> QuerySet[Any]:
    """Issued and recalled documents, and cancelled reserved numbers, of the unit's books: one UNION ordered by
    book and number, so the database pages it."""
    base = outgoing_visible_to(viewer) if viewer is not None else OutgoingDocument.objects.all()
    start, end = f.date_from or date(f.year, 1, 1), f.date_to or date(f.year, 12, 31)
    statuses: list[str] = [OutgoingStatus.ISSUED, OutgoingStatus.RECALLED]
    if f.status in statuses:
        statuses = [f.status]
    docs = base.filter(unit=unit, status__in=statuses, issued_date__gte=start, issued_date__lte=end)
    cancelled = NumberReservation.objects.filter(
        book__unit=unit, status=ReservationStatus.CANCELLED, for_date__gte=start, for_date__lte=end
    )
    if f.document_type:
        docs = docs.filter(document_type_id=f.document_type)
        cancelled = cancelled.filter(book__document_types=f.document_type)
    if f.urgent:
        docs = docs.filter(urgency__edxml_priority__gt=0)
    if f.q:
        docs = docs.filter(Q(subject__icontains=f.q) | Q(number_symbol__icontains=f.q))
        cancelled = cancelled.filter(number_symbol__icontains=f.q)
    if f.status == "cancelled":
        docs = docs.none()
    if f.status in statuses or f.urgent:
        cancelled = cancelled.none()
    docs = docs.annotate(
        c_kind=Value("doc", output_field=CharField()), c_pk=F("pk"),
        c_book=Coalesce(F("number_book_id"), Value(NO_BOOK)), c_book_name=F("number_book__name"),
        c_number=F("number"), c_symbol=F("number_symbol"), c_date=F("issued_date"), c_type=F("document_type__name"),
        c_subject=F("subject"), c_signer=F("signer_name"), c_file_copy=F("file_copy_holder"), c_copies=F("copies"),
        c_note=F("notes"), c_status=F("status"), c_issued_at=F("issued_at"), c_recalled_at=F("recalled_at"),
        c_recall_reason=F("recall_reason"),
    ).values(*OUTGOING_COLUMNS_SQL)  # fmt: skip
    empty = Value("", output_field=CharField())
    cancelled = cancelled.annotate(
        c_kind=Value("cancelled", output_field=CharField()), c_pk=F("pk"), c_book=F("book_id"),
        c_book_name=F("book__name"), c_number=F("number"), c_symbol=F("number_symbol"), c_date=F("for_date"),
        c_type=empty, c_subject=Value("", output_field=TextField()), c_signer=empty, c_file_copy=empty,
        c_copies=Value(None, output_field=IntegerField()), c_note=F("cancel_reason"),
        c_status=Value("cancelled", output_field=CharField()), c_issued_at=Value(None, output_field=DateTimeField()),
        c_recalled_at=Value(None, output_field=DateTimeField()), c_recall_reason=empty,
    ).values(*OUTGOING_COLUMNS_SQL)  # fmt: skip
    return (
        docs.order_by().union(cancelled.order_by(), all=True).order_by("c_book", "c_number", "c_kind", "c_pk")
    )


def _finish_incoming(raw: list[Row], f: RegisterFilters) -> list[Row]:
    for row in raw:
        row["_link"] = (INCOMING, row["pk"])
        row["_date"] = _local_date(row["arrived_at"])
        row["_number"] = row["arrival_number"]
        row["_done"] = _local_date(row["closed_at"])  # the date it was finished, for the deadline chip
        row["_closed"] = bool(row["closed_at"]) or row["status"] in CLOSED_STATUSES
        row["_today"] = f.today
    return raw


def _finish_outgoing(raw: list[Row], f: RegisterFilters) -> list[Row]:
    """Add “Nơi nhận” and “Ngày chuyển” from the recipients of the documents of this chunk (one query)."""
    ids = [r["c_pk"] for r in raw if r["c_kind"] == "doc"]
    recipients: dict[int, list[tuple[str, datetime | None]]] = {}
    if ids:
        rows = (
            OutgoingRecipient.objects.filter(document_id__in=ids)
            .order_by("document_id", "pk")
            .values_list("document_id", "name", "delivered_at")
        )
        for doc_id, name, delivered in rows:
            recipients.setdefault(doc_id, []).append((name, delivered))
    for row in raw:
        got = recipients.get(row["c_pk"], []) if row["c_kind"] == "doc" else []
        sent = [d for _, d in got if d is not None]
        row["recipients"] = "; ".join(name for name, _ in got)
        row["sent_on"] = _local_date(min(sent) if sent else row["c_issued_at"])
        row["_link"] = (OUTGOING, row["c_pk"]) if row["c_kind"] == "doc" else None
        row["_date"] = row["c_date"]
        row["_number"] = row["c_number"]
        row["_group"] = row["c_book_name"] or "Văn bản không thuộc sổ văn bản nào"
        row["_today"] = f.today
    return raw


class RegisterRows:
    """The rows of one register, read lazily: ``count()`` and slicing go to the database (so ``Paginator``
    pages there) and iteration reads ``CHUNK`` rows per query, each chunk enriched with one more query."""

    ordered = True

    def __init__(self, register: Register, unit: Unit, filters: RegisterFilters, viewer: User | None) -> None:
        self.register, self.unit, self.filters = register, unit, filters
        if register.kind == OUTGOING:
            self._qs = _outgoing_queryset(unit, filters, viewer)
        else:
            self._qs = _incoming_queryset(register, unit, filters, viewer)
        self._count: int | None = None

    def _finish(self, raw: list[Row]) -> list[Row]:
        if self.register.kind == OUTGOING:
            return _finish_outgoing(raw, self.filters)
        return _finish_incoming(raw, self.filters)

    def count(self) -> int:
        if self._count is None:
            self._count = self._qs.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Row]:
        if not isinstance(key, slice):
            raise TypeError("RegisterRows supports slices only")
        return self._finish([dict(r) for r in self._qs[key]])

    def __iter__(self) -> Iterator[Row]:
        start = 0
        while True:
            chunk = self[start : start + CHUNK]
            yield from chunk
            if len(chunk) < CHUNK:
                return
            start += CHUNK


def register_rows(
    register: Register, *, unit: Unit, filters: RegisterFilters, viewer: User | None
) -> RegisterRows:
    """The rows of ``register`` for ``unit``. ``viewer`` must be allowed to read the register (see
    ``access_register_unit``); ``None`` reads as the system (the management command)."""
    return RegisterRows(register, unit, filters, viewer)


def cells(register: Register, row: Row) -> list[Any]:
    """The values of a row, column by column (dates as ``date``, numbers as ``int``, blanks as ``None``)."""
    return [column.get(row) for column in register.columns]


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return _dmy(value)
    return str(value)


def unit_heading(unit: Unit) -> tuple[str, str]:
    """(tên cơ quan cấp trên, tên cơ quan) as printed on a register's cover; the first may be empty."""
    parent = unit.parent
    superior = parent.name if parent is not None and parent.parent_id is not None else ""
    return superior.upper(), unit.name.upper()
