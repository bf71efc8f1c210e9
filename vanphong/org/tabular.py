"""Reading a spreadsheet (CSV UTF-8 with or without BOM, ``;`` or ``,``; XLSX first sheet) into rows keyed by
canonical column names. Headers are matched case- and diacritic-insensitively, English aliases included.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vanphong.core.exceptions import ValidationError
from vanphong.core.security import check_archive

MAX_FILE_BYTES = 5 * 1024 * 1024
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024  # a unit list of tens of thousands of rows is a few MB
CSV_EXTENSIONS = {".csv", ".txt"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}


def normalize(text: str) -> str:
    """Lower-case, without diacritics (đ → d), punctuation collapsed to single spaces."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[^a-z0-9]+", text)).strip()


# Canonical column → accepted headers (compared after ``normalize``).
COLUMNS: dict[str, tuple[str, ...]] = {
    "ma": ("ma", "ma dong", "ma don vi", "khoa", "key", "code", "row key"),
    "ten": ("ten", "ten don vi", "name"),
    "ten_viet_tat": ("ten viet tat", "viet tat", "short name", "abbreviation"),
    "cap": ("cap", "cap don vi", "level"),
    "ma_cap_tren": ("ma cap tren", "cap tren", "don vi cap tren", "parent", "parent code", "parent key"),
    "ma_dinh_danh": ("ma dinh danh", "organ id", "organ code"),
    "ma_thong_ke": ("ma thong ke", "stats code", "statistics code"),
    "tu_ngay": ("tu ngay", "hoat dong tu", "ngay bat dau", "valid from", "from"),
    "den_ngay": ("den ngay", "hoat dong den", "ngay ket thuc", "valid to", "to"),
    "ghi_chu": ("ghi chu", "note", "notes"),
}
REQUIRED_COLUMNS = ("ma", "ten", "cap")
HEADER_ALIASES = {alias: col for col, aliases in COLUMNS.items() for alias in aliases}


class ImportFileError(ValidationError):
    """The file as a whole cannot be read (wrong type, corrupt, empty, missing columns)."""

    code = "import_file"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            "Tệp không phải tệp CSV dạng văn bản. Hãy lưu lại dưới dạng CSV UTF-8 hoặc .xlsx."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "Tệp CSV phải dùng bảng mã UTF-8 (trong Excel: Lưu thành › CSV UTF-8). "
            f"Ký tự không đọc được ở vị trí byte {exc.start}."
        ) from exc
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"Tệp CSV không đúng định dạng: {exc}.") from exc
    return [(i, list(r)) for i, r in enumerate(records, start=1)]


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise ImportFileError("Tệp không phải bảng tính Excel .xlsx hợp lệ (có thể bị hỏng hoặc đổi đuôi).")
    try:  # a zip bomb is refused from the central directory, before anything is decompressed
        check_archive(data, filename="bảng tính", max_uncompressed=XLSX_MAX_UNCOMPRESSED, max_entries=500)
    except ValidationError as exc:
        if exc.code == "zip_bomb":  # a corrupt archive gets the reader's own message below
            raise ImportFileError(exc.message) from exc
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx, không đọc được.") from exc
    except Exception as exc:  # openpyxl raises many kinds of errors on broken XML
        raise ImportFileError("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx, không đọc được.") from exc
    try:
        if not wb.worksheets:
            raise ImportFileError("Tệp Excel không có trang tính nào.")
        ws = wb.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        for cells in ws.iter_rows():
            real = [c for c in cells if getattr(c, "row", None) is not None]
            if not real:
                continue
            number = real[0].row
            width = max(getattr(c, "column", 0) or 0 for c in real)
            values: list[Any] = [None] * width
            for c in real:
                values[c.column - 1] = c.value
            rows.append((number, values))
        return rows
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError("Tệp Excel bị hỏng, không đọc được nội dung trang tính đầu tiên.") from exc
    finally:
        wb.close()


def read_table(data: bytes, filename: str) -> tuple[dict[str, int], list[tuple[int, dict[str, Any]]]]:
    """Parse the file into (column → index, [(spreadsheet row number, {column: raw value})]).

    Raises ``ImportFileError`` with a Vietnamese message when the file cannot be used at all.
    """
    ext = Path(filename).suffix.lower()
    if ext not in CSV_EXTENSIONS | XLSX_EXTENSIONS:
        raise ImportFileError(
            f"Không hỗ trợ tệp “{Path(filename).name}”. Hãy dùng tệp CSV (UTF-8) hoặc Excel .xlsx."
        )
    if not data.strip():
        raise ImportFileError("Tệp trống, không có dữ liệu.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"Tệp quá lớn (tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB).")
    raw_rows = _read_xlsx(data) if ext in XLSX_EXTENSIONS else _read_csv(data)
    raw_rows = [(n, r) for n, r in raw_rows if any(cell_text(v) for v in r)]
    if not raw_rows:
        raise ImportFileError("Tệp trống, không có dữ liệu.")
    header_no, header = raw_rows[0]
    if header_no != 1:
        raise ImportFileError("Dòng 1 phải là dòng tiêu đề (ma, ten, cap, ma_cap_tren, ...).")
    columns: dict[str, int] = {}
    for idx, title in enumerate(header):
        name = HEADER_ALIASES.get(normalize(cell_text(title)))
        if name is None:
            continue
        if name in columns:
            raise ImportFileError(f"Dòng 1: cột “{cell_text(title)}” bị lặp lại.")
        columns[name] = idx
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError("Dòng 1: thiếu cột bắt buộc " + ", ".join(f"“{c}”" for c in missing) + ".")
    body = [
        (n, {col: (r[idx] if idx < len(r) else None) for col, idx in columns.items()})
        for n, r in raw_rows[1:]
    ]
    if not body:
        raise ImportFileError("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
    return columns, body


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value: Any) -> date | None:
    """A date from an XLSX date cell or text dd/mm/yyyy or yyyy-mm-dd; None for blank; ValueError if wrong."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if text.endswith("T00:00:00"):
        text = text[:10]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)
