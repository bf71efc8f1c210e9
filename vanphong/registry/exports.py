"""Registers on paper: XLSX (openpyxl) and PDF (WeasyPrint) of the NĐ 30/2020 Phụ lục IV forms, ready to print,
sign and bind (Điều 16, 22), and the audit record of every export.

Both formats and the screen share the column list of ``registers``. The workbook is built in write-only mode
(rows streamed to openpyxl, constant memory) into memory; openpyxl's own temporary sheet files are removed
even when building fails. The PDF is the print page (``registry/register_print.html``) rendered by WeasyPrint.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from vanphong.accounts.models import User
from vanphong.core.audit import audit_log
from vanphong.core.exceptions import PermissionDenied, ValidationError
from vanphong.org.models import Unit

from .access import can_read_register
from .registers import (
    EXPORT_ACTION,
    Register,
    RegisterFilters,
    Row,
    cells,
    display,
    register_rows,
    unit_heading,
)

XLSX = "xlsx"
PDF = "pdf"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PDF: "application/pdf",
}
# WeasyPrint lays out about 50 register rows a second; a PDF made while the user waits stays under ~20 s. Longer
# registers: a shorter date range, the browser's print page, Excel, or ``vanphong registers export``.
WEB_PDF_MAX_ROWS = 1000
# Liberation Serif is metric-compatible with Times New Roman (TCVN 6909:2001 documents are set in it); Tinos is
# the same design; DejaVu Serif has every Vietnamese glyph and is always installed with WeasyPrint's fonts.
FONT_STACK = '"Liberation Serif", "Tinos", "DejaVu Serif", "Times New Roman", serif'


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str
    rows: int


def export_filename(register: Register, filters: RegisterFilters, fmt: str) -> str:
    """``so-den-2026.xlsx``, ``so-di-20260101-20260331.pdf``."""
    return f"{register.file_stem}-{filters.file_suffix()}.{fmt}"


def register_export(
    *,
    actor: User | None,
    register: Register,
    unit: Unit,
    filters: RegisterFilters,
    fmt: str,
    max_pdf_rows: int | None = None,
) -> Export:
    """Build the XLSX or PDF of a register and record the export in the audit trail.

    ``actor`` reads through the user-scoped selectors and must be allowed to read the unit's registers; ``None``
    is the system (``vanphong registers export``), which reads everything. The audit record names the register,
    the unit, the filters, the format and the number of rows, and commits before the file is handed out.
    ``max_pdf_rows`` refuses a PDF longer than that (web requests), with a message saying what to do instead.
    """
    if fmt not in CONTENT_TYPES:
        raise ValidationError("Định dạng xuất phải là xlsx hoặc pdf.")
    if actor is not None and not can_read_register(actor, unit):
        raise PermissionDenied("Bạn không có quyền xem sổ của đơn vị này.")
    rows = register_rows(register, unit=unit, filters=filters, viewer=actor)
    if fmt == PDF and max_pdf_rows is not None and (total := rows.count()) > max_pdf_rows:
        raise ValidationError(
            f"Sổ có {_vn_int(total)} dòng, quá {_vn_int(max_pdf_rows)} dòng cho một tệp PDF tạo ngay: chọn khoảng "
            "ngày ngắn hơn (ví dụ từng tháng), dùng “Bản in” rồi in từ trình duyệt, hoặc xuất Excel."
        )
    if fmt == XLSX:
        content, count = build_xlsx(register, unit, filters, rows)
    else:
        content, count = build_pdf(register, unit, filters, rows)
    audit_register_export(actor=actor, register=register, unit=unit, filters=filters, fmt=fmt, rows=count)
    return Export(content, export_filename(register, filters, fmt), CONTENT_TYPES[fmt], count)


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def audit_register_export(
    *, actor: User | None, register: Register, unit: Unit, filters: RegisterFilters, fmt: str, rows: int
) -> None:
    """One audit record per export (``fmt`` xlsx, pdf, or html for the print page), in its own transaction."""
    with transaction.atomic():
        audit_log(
            actor=actor, action=EXPORT_ACTION, object_type="registry.register", object_id=register.kind,
            object_label=f"{register.name} — {unit.name} — {filters.period_label()}",
            after={"filters": filters.as_audit(), "format": fmt, "rows": rows}, unit=unit,
        )  # fmt: skip


# ---------------------------------------------------------------- XLSX

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
XLSX_FONT = "Times New Roman"  # the spreadsheet names the font; the reader's machine substitutes if needed
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


@contextmanager
def _openpyxl_tempfiles_removed() -> Iterator[None]:
    """openpyxl writes each sheet to a temporary file and removes it when the workbook is saved; when building
    fails halfway the file would stay until the process exits. Remove it here in every case."""
    from openpyxl.worksheet import _writer

    before = set(_writer.ALL_TEMP_FILES)
    try:
        yield
    finally:
        for path in [p for p in _writer.ALL_TEMP_FILES if p not in before]:
            if os.path.exists(path):
                os.remove(path)
            _writer.ALL_TEMP_FILES.remove(path)


def _cell(ws: Any, value: Any, *, font: Font, align: Alignment, border: bool = True, fmt: str = "") -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text
    cell.font = font
    cell.alignment = align
    if border:
        cell.border = BORDER
    if fmt:
        cell.number_format = fmt
    return cell


def build_xlsx(
    register: Register, unit: Unit, filters: RegisterFilters, rows: Iterable[Row]
) -> tuple[bytes, int]:
    """The register as one A4-landscape sheet: title rows, the form's header and column numbers (repeated on
    every printed page, frozen on screen), one row per entry, page numbers in the footer."""
    ncol = len(register.columns)
    last = get_column_letter(ncol)
    plain = Font(name=XLSX_FONT, size=11)
    bold = Font(name=XLSX_FONT, size=11, bold=True)
    italic = Font(name=XLSX_FONT, size=10, italic=True)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center")
    superior, unit_name = unit_heading(unit)
    titles = [(superior, plain, left)] if superior else []
    titles += [
        (unit_name, bold, left),
        (register.title, Font(name=XLSX_FONT, size=14, bold=True), centered),
        (filters.period_label(), Font(name=XLSX_FONT, size=11, italic=True), centered),
    ]
    header_row = len(titles) + 2
    center_top = Alignment(horizontal="center", vertical="top", wrap_text=True)
    group_fill = PatternFill("solid", fgColor="EFEFEF")
    count = 0
    with _openpyxl_tempfiles_removed():
        wb = Workbook(write_only=True)
        ws: Any = wb.create_sheet(title=register.name[:31].strip())
        for i, column in enumerate(register.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.freeze_panes = f"A{header_row + 2}"
        ws.print_title_rows = f"{header_row}:{header_row + 1}"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.page_margins.left, ws.page_margins.right = 0.8, 0.4
        ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
        ws.oddFooter.center.text = "Trang &P/&N"
        ws.oddFooter.center.font = XLSX_FONT
        ws.oddFooter.center.size = 10
        for r, (text, font, align) in enumerate(titles, 1):
            ws.append([_cell(ws, text, font=font, align=align, border=False)])
            ws.merged_cells.add(f"A{r}:{last}{r}")
        ws.append([])
        ws.append([_cell(ws, h, font=bold, align=centered) for h in register.headers])
        ws.append([_cell(ws, f"({i})", font=italic, align=centered) for i in range(1, ncol + 1)])
        row_no = header_row + 1
        group = None
        for row in rows:
            if "_group" in row and row["_group"] != group:
                group = row["_group"]
                row_no += 1
                first = _cell(ws, group, font=bold, align=Alignment(vertical="center"))
                first.fill = group_fill
                ws.append([first] + [_cell(ws, None, font=plain, align=wrap_top) for _ in range(ncol - 1)])
                ws.merged_cells.add(f"A{row_no}:{last}{row_no}")
            out = []
            for column, value in zip(register.columns, cells(register, row), strict=True):
                if column.kind == "date":
                    out.append(_cell(ws, value, font=plain, align=center_top, fmt="DD/MM/YYYY"))
                elif column.kind == "number":
                    out.append(_cell(ws, value, font=plain, align=center_top, fmt="0"))
                else:
                    out.append(_cell(ws, value or None, font=plain, align=wrap_top))
            ws.append(out)
            row_no += 1
            count += 1
        buffer = io.BytesIO()
        wb.save(buffer)
    return buffer.getvalue(), count


# ---------------------------------------------------------------- PDF and the print page


def print_context(
    register: Register, unit: Unit, filters: RegisterFilters, rows: Iterable[Row]
) -> dict[str, Any]:
    """What the print page and the PDF show: the cover as on the paper book, then the table (group rows name
    the number book in the outgoing register)."""
    body: list[dict[str, Any]] = []
    dates: list[date] = []
    numbers: list[int] = []
    group = None
    count = 0
    for row in rows:
        if "_group" in row and row["_group"] != group:
            group = row["_group"]
            body.append({"group": group})
        line = [
            {"text": display(v), "kind": c.kind}
            for c, v in zip(register.columns, cells(register, row), strict=True)
        ]
        body.append({"cells": line, "cancelled": row.get("c_kind") == "cancelled"})
        count += 1
        if row.get("_date"):
            dates.append(row["_date"])
        if row.get("_number") is not None:
            numbers.append(row["_number"])
    superior, unit_name = unit_heading(unit)
    total = sum(c.width for c in register.columns)
    return {
        "register": register,
        "unit": unit,
        "superior": superior,
        "unit_name": unit_name,
        "filters": filters,
        "year": filters.year,
        "period": filters.period_label(),
        "first_date": filters.date_from or (min(dates) if dates else None),
        "last_date": filters.date_to or (max(dates) if dates else None),
        "first_number": min(numbers) if numbers else None,
        "last_number": max(numbers) if numbers else None,
        "columns": [{"header": c.header, "width": f"{100 * c.width / total:.2f}"} for c in register.columns],
        "body": body,
        "count": count,
        "font_stack": FONT_STACK,
        "running_title_css": css_string(f"{register.name} — {unit.name} — {filters.period_label()}"),
    }


def css_string(text: str) -> str:
    """A quoted CSS string (for ``content:``) that cannot close the string or the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def build_pdf(
    register: Register, unit: Unit, filters: RegisterFilters, rows: Iterable[Row]
) -> tuple[bytes, int]:
    from weasyprint import HTML

    context = print_context(register, unit, filters, rows)
    html = render_to_string("registry/register_print.html", {**context, "pdf": True})
    return HTML(string=html).write_pdf(), context["count"]
