"""Line-level reading shared by the extractor: cleaning, mottos, số ký hiệu, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..text import GAZETTE_HEADER_RE, PAGE_NUMBER_RE, STAMP_LINE_RE, STAMP_START_RE

MOTTO = "\x00MOTTO"
PARTY_MOTTO = "\x00PARTY"
SEP = "\x00SEP"

VBHN_RE = re.compile(r"XÁC\s+(?:THỰC|NHẬN)\s+VĂN\s+BẢN\s+HỢP\s+NHẤT")

# --- number and symbol ------------------------------------------------------------------------------------

NUMBER_TOKEN_RE = re.compile(r"^\d{1,6}(?:\.\d{1,3})?[a-zA-Z]?(?:[-/][0-9A-Za-zĐđ.&]+)+$")
NUMBER_LINE_RE = re.compile(
    r"(?:^\s*(?P<prefix>Bộ luật|Luật|Nghị quyết liên tịch|Nghị quyết|Pháp lệnh|Lệnh)\s+[Ss]ố\s*:|(?<!\w)Số\s*[:.;]?)"
    r"\s*(?P<rest>\d.*)$"
)
PARTY_NS_RE = re.compile(r"^(?P<num>\d+[a-z]?)-(?P<type>[A-Za-zĐđ]+)/(?P<issuer>.+)$")
STATE_NS_RE = re.compile(r"^(?P<num>\d+(?:\.\d+)?)(?:/(?P<year>\d{4}))?/(?P<rest>.+)$")


@dataclass(frozen=True)
class NumberSymbol:
    number: str
    symbol: str
    text: str  # as printed, normalised
    style: str  # "party" | "state"
    type_abbr: str
    prefix: str = ""  # "Luật", "Nghị quyết" … when the line said “Luật số: …”


def parse_number_symbol(text: str, prefix: str = "") -> NumberSymbol | None:
    """Split “57-NQ/TW” (Party) or “30/2020/NĐ-CP”, “123/QĐ-BNV” (State); ``None`` if it is not a số, ký hiệu.

    ``symbol`` is what follows the number and its separator (“NQ/TW”, “2020/NĐ-CP”, “QĐ-BNV”)."""
    token = text.strip().rstrip(".,;:)")
    if not NUMBER_TOKEN_RE.match(token) or not re.search(r"[A-Za-zĐđ]", token.split("/", 1)[-1]):
        return None
    if m := PARTY_NS_RE.match(token):
        return NumberSymbol(m["num"], token[len(m["num"]) + 1 :], token, "party", m["type"].upper(), prefix)
    if m := STATE_NS_RE.match(token):
        rest = m["rest"]
        abbr = rest.split("-", 1)[0].upper() if "-" in rest else ""
        return NumberSymbol(m["num"], token[len(m["num"]) + 1 :], token, "state", abbr, prefix)
    return None


def number_candidate(line: str, next_line: str = "") -> NumberSymbol | None:
    m = NUMBER_LINE_RE.search(line)
    if not m:
        return None
    rest = m["rest"]
    # OCR and typing put spaces around the separators (“57 - NQ/TW”); a trailing “-” continues on the next line
    rest = re.sub(r"\s*([/-])\s*(?=[0-9A-Za-zĐđ])", r"\1", rest)
    token = rest.split()[0] if rest.split() else ""
    if token.endswith("-") and next_line.strip():
        cont = next_line.strip().split()[0]
        if re.match(r"^[A-ZĐ0-9][A-ZĐ0-9&.-]*$", cont):
            token += cont
    return parse_number_symbol(token, m["prefix"] or "")


# --- dates ----------------------------------------------------------------------------------------------------

# tolerant of OCR slips in the tone marks (“ngảy”, “thảng”, “nãm”)
_NGAY = r"ng[aàáảãạ]y"
_THANG = r"th[aàáảãạ]ng"
_NAM = r"n[aàáảãạăằắẳẵặâầấẩẫậ]m"
DATE_RE = re.compile(rf"{_NGAY}\s*(\d{{1,2}})\s*{_THANG}\s*(\d{{1,2}})\s*{_NAM}\s*(\d{{4}})", re.IGNORECASE)
DATED_AT_RE = re.compile(
    rf",\s*{_NGAY}\s*(\d{{1,2}})\s*{_THANG}\s*(\d{{1,2}})\s*{_NAM}\s*(\d{{4}})", re.IGNORECASE
)
PASSED_RE = re.compile(
    r"(?:Luật|Bộ luật|Nghị quyết|Pháp lệnh|Hiến pháp)\s+này\s+(?:đã\s+)?được[^.;]{0,300}?thông\s+qua\s+"
    rf"{_NGAY}\s*(\d{{1,2}})\s*{_THANG}\s*(\d{{1,2}})\s*{_NAM}\s*(\d{{4}})"
)


def iso_date(day: str, month: str, year: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def date_in_line(line: str) -> str | None:
    """The date of a “<place>, ngày … tháng … năm …” line: the word before the comma must be capitalised
    (“Hà Nội”, “Tây Ninh”, “TP. Hồ Chí Minh”), so OCR debris before the place does not matter but a citation
    “… của Chính phủ, ngày …” is not taken for the document's date."""
    for m in DATED_AT_RE.finditer(line):
        before = line[: m.start()].split()
        if before and before[-1][:1].isupper() and before[-1].replace(".", "").isalpha():
            return iso_date(m[1], m[2], m[3])
    return None


WRAPPED_DATE_RE = re.compile(
    rf",\s*{_NGAY}\s*\d{{1,2}}(?:\s*{_THANG}(?:\s*\d{{1,2}}(?:\s*{_NAM})?)?)?\s*$", re.IGNORECASE
)


def date_at(lines: list[str], i: int) -> str | None:
    """``date_in_line`` of line ``i``, or of lines ``i`` and ``i + 1`` joined when a narrow column wrapped the
    date line (“Tây Ninh, ngày 30 tháng 7 năm” / “2026”)."""
    found = date_in_line(lines[i])
    if found is None and i + 1 < len(lines) and WRAPPED_DATE_RE.search(lines[i]):
        found = date_in_line(f"{lines[i]} {lines[i + 1]}")
    return found


# --- line preparation ---------------------------------------------------------------------------------------

MOTTO_RE = re.compile(r"CỘNG\s+H[OÒ][AÀ]\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s*NAM")  # OCR may glue VIỆTNAM
MOTTO2_RE = re.compile(r"Độc\s+lập\s*[-–—]\s*Tự\s+do\s*[-–—]\s*Hạnh\s+phúc", re.IGNORECASE)
PARTY_MOTTO_RE = re.compile(r"[_\s]*ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s*NAM")
SECTION_RE = re.compile(
    r"^(?:VĂN BẢN QUY PHẠM PHÁP LUẬT|VĂN BẢN PHÁP LUẬT KHÁC|VĂN BẢN HỢP NHẤT(?:\s*-.*)?|ĐIỀU ƯỚC QUỐC TẾ)$"
)
CONTINUED_RE = re.compile(r"^\((?:Xem tiếp|Tiếp theo) Công báo", re.IGNORECASE)
SEP_RE = re.compile(r"^[\s_\-–—=.·•~]{3,}$")


def _near_page_header(raw: list[str], index: int) -> bool:
    """Whether a bare number at ``raw[index]`` sits next to a gazette page header (blank lines skipped) or at
    the end of the text (the last page's number)."""
    for step in (-1, 1):
        j = index + step
        while 0 <= j < len(raw) and not raw[j].strip():
            j += step
        if not 0 <= j < len(raw):
            if step == 1:
                return True
            continue
        if GAZETTE_HEADER_RE.match(raw[j]):
            return True
    return False


def prepare_lines(raw: list[str]) -> list[str]:
    """Cleaned, stripped, non-empty lines; mottos become ``MOTTO``/``PARTY_MOTTO`` markers, rules ``SEP``."""
    out: list[str] = []
    stamp = 0
    for index, line in enumerate(raw):
        s = line.strip()
        if not s:
            continue
        if PAGE_NUMBER_RE.match(s) and (not out or _near_page_header(raw, index)):
            continue  # a page number; a bare “2030” ending a wrapped trích yếu is kept
        if STAMP_START_RE.match(s):
            stamp = 5
            continue
        if stamp and STAMP_LINE_RE.match(s):
            stamp -= 1
            continue
        stamp = 0
        if GAZETTE_HEADER_RE.match(s) or CONTINUED_RE.match(s):
            continue
        if SEP_RE.match(s):
            out.append(SEP)
            continue
        marker = ""
        if "CỘNG" in s.upper() or "ĐỘC" in s.upper() or "ĐẢNG" in s:
            s2 = PARTY_MOTTO_RE.sub(" ", s)
            if s2 != s:
                marker = PARTY_MOTTO
            s3 = MOTTO2_RE.sub(" ", MOTTO_RE.sub(" ", s2))
            if s3 != s2:
                marker = marker or MOTTO
            s = re.sub(r"\s{2,}", "  ", s3).strip(" _")
        if SECTION_RE.match(s):
            s = ""
        if marker:
            out.append(marker)
        if s:
            out.append(s)
    return out


def segments(line: str) -> list[str]:
    """Parts of a line separated by wide gaps (two columns printed on one line)."""
    return [p.strip() for p in re.split(r"\s{2,}|\t", line) if p.strip()]


def is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def cap(word: str) -> str:
    """The first letter in capitals, the rest untouched."""
    return word[:1].upper() + word[1:]
