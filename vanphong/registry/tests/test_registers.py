"""Registers on screen (NĐ 30/2020 Phụ lục IV): exact headers, rows, filters, access, paging and query counts.

Shared fixtures and row builders live here; ``test_registers_export`` imports them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.models import Clearance, Role, User
from vanphong.catalogs.models import DocumentType, NumberBook, SecrecyLevel, Urgency
from vanphong.core.models import AuditRecord
from vanphong.org.models import Unit
from vanphong.registry.models import (
    IncomingDocument,
    IncomingStatus,
    Medium,
    NumberReservation,
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingStatus,
    ReservationStatus,
)
from vanphong.registry.registers import (
    FOLLOWUP,
    INCOMING,
    OUTGOING,
    REGISTERS,
    RegisterFilters,
    cells,
    register_rows,
)
from vanphong.registry.services.incoming import incoming_document_register, incoming_handling_update
from vanphong.testing.factories import login, make_province, make_unit, make_user

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()
THIS_YEAR = timezone.localdate().year

# The forms as printed in NĐ 30/2020 Phụ lục IV (mục VI.2, I.2, VIII.2), word for word and in order.
INCOMING_HEADERS = [
    "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú",
]  # fmt: skip
OUTGOING_HEADERS = [
    "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản", "Người ký",
    "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú",
]  # fmt: skip
FOLLOWUP_HEADERS = [
    "Số đến", "Tên loại, số, ký hiệu, ngày, tháng và tên cơ quan, tổ chức ban hành văn bản",
    "Đơn vị hoặc người nhận", "Thời hạn giải quyết", "Tiến độ giải quyết", "Số, ký hiệu văn bản trả lời", "Ghi chú",
]  # fmt: skip
HEADERS = {INCOMING: INCOMING_HEADERS, OUTGOING: OUTGOING_HEADERS, FOLLOWUP: FOLLOWUP_HEADERS}
SLUGS = {INCOMING: "den", OUTGOING: "di", FOLLOWUP: "theo-doi"}


# ---------------------------------------------------------------- fixtures and builders


@pytest.fixture
def province() -> Unit:
    return make_province(name="Tỉnh ủy Tây Ninh")


@pytest.fixture
def office(province: Unit) -> Unit:
    return make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")


@pytest.fixture
def clerk(office: Unit) -> User:
    return make_user(office, [Role.CLERK], full_name="Nguyễn Thị Văn Thư")


@pytest.fixture
def congvan() -> DocumentType:
    return DocumentType.objects.get(code="cong-van")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def register_incoming(clerk: User, unit: Unit, day: date, n: int = 1, **kw: Any) -> IncomingDocument:
    """One document registered through the service (the real numbering), arriving on ``day``."""
    kw.setdefault("number_symbol", f"{n}-CV/TU")
    kw.setdefault("issued_date", day - timedelta(days=1))
    kw.setdefault("subject", f"về việc thử nghiệm số {n}")
    return incoming_document_register(
        actor=clerk, unit=unit, medium=kw.pop("medium", Medium.PAPER), issuer_name=kw.pop("issuer_name", "Tỉnh ủy"),
        arrived_at=at(day), acknowledge_duplicate=True, **kw,
    )  # fmt: skip


def bulk_incoming(unit: Unit, count: int, year: int = THIS_YEAR, first: int = 1, **kw: Any) -> None:
    """Many rows at once, for paging and volume tests (numbers first…, a long body text on each)."""
    start = date(year, 1, 5)
    IncomingDocument.objects.bulk_create(
        IncomingDocument(
            unit=unit, arrival_year=year, arrival_number=i, arrived_at=at(start + timedelta(days=i % 300)),
            medium=Medium.ELECTRONIC, number_symbol=f"{i}-CV/TU", issued_date=start, issuer_name="Tỉnh ủy",
            subject=f"Trích yếu {i}", text="NỘI DUNG TOÀN VĂN " * 200, **kw,
        )
        for i in range(first, first + count)
    )  # fmt: skip


def outgoing(unit: Unit, doc_type: DocumentType, number: int, **kw: Any) -> OutgoingDocument:
    kw.setdefault("status", OutgoingStatus.ISSUED)
    kw.setdefault("issued_date", date(THIS_YEAR, 2, number % 27 + 1))
    kw.setdefault("issued_at", at(kw["issued_date"], 15))
    return OutgoingDocument.objects.create(
        unit=unit, document_type=doc_type, number=number, number_symbol=f"{number}-CV/VPTU",
        subject=kw.pop("subject", f"về việc số {number}"), signer_name=kw.pop("signer_name", "Trần Văn Ký"),
        copies=kw.pop("copies", 3), file_copy_holder=kw.pop("file_copy_holder", "Lưu Văn phòng"), **kw,
    )  # fmt: skip


def book_for(unit: Unit, doc_type: DocumentType, name: str = "Sổ công văn") -> NumberBook:
    book = NumberBook.objects.create(name=name, unit=unit, source="thử nghiệm")
    book.document_types.add(doc_type)
    return book


def head_cells(html: str) -> list[str]:
    row = re.search(r'<tr class="register-head">(.*?)</tr>', html, re.S)
    assert row, "no header row"
    return [
        unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<th[^>]*>(.*?)</th>", row.group(1), re.S)
    ]


def body_rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        tds = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        if tds:
            rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in tds])
    return rows


def list_url(kind: str) -> str:
    return reverse("registry:register_list", args=[SLUGS[kind]])


# ---------------------------------------------------------------- the forms


def test_column_definitions_are_the_phu_luc_iv_forms() -> None:
    """Each register has exactly the columns of its NĐ 30 form, with the decree's wording, in order."""
    for kind, headers in HEADERS.items():
        assert REGISTERS[kind].headers == headers
    assert [len(REGISTERS[k].columns) for k in (INCOMING, OUTGOING, FOLLOWUP)] == [10, 10, 7]


@pytest.mark.parametrize("kind", [INCOMING, OUTGOING, FOLLOWUP])
def test_screen_header_row_is_exactly_the_form(client: Client, clerk: User, office: Unit, kind: str) -> None:
    """The table's header row reads like the paper form; the next row numbers the columns (1)…(n)."""
    login(client, clerk)
    html = client.get(list_url(kind)).content.decode()
    assert head_cells(html) == HEADERS[kind]
    assert "(1)" in html and f"({len(HEADERS[kind])})" in html
    assert "Xuất Excel" in html and "Xuất PDF" in html


def test_incoming_rows_show_the_register_columns_and_link_to_the_document(
    client: Client, clerk: User, office: Unit, congvan: DocumentType
) -> None:
    """A registered and forwarded document fills the ten columns; Số đến links to the document page."""
    day = date(THIS_YEAR, 3, 5)
    urgent = Urgency.objects.get(code="khan")
    doc = register_incoming(
        clerk, office, day, number_symbol="57-CV/TU", document_type=congvan, urgency=urgent, notes="Bản chính"
    )
    incoming_handling_update(
        actor=clerk,
        document=doc,
        recipients_label="Phòng Tổng hợp",
        forwarded_at=at(date(THIS_YEAR, 3, 6), 8),
    )
    login(client, clerk)
    html = client.get(list_url(INCOMING)).content.decode()
    assert body_rows(html) == [
        [
            f"05/03/{THIS_YEAR}", str(doc.arrival_number), "Tỉnh ủy", "57-CV/TU", f"04/03/{THIS_YEAR}",
            "Công văn về việc thử nghiệm số 1", "Phòng Tổng hợp", f"06/03/{THIS_YEAR}", "", "Khẩn; Bản chính",
        ]
    ]  # fmt: skip
    detail = reverse("registry:incoming_detail", args=[doc.pk])
    assert f'<a href="{detail}">{doc.arrival_number}</a>' in html


def test_year_defaults_to_this_year_and_filters_by_arrival_year(
    client: Client, clerk: User, office: Unit
) -> None:
    """Without filters the register is this year's; ?year= opens another year's book."""
    register_incoming(clerk, office, date(THIS_YEAR - 1, 12, 30), 1, subject="năm trước")
    register_incoming(clerk, office, date(THIS_YEAR, 1, 2), 2, subject="năm nay")
    login(client, clerk)
    html = client.get(list_url(INCOMING)).content.decode()
    assert "năm nay" in html and "năm trước" not in html
    html = client.get(list_url(INCOMING), {"year": THIS_YEAR - 1}).content.decode()
    assert "năm trước" in html and "năm nay" not in html


def test_date_range_and_text_filters(client: Client, clerk: User, office: Unit) -> None:
    """From/to (dd/mm/yyyy, both days included) and a search in trích yếu or số, ký hiệu."""
    for n, day in enumerate([date(THIS_YEAR, 1, 10), date(THIS_YEAR, 2, 1), date(THIS_YEAR, 2, 28)], 1):
        register_incoming(clerk, office, day, n, subject=f"tháng {day.month} ngày {day.day}")
    login(client, clerk)
    r = client.get(list_url(INCOMING), {"date_from": f"01/02/{THIS_YEAR}", "date_to": f"28/02/{THIS_YEAR}"})
    assert [row[0] for row in body_rows(r.content.decode())] == [f"01/02/{THIS_YEAR}", f"28/02/{THIS_YEAR}"]
    r = client.get(list_url(INCOMING), {"q": "3-CV"})
    assert [row[3] for row in body_rows(r.content.decode())] == ["3-CV/TU"]


def test_wrong_date_gets_a_vietnamese_message_and_no_rows(client: Client, clerk: User, office: Unit) -> None:
    """31/02 is not a date: the field says how to type it, the table is not shown, exports go back to the page."""
    register_incoming(clerk, office, date(THIS_YEAR, 1, 10))
    login(client, clerk)
    r = client.get(list_url(INCOMING), {"date_from": f"31/02/{THIS_YEAR}"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm" in html
    assert 'class="register-head"' not in html
    r = client.get(reverse("registry:register_export", args=["den", "xlsx"]), {"date_from": "hôm qua"})
    assert r.status_code == 302 and r.url.startswith(list_url(INCOMING))
    assert not AuditRecord.objects.filter(action="registry.register.export").exists()


def test_range_must_lie_in_the_year_and_run_forwards(client: Client, clerk: User, office: Unit) -> None:
    """A register is one year's book; a range in another year, or ending before it starts, is refused."""
    login(client, clerk)
    html = client.get(
        list_url(INCOMING), {"year": THIS_YEAR, "date_from": f"01/12/{THIS_YEAR - 1}"}
    ).content.decode()
    assert f"không thuộc năm {THIS_YEAR}" in html
    html = client.get(
        list_url(INCOMING), {"date_from": f"10/03/{THIS_YEAR}", "date_to": f"01/03/{THIS_YEAR}"}
    ).content.decode()
    assert "Ngày cuối phải bằng hoặc sau ngày đầu" in html


def test_medium_status_and_urgent_filters(clerk: User, office: Unit) -> None:
    """Hình thức, trạng thái and “chỉ văn bản khẩn” narrow the incoming register."""
    day = date(THIS_YEAR, 4, 1)
    register_incoming(clerk, office, day, 1, medium=Medium.ELECTRONIC)
    paper = register_incoming(clerk, office, day, 2, urgency=Urgency.objects.get(code="hoa-toc"))
    incoming_handling_update(actor=clerk, document=paper, status=IncomingStatus.IN_PROGRESS)
    reg = REGISTERS[INCOMING]

    def numbers(**kw: Any) -> list[int]:
        rows = register_rows(reg, unit=office, filters=RegisterFilters(year=THIS_YEAR, **kw), viewer=clerk)
        return [r["arrival_number"] for r in rows]

    assert numbers() == [1, 2]
    assert numbers(medium=Medium.ELECTRONIC) == [1]
    assert numbers(status=IncomingStatus.IN_PROGRESS) == [2]
    assert numbers(urgent=True) == [2]


def test_followup_register_deadline_chip_and_overdue_filter(
    client: Client, clerk: User, office: Unit
) -> None:
    """Documents with a deadline (or a reply) are followed; “quá hạn” keeps unfinished ones past their deadline."""
    today = timezone.localdate()
    day = date(today.year, 1, 5)
    late = register_incoming(clerk, office, day, 1, subject="quá hạn")
    soon = register_incoming(clerk, office, day, 2, subject="còn hạn")
    done = register_incoming(clerk, office, day, 3, subject="đã xong")
    register_incoming(clerk, office, day, 4, subject="để biết")  # no deadline: not followed
    incoming_handling_update(
        actor=clerk, document=late, due_date=today - timedelta(days=3), recipients_label="Ban A"
    )
    incoming_handling_update(actor=clerk, document=soon, due_date=today + timedelta(days=10))
    incoming_handling_update(
        actor=clerk, document=done, due_date=today - timedelta(days=5), status=IncomingStatus.DONE,
        closed_at=timezone.now() - timedelta(days=6), progress_label="Đã báo cáo",
    )  # fmt: skip
    login(client, clerk)
    html = client.get(list_url(FOLLOWUP)).content.decode()
    rows = body_rows(html)
    assert [r[0] for r in rows] == [
        str(late.arrival_number),
        str(soon.arrival_number),
        str(done.arrival_number),
    ]
    assert rows[0][1] == f"Văn bản số 1-CV/TU ngày {late.issued_date:%d/%m/%Y} của Tỉnh ủy"
    assert "Quá hạn 3 ngày" in rows[0][3] and "Quá hạn 3 ngày" in rows[0][6]
    assert "Xong đúng hạn" in rows[2][3] and rows[2][4] == "Đã báo cáo"
    html = client.get(list_url(FOLLOWUP), {"overdue": "on"}).content.decode()
    assert [r[0] for r in body_rows(html)] == [str(late.arrival_number)]


def test_outgoing_register_has_cancelled_numbers_and_recalled_documents_in_number_order(
    client: Client, clerk: User, office: Unit, congvan: DocumentType
) -> None:
    """Issued and recalled documents and cancelled reserved numbers, per book in number order; drafts are not in
    the register. “Số hủy” carries the reason, a recalled document says so in Ghi chú."""
    book = book_for(office, congvan)
    first = outgoing(office, congvan, 1, number_book=book, issued_date=date(THIS_YEAR, 2, 1))
    OutgoingRecipient.objects.create(
        document=first, name="Các ban đảng Tỉnh ủy", delivered_at=at(date(THIS_YEAR, 2, 2))
    )
    OutgoingRecipient.objects.create(document=first, name="Đảng ủy xã A")
    outgoing(
        office, congvan, 2, number_book=book, status=OutgoingStatus.RECALLED, recalled_at=at(date(THIS_YEAR, 2, 9)),
        recall_reason="sai thể thức",
    )  # fmt: skip
    NumberReservation.objects.create(
        book=book, number=3, number_symbol="3-CV/VPTU", for_date=date(THIS_YEAR, 2, 5),
        status=ReservationStatus.CANCELLED, cancel_reason="Không ban hành nữa", reserved_by=clerk,
    )  # fmt: skip
    NumberReservation.objects.create(
        book=book, number=5, number_symbol="5-CV/VPTU", for_date=date(THIS_YEAR, 2, 5), reserved_by=clerk
    )  # still held: not a register row
    outgoing(office, congvan, 4, number_book=book)
    outgoing(office, congvan, 9, number_book=book, status=OutgoingStatus.DRAFT)
    login(client, clerk)
    html = client.get(list_url(OUTGOING)).content.decode()
    rows = body_rows(html)
    assert [r[0] for r in rows] == ["1-CV/VPTU", "2-CV/VPTU", "3-CV/VPTU", "4-CV/VPTU"]
    assert rows[0][1:8] == [
        f"01/02/{THIS_YEAR}", "Công văn về việc số 1", "Trần Văn Ký", "Các ban đảng Tỉnh ủy; Đảng ủy xã A",
        "Lưu Văn phòng", "3", f"02/02/{THIS_YEAR}",
    ]  # fmt: skip
    assert rows[1][9] == f"Đã thu hồi ngày 09/02/{THIS_YEAR}: sai thể thức"
    assert rows[2][2] == "Số hủy" and rows[2][9] == "Lý do hủy: Không ban hành nữa"
    assert rows[2][1] == rows[2][6] == ""
    assert "Sổ công văn" in html  # the book's name heads its rows
    html = client.get(list_url(OUTGOING), {"status": "cancelled"}).content.decode()
    assert [r[0] for r in body_rows(html)] == ["3-CV/VPTU"]


# ---------------------------------------------------------------- access


def test_specialist_without_register_role_gets_404(client: Client, office: Unit, clerk: User) -> None:
    """A chuyên viên of the same unit opens no register and exports nothing."""
    register_incoming(clerk, office, date(THIS_YEAR, 1, 3))
    login(client, make_user(office, [Role.SPECIALIST]))
    assert client.get(reverse("registry:register_index")).status_code == 404
    assert client.get(list_url(INCOMING)).status_code == 404
    assert client.get(list_url(INCOMING), {"unit": office.pk}).status_code == 404
    assert (
        client.get(reverse("registry:register_export", args=["den", "xlsx"]), {"unit": office.pk}).status_code
        == 404
    )
    assert (
        client.get(reverse("registry:register_print", args=["den"]), {"unit": office.pk}).status_code == 404
    )


def test_another_provinces_clerk_cannot_open_or_export_our_register(
    client: Client, office: Unit, clerk: User
) -> None:
    """A clerk of another province gets 404 for our unit's register and its exports; nothing is audited."""
    register_incoming(clerk, office, date(THIS_YEAR, 1, 3))
    other = make_unit(make_province(name="Thành ủy Hà Nội"), "Văn phòng Thành ủy")
    login(client, make_user(other, [Role.CLERK]))
    assert client.get(list_url(INCOMING)).status_code == 200  # their own (empty) register
    for fmt in ("xlsx", "pdf"):
        r = client.get(reverse("registry:register_export", args=["den", fmt]), {"unit": office.pk})
        assert r.status_code == 404
    assert client.get(list_url(OUTGOING), {"unit": office.pk}).status_code == 404
    assert not AuditRecord.objects.filter(action="registry.register.export").exists()


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    assert client.get(reverse("registry:register_index")).status_code == 302


def test_register_roles_and_the_province_leader_open_the_office_books(
    client: Client, province: Unit, office: Unit
) -> None:
    """Lưu trữ of the office and a committee leader over the province both see the office's registers; the
    index lists the units with a link per register."""
    clerk = make_user(office, [Role.CLERK])
    register_incoming(clerk, office, date(THIS_YEAR, 1, 3))
    login(client, make_user(office, [Role.ARCHIVIST]))
    assert client.get(list_url(INCOMING)).status_code == 200
    login(client, make_user(province, [Role.COMMITTEE_LEADER]))
    html = client.get(reverse("registry:register_index")).content.decode()
    assert "Văn phòng Tỉnh ủy" in html and f"{list_url(OUTGOING)}?unit={office.pk}" in html
    assert client.get(list_url(FOLLOWUP), {"unit": office.pk}).status_code == 200


def test_rows_above_the_readers_clearance_are_not_shown(clerk: User, office: Unit) -> None:
    """The register reads through the access funnel: a Mật document is hidden from a clerk without clearance."""
    register_incoming(clerk, office, date(THIS_YEAR, 1, 3), 1)
    register_incoming(clerk, office, date(THIS_YEAR, 1, 4), 2, secrecy=SecrecyLevel.objects.get(code="mat"))
    reg = REGISTERS[INCOMING]
    filters = RegisterFilters(year=THIS_YEAR)
    assert [r["arrival_number"] for r in register_rows(reg, unit=office, filters=filters, viewer=clerk)] == [
        1
    ]
    cleared = make_user(office, [Role.CLERK], clearance=Clearance.MAT)
    rows = list(register_rows(reg, unit=office, filters=filters, viewer=cleared))
    assert [r["arrival_number"] for r in rows] == [1, 2]
    assert cells(reg, rows[1])[9] == "Mật"


# ---------------------------------------------------------------- paging and query counts


def test_incoming_screen_pages_50_rows_with_bounded_queries(
    client: Client, clerk: User, office: Unit, django_assert_max_num_queries
) -> None:
    """60 rows: page 1 shows 50 and page 2 the other 10, each page in a fixed number of queries, no full text."""
    bulk_incoming(office, 60)
    login(client, clerk)
    with django_assert_max_num_queries(15) as ctx:
        r = client.get(list_url(INCOMING))
    assert len(body_rows(r.content.decode())) == 50
    assert not any('"text"' in q["sql"] for q in ctx.captured_queries)
    with django_assert_max_num_queries(15):
        r = client.get(list_url(INCOMING), {"page": 2, "unit": office.pk})
    assert [row[1] for row in body_rows(r.content.decode())] == [str(n) for n in range(51, 61)]


def test_outgoing_screen_reads_recipients_in_one_query(
    client: Client, clerk: User, office: Unit, congvan: DocumentType, django_assert_max_num_queries
) -> None:
    """60 documents with two recipients each: recipients come in one query for the page (no N+1)."""
    book = book_for(office, congvan)
    for n in range(1, 61):
        doc = outgoing(office, congvan, n, number_book=book)
        OutgoingRecipient.objects.bulk_create(
            [
                OutgoingRecipient(document=doc, name=f"Nơi nhận {n}a"),
                OutgoingRecipient(document=doc, name=f"Nơi nhận {n}b"),
            ]
        )
    login(client, clerk)
    with django_assert_max_num_queries(15) as ctx:
        r = client.get(list_url(OUTGOING))
    rows = body_rows(r.content.decode())
    assert len(rows) == 50 and rows[0][4] == "Nơi nhận 1a; Nơi nhận 1b"
    assert sum("registry_outgoingrecipient" in q["sql"] for q in ctx.captured_queries) == 1


def test_followup_screen_with_60_rows_has_bounded_queries(
    client: Client, clerk: User, office: Unit, django_assert_max_num_queries
) -> None:
    bulk_incoming(office, 60, due_date=date(THIS_YEAR, 12, 31))
    login(client, clerk)
    with django_assert_max_num_queries(15):
        r = client.get(list_url(FOLLOWUP))
    assert len(body_rows(r.content.decode())) == 50


def test_navigation_shows_the_registers_to_register_roles_only(
    client: Client, office: Unit, clerk: User
) -> None:
    """“Sổ văn bản” is in the menu of văn thư, lãnh đạo and lưu trữ, not of a chuyên viên."""

    def shows(user: User) -> bool:
        login(client, user)
        return ">Sổ văn bản<" in client.get("/").content.decode()

    assert shows(clerk)
    assert shows(make_user(office, [Role.ARCHIVIST]))
    assert not shows(make_user(office, [Role.SPECIALIST]))
