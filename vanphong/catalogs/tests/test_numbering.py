"""Number allocation: Party books restart per term, State books per calendar year; secret documents share
the sequence (36-HD/VPTW) or have their own (NĐ 30/2020) as the book says; each allocation is locked and audited."""

from __future__ import annotations

import threading
from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.db.models import QuerySet

from vanphong.catalogs.models import DocumentType, IssuerSymbol, NumberBook, NumberSequence, Term
from vanphong.catalogs.services import catalog_entry_save, number_allocate
from vanphong.core.exceptions import ValidationError
from vanphong.core.models import AuditRecord
from vanphong.testing.factories import make_unit

pytestmark = pytest.mark.django_db
SRC = "HD 36-HD/VPTW mục II.1.3.1.a [V]"


def _type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


def _book(unit, *codes: str, **kw) -> NumberBook:
    book = NumberBook.objects.create(name=kw.pop("name", "Sổ thử"), unit=unit, source=SRC, **kw)
    book.document_types.set([_type(c) for c in codes])
    return book


@pytest.fixture
def terms(province):
    Term.objects.create(
        unit=province, name="Nhiệm kỳ 2020–2025", start=date(2020, 10, 16), end=date(2025, 10, 15), source=SRC
    )
    return Term.objects.create(unit=province, name="Nhiệm kỳ 2025–2030", start=date(2025, 10, 16), source=SRC)


def test_party_book_restarts_per_term_not_per_year(admin, province, terms):
    """12-NQ/TU style; the sequence crosses 1 January and restarts from 01 with the new term."""
    book = _book(province, "nghi-quyet")
    assert number_allocate(actor=admin, book=book, on_date=date(2025, 9, 1)) == (1, "01-NQ/TU")
    assert number_allocate(actor=admin, book=book, on_date=date(2025, 10, 15)) == (2, "02-NQ/TU")
    assert number_allocate(actor=admin, book=book, on_date=date(2025, 10, 16)) == (1, "01-NQ/TU")
    assert number_allocate(actor=admin, book=book, on_date=date(2025, 12, 31))[0] == 2
    assert number_allocate(actor=admin, book=book, on_date=date(2026, 1, 2)) == (3, "03-NQ/TU")
    labels = set(NumberSequence.objects.filter(book=book).values_list("period_label", flat=True))
    assert labels == {"Nhiệm kỳ 2020–2025", "Nhiệm kỳ 2025–2030"}


def test_party_number_above_nine_has_no_padding(admin, province, terms):
    """Numbers from 01 to 09 carry a leading zero, 10 and above print as is."""
    book = _book(province, "nghi-quyet")
    NumberSequence.objects.create(book=book, period_key=f"term:{terms.pk}", last_number=11)
    assert number_allocate(actor=admin, book=book, on_date=date(2026, 3, 1)) == (12, "12-NQ/TU")


def test_party_secret_documents_share_the_sequence(admin, province, terms):
    """36-HD/VPTW: a secret document takes the next number of the same sequence."""
    book = _book(province, "nghi-quyet", secret_sequence="shared")
    on = date(2026, 3, 1)
    assert number_allocate(actor=admin, book=book, on_date=on)[0] == 1
    assert number_allocate(actor=admin, book=book, on_date=on, secret=True)[0] == 2
    assert number_allocate(actor=admin, book=book, on_date=on)[0] == 3


def test_term_book_without_term_is_refused_in_vietnamese(admin, province):
    """No term covering the date → a message the clerk can act on."""
    book = _book(province, "nghi-quyet")
    with pytest.raises(ValidationError) as exc:
        number_allocate(actor=admin, book=book, on_date=date(2026, 3, 1))
    assert "Chưa khai báo nhiệm kỳ" in exc.value.message


def test_staff_body_numbers_within_its_committee_term(admin, province, terms):
    """Văn phòng Tỉnh ủy has no term of its own: it uses the province committee's term and its own symbol."""
    office = make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")
    symbol = IssuerSymbol.objects.create(unit=office, symbol="VPTU", issuer_kind="staff", source=SRC)
    book = _book(office, "cong-van", issuer_symbol=symbol)
    assert number_allocate(actor=admin, book=book, on_date=date(2026, 3, 1)) == (1, "01-CV/VPTU")


def test_state_book_restarts_each_year_and_separates_secret(admin, province):
    """NĐ 30: 12/QĐ-UBND style, from 01 each 1 January, secret documents in their own sequence."""
    ubnd = make_unit(province, "Ủy ban nhân dân thử")
    symbol = IssuerSymbol.objects.create(unit=ubnd, symbol="UBND", issuer_kind="state", source="NĐ 30 [V]")
    book = _book(
        ubnd, "quyet-dinh", style="state", reset="year", secret_sequence="separate", issuer_symbol=symbol
    )
    assert number_allocate(actor=admin, book=book, on_date=date(2025, 12, 30)) == (1, "01/QĐ-UBND")
    assert number_allocate(actor=admin, book=book, on_date=date(2025, 12, 31)) == (2, "02/QĐ-UBND")
    assert number_allocate(actor=admin, book=book, on_date=date(2025, 12, 31), secret=True) == (
        1,
        "01/QĐ-UBND",
    )
    assert number_allocate(actor=admin, book=book, on_date=date(2026, 1, 2)) == (1, "01/QĐ-UBND")


def test_book_shared_by_two_types(admin, province, terms):
    """Quyết định and Quy định in one book with the shared abbreviation QĐ take one sequence."""
    book = _book(province, "quyet-dinh", "quy-dinh", type_abbr="QĐ")
    on = date(2026, 3, 1)
    assert number_allocate(actor=admin, book=book, on_date=on, document_type=_type("quyet-dinh")) == (
        1,
        "01-QĐ/TU",
    )
    assert number_allocate(actor=admin, book=book, on_date=on, document_type=_type("quy-dinh")) == (
        2,
        "02-QĐ/TU",
    )


def test_book_with_several_types_needs_the_type(admin, province, terms):
    """Without a shared abbreviation the type must be given, and must belong to the book."""
    book = _book(province, "thong-bao", "bao-cao")
    on = date(2026, 3, 1)
    with pytest.raises(ValidationError, match="cần chọn thể loại"):
        number_allocate(actor=admin, book=book, on_date=on)
    assert number_allocate(actor=admin, book=book, on_date=on, document_type=_type("bao-cao")) == (
        1,
        "01-BC/TU",
    )
    with pytest.raises(ValidationError, match="không dùng cho thể loại"):
        number_allocate(actor=admin, book=book, on_date=on, document_type=_type("nghi-quyet"))


def test_custom_template_with_year(admin, province):
    """A book may print the year: {n}/{year}/{type}-{issuer}."""
    book = _book(
        province, "quyet-dinh", style="state", reset="year", symbol_template="{n}/{year}/{type}-{issuer}"
    )
    assert number_allocate(actor=admin, book=book, on_date=date(2026, 5, 4)) == (1, "01/2026/QĐ-TU")


def test_allocation_is_audited(admin, province, terms):
    """Each number taken leaves an audit record with the symbol."""
    book = _book(province, "nghi-quyet")
    number_allocate(actor=admin, book=book, on_date=date(2026, 3, 1))
    record = AuditRecord.objects.filter(action="catalogs.number.allocate").latest("seq")
    assert record.after["symbol"] == "01-NQ/TU" and record.actor_id == admin.pk


def test_allocation_locks_book_and_sequence_rows(admin, province, terms):
    """The service takes the book and sequence rows with SELECT … FOR UPDATE (a no-op on SQLite)."""
    book = _book(province, "nghi-quyet")
    locked: list[str] = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model.__name__)
        return original(self, *args, **kwargs)

    with mock.patch.object(QuerySet, "select_for_update", spy):
        number_allocate(actor=admin, book=book, on_date=date(2026, 3, 1))
    assert locked[:2] == ["NumberBook", "NumberSequence"]


def test_inactive_book_refused(admin, province, terms):
    book = _book(province, "nghi-quyet", active=False)
    with pytest.raises(ValidationError, match="ngừng sử dụng"):
        number_allocate(actor=admin, book=book, on_date=date(2026, 3, 1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_allocations_never_repeat(province):
    """Ten threads allocating at once get ten different numbers (row locks on PostgreSQL, BEGIN IMMEDIATE on
    SQLite)."""
    Term.objects.create(unit=province, name="NK", start=date(2025, 10, 16), source=SRC)
    book = _book(province, "nghi-quyet")
    results: list[int] = []

    def worker() -> None:
        results.append(number_allocate(actor=None, book=book, on_date=date(2026, 3, 1))[0])
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 11))


def test_term_overlap_refused(admin, province, terms):
    """Two terms of one committee may not overlap; the message names the other term."""
    with pytest.raises(ValidationError, match="trùng thời gian với “Nhiệm kỳ 2025–2030”"):
        catalog_entry_save(
            actor=admin,
            instance=Term(),
            data={
                "unit": province,
                "name": "Nhiệm kỳ sai",
                "start": date(2030, 1, 1),
                "end": None,
                "source": SRC,
            },
        )
    term = catalog_entry_save(actor=admin, instance=terms, data={"end": date(2030, 10, 1)})
    assert term.end == date(2030, 10, 1)
    ok = catalog_entry_save(
        actor=admin,
        instance=Term(),
        data={
            "unit": province,
            "name": "Nhiệm kỳ 2030–2035",
            "start": date(2030, 10, 2),
            "source": SRC,
        },
    )
    assert ok.pk
