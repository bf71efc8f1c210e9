"""Registers as XLSX and PDF (read back with openpyxl and pypdfium2), the print page, the audit record of every
export, the ``vanphong registers export`` command, and a 5,000-row register read without full texts."""

from __future__ import annotations

import glob
import io
import json
import os
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from vanphong.accounts.models import Role, User
from vanphong.catalogs.models import DocumentType
from vanphong.core.actions import action_label
from vanphong.core.models import AuditRecord
from vanphong.org.models import Unit
from vanphong.registry.exports import build_xlsx, register_export
from vanphong.registry.models import NumberReservation, OutgoingRecipient, OutgoingStatus, ReservationStatus
from vanphong.registry.registers import (
    FOLLOWUP,
    INCOMING,
    OUTGOING,
    REGISTERS,
    RegisterFilters,
    register_rows,
)
from vanphong.registry.services.incoming import incoming_handling_update
from vanphong.testing.factories import login, make_province, make_unit, make_user

from . import test_registers as base
from .test_registers import HEADERS, THIS_YEAR, at, book_for, bulk_incoming, outgoing, register_incoming

# Fixtures shared with the screen tests.
province, office, clerk, congvan = base.province, base.office, base.clerk, base.congvan

pytestmark = pytest.mark.django_db
EXPORT = "registry.register.export"


def xlsx_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def pdf_text(content: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(content)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def flat(text: str) -> str:
    return " ".join(text.split())


def openpyxl_tempfiles() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "openpyxl.*")))


@pytest.fixture
def filled(clerk: User, office: Unit, congvan: DocumentType) -> None:
    """Two incoming documents (one followed with a deadline and a reply) and three outgoing rows."""
    first = register_incoming(clerk, office, date(THIS_YEAR, 1, 6), 1, document_type=congvan)
    register_incoming(clerk, office, date(THIS_YEAR, 3, 2), 2)
    book = book_for(office, congvan)
    reply = outgoing(office, congvan, 1, number_book=book, issued_date=date(THIS_YEAR, 1, 20))
    OutgoingRecipient.objects.create(
        document=reply, name="Ban Tổ chức Tỉnh ủy", delivered_at=at(date(THIS_YEAR, 1, 21))
    )
    incoming_handling_update(
        actor=clerk, document=first, due_date=date(THIS_YEAR, 1, 30), recipients_label="Ban Tổ chức",
        progress_label="Đã trả lời", reply=reply,
    )  # fmt: skip
    outgoing(
        office, congvan, 2, number_book=book, status=OutgoingStatus.RECALLED, recalled_at=at(date(THIS_YEAR, 2, 3)),
        recall_reason="ban hành nhầm",
    )  # fmt: skip
    NumberReservation.objects.create(
        book=book, number=3, number_symbol="3-CV/VPTU", for_date=date(THIS_YEAR, 2, 4),
        status=ReservationStatus.CANCELLED, cancel_reason="Trùng số", reserved_by=clerk,
    )  # fmt: skip


# ---------------------------------------------------------------- XLSX


@pytest.mark.parametrize("kind", [INCOMING, OUTGOING, FOLLOWUP])
def test_xlsx_has_titles_exact_headers_and_print_setup(
    client: Client, clerk: User, office: Unit, filled: None, kind: str
) -> None:
    """Title rows (superior and unit upper-case, the register's title, the year), the header row exactly as the
    form, numbered columns, frozen header, A4 landscape fit to width, header rows repeated, page numbers."""
    slug = REGISTERS[kind].slug
    login(client, clerk)
    r = client.get(reverse("registry:register_export", args=[slug, "xlsx"]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f'filename="{REGISTERS[kind].file_stem}-{THIS_YEAR}.xlsx"' in r["Content-Disposition"]
    ws = xlsx_of(b"".join(r.streaming_content))
    assert [ws.cell(row=i, column=1).value for i in range(1, 5)] == [
        "TỈNH ỦY TÂY NINH", "VĂN PHÒNG TỈNH ỦY", REGISTERS[kind].title, f"Năm {THIS_YEAR}",
    ]  # fmt: skip
    headers = [c.value for c in ws[6]]
    assert headers == HEADERS[kind]
    assert all(c.font.bold and c.border.left.style == "thin" and c.alignment.wrap_text for c in ws[6])
    assert [c.value for c in ws[7]] == [f"({i})" for i in range(1, len(headers) + 1)]
    assert ws.freeze_panes == "A8"
    assert ws.print_title_rows == "$6:$7"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text
    assert ws.column_dimensions["A"].width == REGISTERS[kind].columns[0].width


def test_xlsx_incoming_cells_are_real_dates_and_numbers(
    client: Client, clerk: User, office: Unit, filled: None
) -> None:
    login(client, clerk)
    r = client.get(reverse("registry:register_export", args=["den", "xlsx"]))
    ws = xlsx_of(b"".join(r.streaming_content))
    arrived, number = ws.cell(row=8, column=1), ws.cell(row=8, column=2)
    assert isinstance(arrived.value, datetime) and arrived.value.date() == date(THIS_YEAR, 1, 6)
    assert arrived.number_format.lower() == "dd/mm/yyyy"
    assert number.value == 1 and number.number_format == "0"
    assert ws.cell(row=8, column=6).value == "Công văn về việc thử nghiệm số 1"
    assert ws.max_row == 9


def test_xlsx_outgoing_rows_group_by_book_with_cancelled_and_recalled(
    client: Client, clerk: User, office: Unit, filled: None
) -> None:
    login(client, clerk)
    r = client.get(reverse("registry:register_export", args=["di", "xlsx"]))
    ws = xlsx_of(b"".join(r.streaming_content))
    assert ws.cell(row=8, column=1).value == "Sổ công văn"
    assert [ws.cell(row=i, column=1).value for i in range(9, 12)] == ["1-CV/VPTU", "2-CV/VPTU", "3-CV/VPTU"]
    assert ws.cell(row=9, column=5).value == "Ban Tổ chức Tỉnh ủy"
    assert ws.cell(row=10, column=10).value == f"Đã thu hồi ngày 03/02/{THIS_YEAR}: ban hành nhầm"
    assert (
        ws.cell(row=11, column=3).value == "Số hủy"
        and ws.cell(row=11, column=10).value == "Lý do hủy: Trùng số"
    )


def test_xlsx_range_title_and_filename(client: Client, clerk: User, office: Unit, filled: None) -> None:
    login(client, clerk)
    r = client.get(
        reverse("registry:register_export", args=["den", "xlsx"]),
        {"date_from": f"01/03/{THIS_YEAR}", "date_to": f"31/03/{THIS_YEAR}"},
    )
    assert f'filename="so-den-{THIS_YEAR}0301-{THIS_YEAR}0331.xlsx"' in r["Content-Disposition"]
    ws = xlsx_of(b"".join(r.streaming_content))
    assert ws.cell(row=4, column=1).value == f"Từ ngày 01/03/{THIS_YEAR} đến ngày 31/03/{THIS_YEAR}"
    assert [ws.cell(row=8, column=2).value, ws.max_row] == [2, 8]


def test_xlsx_leaves_no_temporary_files_even_when_building_fails(office: Unit) -> None:
    """openpyxl's sheet files are removed after a build, and after a build that breaks halfway."""
    before = openpyxl_tempfiles()
    reg = REGISTERS[INCOMING]
    build_xlsx(reg, office, RegisterFilters(year=THIS_YEAR), [])

    def broken():
        raise RuntimeError("database went away")
        yield {}

    with pytest.raises(RuntimeError):
        build_xlsx(reg, office, RegisterFilters(year=THIS_YEAR), broken())
    assert openpyxl_tempfiles() <= before


def test_text_that_looks_like_a_formula_stays_text(clerk: User, office: Unit) -> None:
    register_incoming(
        clerk, office, date(THIS_YEAR, 1, 6), 1, subject='=HYPERLINK("http://x")', issuer_name="=1+1"
    )
    export = register_export(actor=clerk, register=REGISTERS[INCOMING], unit=office,
                             filters=RegisterFilters(year=THIS_YEAR), fmt="xlsx")  # fmt: skip
    ws = xlsx_of(export.content)
    assert ws.cell(row=8, column=3).data_type == "s" and ws.cell(row=8, column=3).value == "=1+1"


# ---------------------------------------------------------------- PDF and print


@pytest.mark.parametrize("kind", [INCOMING, OUTGOING, FOLLOWUP])
def test_pdf_has_a_cover_and_the_headers_in_order(
    client: Client, clerk: User, office: Unit, filled: None, kind: str
) -> None:
    """Page 1 is the book's cover; the table pages carry every header of the form, in order, and page numbers."""
    login(client, clerk)
    r = client.get(reverse("registry:register_export", args=[REGISTERS[kind].slug, "pdf"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pages = pdf_text(b"".join(r.streaming_content))
    cover = flat(pages[0])
    assert REGISTERS[kind].title in cover and "VĂN PHÒNG TỈNH ỦY" in cover
    assert f"Năm: {THIS_YEAR}" in cover and "Quyển số:" in cover and "Từ số" in cover
    assert "Ký nhận" not in cover  # the table starts on page 2
    table = flat(pages[1])
    positions = [table.find(h) for h in HEADERS[kind]]
    assert all(p >= 0 for p in positions), list(zip(HEADERS[kind], positions, strict=True))
    assert positions == sorted(positions)
    assert f"Trang 2/{len(pages)}" in table


def test_pdf_repeats_the_header_on_every_page(clerk: User, office: Unit) -> None:
    """A register longer than one page prints the form's header on each page."""
    bulk_incoming(office, 60)
    export = register_export(actor=clerk, register=REGISTERS[INCOMING], unit=office,
                             filters=RegisterFilters(year=THIS_YEAR), fmt="pdf")  # fmt: skip
    pages = pdf_text(export.content)
    assert export.rows == 60 and len(pages) >= 3
    assert all("Tên loại và trích yếu nội dung văn bản" in flat(p) for p in pages[1:])
    cover = flat(pages[0])
    assert "Từ số 1 đến số 60" in cover


def test_print_page_has_cover_table_and_print_css(
    client: Client, clerk: User, office: Unit, filled: None
) -> None:
    login(client, clerk)
    html = client.get(reverse("registry:register_print", args=["den"])).content.decode()
    assert "size: A4 landscape" in html and "display: table-header-group" in html
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in html and "data-print" in html  # print button: app.js, no inline script
    assert html.index("Quyển số") < html.index("Tên loại và trích yếu nội dung văn bản")
    assert AuditRecord.objects.get(action=EXPORT).after["format"] == "html"


# ---------------------------------------------------------------- audit


def test_each_export_is_audited_with_filters_format_and_rows(
    client: Client, clerk: User, office: Unit, filled: None
) -> None:
    login(client, clerk)
    client.get(
        reverse("registry:register_export", args=["den", "xlsx"]),
        {"date_from": f"01/01/{THIS_YEAR}", "q": "số"},
    )
    client.get(reverse("registry:register_export", args=["di", "pdf"]))
    first, second = AuditRecord.objects.filter(action=EXPORT).order_by("seq")
    assert first.actor_id == clerk.pk and first.unit_id == office.pk
    assert first.object_type == "registry.register" and first.object_id == INCOMING
    assert first.after == {
        "filters": {"year": THIS_YEAR, "date_from": f"{THIS_YEAR}-01-01", "q": "số"}, "format": "xlsx", "rows": 2,
    }  # fmt: skip
    assert second.object_id == OUTGOING and second.after["format"] == "pdf" and second.after["rows"] == 3
    assert action_label(EXPORT) == "Xuất sổ đăng ký văn bản"


def test_export_refuses_a_reader_without_the_role(office: Unit) -> None:
    from vanphong.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        register_export(actor=make_user(office, [Role.SPECIALIST]), register=REGISTERS[INCOMING], unit=office,
                        filters=RegisterFilters(year=THIS_YEAR), fmt="xlsx")  # fmt: skip
    assert not AuditRecord.objects.filter(action=EXPORT).exists()


# ---------------------------------------------------------------- command


def run_command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("registers", "export", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "kind,fmt,rows", [(INCOMING, "xlsx", 2), (OUTGOING, "pdf", 3), (FOLLOWUP, "xlsx", 1)]
)
def test_command_writes_the_file_and_prints_one_json_line(
    tmp_path: Path, office: Unit, filled: None, kind: str, fmt: str, rows: int
) -> None:
    out = tmp_path / f"so.{fmt}"
    code, stdout, _ = run_command("--kind", kind, "--unit", str(office.pk), "--year", str(THIS_YEAR),
                                  "--format", fmt, "--out", str(out))  # fmt: skip
    assert code == 0
    lines = stdout.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"kind": kind, "rows": rows, "file": str(out), "bytes": out.stat().st_size}
    assert out.read_bytes()[:4] == (b"PK\x03\x04" if fmt == "xlsx" else b"%PDF")
    assert not list(tmp_path.glob(".*.part"))
    record = AuditRecord.objects.get(action=EXPORT)
    assert record.actor_id is None and record.after["rows"] == rows and record.unit_id == office.pk


def test_command_date_range(tmp_path: Path, office: Unit, filled: None) -> None:
    out = tmp_path / "so-den.xlsx"
    code, stdout, _ = run_command("--kind", "incoming", "--unit", str(office.pk), "--year", str(THIS_YEAR),
                                  "--from", f"01/03/{THIS_YEAR}", "--to", f"31/03/{THIS_YEAR}",
                                  "--format", "xlsx", "--out", str(out))  # fmt: skip
    assert code == 0 and json.loads(stdout)["rows"] == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["--kind", "den"], "Loại sổ “den” không đúng"),
        (["--unit", "999999"], "Không có đơn vị mã 999999"),
        (["--unit", "abc"], "Không có đơn vị mã abc"),
        (["--from", "32/01/2026"], "Ngày không hợp lệ"),
        (["--year", "2026", "--from", "01/05/2025"], "không thuộc năm 2026"),
        (["--format", "docx"], "Định dạng “docx” không đúng"),
    ],
)
def test_command_errors_speak_vietnamese_and_exit_2(
    tmp_path: Path, office: Unit, args: list[str], message: str
) -> None:
    base = {
        "--kind": "incoming",
        "--unit": str(office.pk),
        "--format": "xlsx",
        "--out": str(tmp_path / "x.xlsx"),
    }
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    code, stdout, stderr = run_command(*[x for pair in base.items() for x in pair])
    assert code == 2 and message in stderr and stdout == ""
    assert not (tmp_path / "x.xlsx").exists()
    assert not AuditRecord.objects.filter(action=EXPORT).exists()


# ---------------------------------------------------------------- volume


def test_5000_row_register_exports_in_few_queries_without_full_text(clerk: User, office: Unit) -> None:
    """5,000 incoming rows (each with a long body text) export to XLSX in chunked queries that never select the
    text column."""
    bulk_incoming(office, 5000)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as ctx:
        export = register_export(actor=clerk, register=REGISTERS[INCOMING], unit=office,
                                 filters=RegisterFilters(year=THIS_YEAR), fmt="xlsx")  # fmt: skip
    elapsed = time.monotonic() - started
    assert export.rows == 5000
    reads = [q["sql"] for q in ctx.captured_queries if "registry_incomingdocument" in q["sql"]]
    assert len(reads) <= 6  # five chunks of 1,000 and the empty tail at most
    assert not any('"text"' in sql for sql in reads)
    assert len(ctx.captured_queries) <= 20
    assert elapsed < 60
    ws = xlsx_of(export.content)
    assert ws.max_row == 7 + 5000 and ws.cell(row=7 + 5000, column=2).value == 5000


def test_outgoing_export_reads_recipients_once_per_chunk(
    clerk: User, office: Unit, congvan: DocumentType
) -> None:
    """1,200 documents with recipients: two chunks, one recipient query each (no N+1)."""
    from vanphong.registry.models import OutgoingDocument

    book = book_for(office, congvan)
    OutgoingDocument.objects.bulk_create(
        OutgoingDocument(
            unit=office, document_type=congvan, number_book=book, number=n, number_symbol=f"{n}-CV/VPTU",
            issued_date=date(THIS_YEAR, 1, 1) + timedelta(days=n % 300), subject=f"Số {n}", status="issued",
            text="TOÀN VĂN " * 100,
        )
        for n in range(1, 1201)
    )  # fmt: skip
    OutgoingRecipient.objects.bulk_create(
        OutgoingRecipient(document=d, name=f"Nơi nhận {d.number}") for d in OutgoingDocument.objects.all()
    )
    rows = register_rows(
        REGISTERS[OUTGOING], unit=office, filters=RegisterFilters(year=THIS_YEAR), viewer=clerk
    )
    with CaptureQueriesContext(connection) as ctx:
        got = list(rows)
    assert len(got) == 1200 and got[-1]["recipients"] == "Nơi nhận 1200"
    assert sum("registry_outgoingrecipient" in q["sql"] for q in ctx.captured_queries) == 2
    assert not any('"text"' in q["sql"] for q in ctx.captured_queries)


def test_another_province_cannot_reach_our_rows_through_the_selector(office: Unit, clerk: User) -> None:
    """Even if a view forgot the unit check, the export refuses a clerk of another province."""
    from vanphong.core.exceptions import PermissionDenied

    register_incoming(clerk, office, date(THIS_YEAR, 1, 3))
    stranger = make_user(make_unit(make_province(name="Tỉnh ủy Khác"), "Văn phòng"), [Role.CLERK])
    with pytest.raises(PermissionDenied):
        register_export(actor=stranger, register=REGISTERS[INCOMING], unit=office,
                        filters=RegisterFilters(year=THIS_YEAR), fmt="pdf")  # fmt: skip


def test_web_pdf_of_a_long_register_points_to_shorter_range_print_page_or_excel(
    client: Client, clerk: User, office: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the web limit the PDF is refused with what to do instead; Excel and the command have no limit."""
    monkeypatch.setattr("vanphong.registry.views.registers.WEB_PDF_MAX_ROWS", 3)
    bulk_incoming(office, 5)
    login(client, clerk)
    r = client.get(reverse("registry:register_export", args=["den", "pdf"]), follow=True)
    html = r.content.decode()
    assert "Sổ có 5 dòng, quá 3 dòng cho một tệp PDF" in html and "Bản in" in html
    assert not AuditRecord.objects.filter(action=EXPORT).exists()
    assert client.get(reverse("registry:register_export", args=["den", "xlsx"])).status_code == 200
