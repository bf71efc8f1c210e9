"""Metadata extraction: the fields of the register read from a document's text.

``extract_metadata(text)`` is a pure function (no database, no I/O) returning exactly the keys of ``FIELDS``:
``number, symbol, number_symbol, issued_date (ISO), issuer, doc_type, subject, signer, urgency, secrecy``; a field
that cannot be found is ``None``. It reads both forms of Vietnamese official documents:

- Party (HD 36-HD/VPTW): header “ĐẢNG CỘNG SẢN VIỆT NAM”, issuer lines such as “TỈNH ỦY TÂY NINH” (or
  “ĐẢNG BỘ TỈNH TÂY NINH / TỈNH ỦY”) above a “*”, “Số 57-NQ/TW”, signature blocks “T/M BAN THƯỜNG VỤ / BÍ THƯ /
  Nguyễn Văn A”, “K/T BÍ THƯ / PHÓ BÍ THƯ”;
- State (NĐ 30/2020): “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM”, “Số: 30/2020/NĐ-CP”, “Luật số: 51/2024/QH15”,
  “123/QĐ-BNV”, “TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG / Name”;
- consolidated texts (văn bản hợp nhất): number, date and signer come from the “XÁC THỰC VĂN BẢN HỢP NHẤT” block.

The gazette page header (“CÔNG BÁO/Số 1523 + 1524/Ngày 29-12-2024”), page numbers and the visible e-signature
stamp (“Ký bởi / Người ký / Cơ quan / Thời gian ký”) are ignored. Text from pdftotext, pypdfium2 (two columns on
one line), DOCX and OCR (irregular spaces) are all handled; only the head of the document and a few anchored
windows are examined line by line, so long documents stay fast.

Modules: ``lines`` (cleaning, số ký hiệu, dates), ``doctypes``, ``titles`` (type title, trích yếu, marks),
``issuer``, ``signer``, ``core`` (``extract_metadata``).

Document type names come from the seeded catalogue (``vanphong.catalogs.seed.DOCUMENT_TYPES``); types the Party
catalogue does not list (Nghị định, Thông tư, Luật, Văn bản hợp nhất …) come from ``EXTRA_TYPES`` with their source.
"""

from __future__ import annotations

from .core import FIELDS, extract_metadata
from .doctypes import EXTRA_TYPES, type_source, type_table
from .issuer import display_issuer
from .lines import NumberSymbol, parse_number_symbol

__all__ = [
    "EXTRA_TYPES",
    "FIELDS",
    "NumberSymbol",
    "display_issuer",
    "extract_metadata",
    "parse_number_symbol",
    "type_source",
    "type_table",
]
