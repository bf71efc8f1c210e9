"""Type title, trích yếu (subject) and the urgency/secrecy marks of the header."""

from __future__ import annotations

import re

from .doctypes import type_table
from .lines import MOTTO, NUMBER_LINE_RE, PARTY_MOTTO, SEP, cap, date_in_line, is_upper, segments

URGENCY_MARKS = {"KHẨN": "Khẩn", "THƯỢNG KHẨN": "Thượng khẩn", "HỎA TỐC": "Hỏa tốc", "HOẢ TỐC": "Hỏa tốc",
                 "HỎA TỐC HẸN GIỜ": "Hỏa tốc hẹn giờ", "HOẢ TỐC HẸN GIỜ": "Hỏa tốc hẹn giờ"}  # fmt: skip
SECRECY_MARKS = {"MẬT": "Mật", "TỐI MẬT": "Tối mật", "TUYỆT MẬT": "Tuyệt mật"}

BODY_START_RE = re.compile(
    r"^(?:[-–•+]\s*)?(?:Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Xét\s|Kính gửi|Trên cơ sở|Điều 1\b|"
    r"Chương I\b|CHƯƠNG I\b|Phần I\b|PHẦN I\b|Để\s|Ngày\s+\d|Sau khi|Tiếp theo|Trong\s|Nhằm\s|I\s*[.-]\s|1\.\s)"
)
STRONG_BODY_RE = re.compile(
    r"^(?:[-–•+]\s*)?(?:Căn cứ|Kính gửi|Điều 1\b|Chương I\b|CHƯƠNG I\b|Phần I\b|PHẦN I\b|Ngày\s+\d)"
)
# "V/v" as printed, and as OCR reads the small italic form ("V%", "V/ v").
VV_RE = re.compile(r"^(?:V\s?/\s?[vV]|v/v|V%|Về việc)(?=[\s.:]|$)[\s.:]*", re.UNICODE)


def _clean_title(line: str) -> str:
    s = re.sub(r"\s+", " ", line).strip()
    return re.sub(r"[\d*¹²³]+$", "", s).strip()


def type_of_title(line: str) -> str | None:
    s = _clean_title(line)
    if not s or s.endswith(":") or not is_upper(s):
        return None
    return type_table().by_title.get(s.upper())


def mark_of(segment: str) -> tuple[str, str] | None:
    s = re.sub(r"\s+", " ", segment).strip(" .:*")
    s = re.sub(r"^(?:ĐỘ KHẨN|ĐỘ MẬT)\s*:\s*", "", s.upper()) if s.upper().startswith("ĐỘ ") else s
    if s in URGENCY_MARKS:
        return ("urgency", URGENCY_MARKS[s])
    if s in SECRECY_MARKS:
        return ("secrecy", SECRECY_MARKS[s])
    return None


def _sentence(s: str) -> str:
    """An all-capitals subject (laws print theirs so) in sentence case; others unchanged."""
    if not is_upper(s):
        return s
    return cap(re.sub(r"(?<!\w)việt nam(?!\w)", "Việt Nam", s.lower()))


def subject_after(lines: list[str], start: int, *, consolidated: bool) -> str | None:
    parts: list[str] = []
    first_upper: bool | None = None
    for line in lines[start : start + 10]:
        if line in (MOTTO, PARTY_MOTTO):
            break
        if line == SEP:
            if parts:
                break
            continue
        # a subject may itself begin “Thực hiện …”; only the strong markers end it on its first line
        body = BODY_START_RE.match(line) if parts else STRONG_BODY_RE.match(line)
        if body or date_in_line(line) or NUMBER_LINE_RE.search(line):
            break
        if consolidated and re.match(
            r"^(?:Luật|Bộ luật|Nghị định|Thông tư|Nghị quyết|Quyết định|Pháp lệnh)\b.{0,120}?\bsố\s+\d", line
        ):
            break
        upper = is_upper(line)
        if first_upper is None:
            first_upper = upper
        elif upper and not first_upper:
            break  # the issuer repeated in capitals before the preamble (“CHÍNH PHỦ”, “BỘ TRƯỞNG BỘ …”)
        parts.append(line.strip())
    if not parts:
        return None
    if len(parts) > 1 and re.match(r"^(?:của|CỦA)\s", parts[0]):
        for i, p in enumerate(parts[1:], 1):
            if re.match(r"^(?:về|VỀ|Về)\s", p):
                parts = parts[i:]
                break
    text = re.sub(r"\s+", " ", " ".join(parts)).strip()
    text = re.sub(r"\s*([,;])", r"\1", text)
    return cap(_sentence(text)) if text else None


def vv_subject(lines: list[str], start: int) -> str | None:
    first = lines[start]
    parts = [first]
    for line in lines[start + 1 : start + 6]:
        if line in (MOTTO, PARTY_MOTTO, SEP) or is_upper(line) or BODY_START_RE.match(line):
            break
        if date_in_line(line) or NUMBER_LINE_RE.search(line) or line.startswith(("Kính gửi", "-")):
            break
        parts.append(line)
    text = re.sub(r"\s+", " ", " ".join(segments(p)[0] for p in parts)).strip()
    return re.sub(r"^(?:V\s?/\s?[vV]|v/v|V%)", "V/v", text)
