"""Writes to the catalogues and number allocation. Every write is audited in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import Q

from vanphong.core.audit import audit_log, snapshot
from vanphong.core.exceptions import ValidationError

from .access import require_catalog_editor
from .holidays import invalidate_calendar
from .models import (
    AuthorityRule,
    CalendarException,
    DocumentType,
    HolidayRule,
    IssuerSymbol,
    NumberBook,
    NumberSequence,
    NumberStyle,
    ResetRule,
    RetentionPeriod,
    ReviewStep,
    SecrecyLevel,
    SecretSequence,
    Term,
    Urgency,
)

EDITABLE_MODELS: tuple[type[models.Model], ...] = (
    DocumentType, IssuerSymbol, AuthorityRule, Term, NumberBook, Urgency, SecrecyLevel, RetentionPeriod,
    HolidayRule, CalendarException, ReviewStep,
)  # fmt: skip
CALENDAR_MODELS = (HolidayRule, CalendarException)


def _validation_message(instance: models.Model, exc: DjangoValidationError) -> ValidationError:
    parts = []
    for name, errors in exc.message_dict.items():
        if name == "__all__":
            parts.append(" ".join(errors))
            continue
        try:
            label = str(getattr(instance._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            label = name
        parts.append(f"{label}: {' '.join(errors)}")
    return ValidationError("Dữ liệu không hợp lệ — " + "; ".join(parts), details=exc.message_dict)


def catalog_entry_save(*, actor: Any, instance: models.Model, data: dict[str, Any]) -> models.Model:
    """Create (``instance.pk is None``) or update one catalogue entry with ``data`` (field name → value).

    Many-to-many values are lists of objects or ids. ``actor=None`` means the system (seed data); a person
    must be a catalogue editor. Saving holiday data refreshes the working calendar after commit.
    """
    if actor is not None:
        require_catalog_editor(actor)
    model = type(instance)
    if model not in EDITABLE_MODELS:
        raise ValidationError("Danh mục này không sửa được qua giao diện.")
    with transaction.atomic():
        creating = instance.pk is None
        if not creating:
            instance = model._default_manager.select_for_update().get(pk=instance.pk)
        before = None if creating else snapshot(instance)
        many: dict[str, Any] = {}
        for name, value in data.items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many[name] = value
            elif field.is_relation and value is not None and not isinstance(value, models.Model):
                setattr(instance, field.attname, value)  # type: ignore[union-attr]
            else:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise _validation_message(instance, exc) from exc
        instance.save()
        for name, value in many.items():
            getattr(instance, name).set(value)
        action = f"catalogs.{model._meta.model_name}.{'create' if creating else 'update'}"
        audit_log(actor=actor, action=action, obj=instance, before=before, after=snapshot(instance))
        if isinstance(instance, CALENDAR_MODELS):
            transaction.on_commit(invalidate_calendar)
    return instance


# --- numbering -------------------------------------------------------------------------------------------


def term_for(unit_id: int, on_date: date) -> Term | None:
    """The active term containing ``on_date`` of the unit or, failing that, of its nearest ancestor.

    A cơ quan tham mưu (e.g. Văn phòng Tỉnh ủy) numbers within the term of its cấp ủy (36-HD/VPTW).
    """
    from vanphong.org.models import Unit

    unit = Unit.objects.get(pk=unit_id)
    ids = unit.ancestor_ids
    return (
        Term.objects.filter(unit_id__in=ids, active=True, start__lte=on_date)
        .filter(Q(end__isnull=True) | Q(end__gte=on_date))
        .order_by("-unit__depth", "-start")
        .first()
    )


def _period(book: NumberBook, on_date: date) -> tuple[str, str]:
    if book.reset == ResetRule.YEAR:
        return f"year:{on_date.year}", f"Năm {on_date.year}"
    term = term_for(book.unit_id, on_date)
    if term is None:
        raise ValidationError(
            f"Chưa khai báo nhiệm kỳ của {book.unit} chứa ngày {on_date:%d/%m/%Y}, nên chưa cấp số được cho "
            f"sổ “{book.name}” (sổ đánh số theo nhiệm kỳ). Đề nghị quản trị khai báo nhiệm kỳ."
        )
    return f"term:{term.pk}", term.name


def _type_abbr(book: NumberBook, document_type: DocumentType | None) -> str:
    types = list(book.document_types.all())
    if document_type is not None and document_type.pk not in {t.pk for t in types}:
        raise ValidationError(f"Sổ “{book.name}” không dùng cho thể loại “{document_type.name}”.")
    if book.type_abbr:
        return book.type_abbr
    if document_type is None:
        if len(types) != 1:
            raise ValidationError(f"Sổ “{book.name}” dùng cho nhiều thể loại: cần chọn thể loại văn bản.")
        document_type = types[0]
    return document_type.party_abbr if book.style == NumberStyle.PARTY else document_type.state_abbr


def format_symbol(template: str, *, n: int, type_abbr: str, issuer: str, year: int) -> str:
    """``12-NQ/TU`` (Party, 36-HD/VPTW) or ``12/QĐ-UBND`` (State, NĐ 30); numbers below 10 get a leading 0."""
    return template.format(n=f"{n:02d}", type=type_abbr, issuer=issuer, year=year)


def number_allocate(
    *,
    actor: Any,
    book: NumberBook,
    on_date: date,
    secret: bool = False,
    document_type: DocumentType | None = None,
) -> tuple[int, str]:
    """Take the next number of ``book`` for the period containing ``on_date``; return ``(n, symbol)``.

    The book row is locked first (``select_for_update``), so concurrent allocations in one book queue up and
    the sequence row is created at most once. Period: the term containing ``on_date`` (term books) or the
    calendar year. Secret documents share the sequence or use their own, as the book says.
    """
    with transaction.atomic():
        book = (
            NumberBook.objects.select_for_update(of=("self",))
            .select_related("unit", "issuer_symbol")
            .get(pk=book.pk)
        )
        if not book.active:
            raise ValidationError(f"Sổ “{book.name}” đã ngừng sử dụng.")
        template = book.template()
        type_abbr = _type_abbr(book, document_type)
        if "{type}" in template and not type_abbr:
            raise ValidationError(
                f"Thể loại văn bản của sổ “{book.name}” chưa có chữ viết tắt cho kiểu số này."
            )
        issuer = book.issuer_symbol.symbol if book.issuer_symbol else book.unit.short_name
        if "{issuer}" in template and not issuer:
            raise ValidationError(f"Đơn vị {book.unit} chưa có ký hiệu cơ quan ban hành.")
        period_key, period_label = _period(book, on_date)
        separate = secret and book.secret_sequence == SecretSequence.SEPARATE
        sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
            book=book, period_key=period_key, secret=separate, defaults={"period_label": period_label}
        )
        sequence.last_number += 1
        sequence.save(update_fields=["last_number", "updated_at"])
        n = sequence.last_number
        symbol = format_symbol(template, n=n, type_abbr=type_abbr, issuer=issuer, year=on_date.year)
        audit_log(
            actor=actor, action="catalogs.number.allocate", obj=sequence,
            before={"last_number": n - 1},
            after={"number": n, "symbol": symbol, "secret": secret, "on_date": on_date, "period": period_key},
        )  # fmt: skip
    return n, symbol
