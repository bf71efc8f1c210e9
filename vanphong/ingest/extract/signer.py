"""The signature block: authority lines (TM., KT., T/M, K/T …), roles and the signer's name."""

from __future__ import annotations

import re

from ..text import GAZETTE_HEADER_RE, PAGE_NUMBER_RE, STAMP_LINE_RE
from .lines import is_upper, segments

AUTHORITY_PREFIXES = ("T/M", "TM", "K/T", "KT", "T/L", "TL", "TUQ", "T/U", "Q.", "Q/", "Nơi nhận")
AUTHORITY_RE = re.compile(
    r"^(?:Nơi nhận:?\s*)?(?:T/M|K/T|T/L|T/U/Q|T/UQ|(?:TM|KT|TL|TUQ|Q)\.|(?:TM|KT|TL|TUQ)\s)\s*(?P<rest>\S.*)$"
)
ROLES = (
    "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "CHỦ TỊCH QUỐC HỘI", "PHÓ CHỦ TỊCH QUỐC HỘI",
    "CHỦ TỊCH NƯỚC", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "BÍ THƯ", "PHÓ BÍ THƯ", "TỔNG BÍ THƯ", "CHÁNH VĂN PHÒNG",
    "PHÓ CHÁNH VĂN PHÒNG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "THỐNG ĐỐC",
    "PHÓ THỐNG ĐỐC", "TỔNG KIỂM TOÁN", "TỔNG KIỂM TOÁN NHÀ NƯỚC", "PHÓ TỔNG KIỂM TOÁN", "VIỆN TRƯỞNG",
    "PHÓ VIỆN TRƯỞNG", "CHÁNH ÁN", "PHÓ CHÁNH ÁN", "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "TỔNG GIÁM ĐỐC",
    "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "TỔNG THANH TRA", "CHÁNH THANH TRA", "TRƯỞNG ĐOÀN",
    "HIỆU TRƯỞNG", "TỔNG CỤC TRƯỞNG", "PHÓ TỔNG CỤC TRƯỞNG", "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG",
    "CHỦ NHIỆM ỦY BAN KIỂM TRA", "TỔNG THƯ KÝ", "CHỦ TỊCH ỦY BAN TRUNG ƯƠNG MẶT TRẬN TỔ QUỐC VIỆT NAM",
)  # fmt: skip
ROLE_SET = frozenset(ROLES)
RANKS = re.compile(
    r"^(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)|GS\.?\s*TS\.?|PGS\.?\s*TS\.?|GS\.|PGS\.|TS\.|ThS\.|"
    r"BS\.|KS\.|Đồng chí)\s+",
)
SIGNED_RE = re.compile(r"^\(?\s*(?:đã ký|Đã ký|ĐÃ KÝ|ký tên|Ký tên|ký|Ký)[^)]*\)?\.?$|^\[.*\]$")
NOT_NAME_FIRST = {
    "Nơi", "Kính", "Bộ", "Ban", "Sở", "Phòng", "Tỉnh", "Thành", "Ủy", "Uỷ", "Chính", "Quốc", "Lưu", "Ghi",
    "Phụ", "Mẫu", "Điều", "Chương", "Căn", "Theo", "Thủ", "Đảng", "Công", "Cục", "Tổng", "Trung", "Viện",
    "Tòa", "Hội", "Văn", "Cộng", "Độc", "Hà", "Xã", "Huyện", "Quận", "Phường", "Nhà", "Người",
}  # fmt: skip


def _name(line: str) -> str | None:
    """The person's name on a signature line (rank or degree dropped), or ``None``."""
    s = re.sub(r"\s+", " ", line).strip()
    s = re.sub(r"^\S{0,3}[\])}|>]+\s*", "", s)  # debris of the seal or signature image before the name
    s = RANKS.sub("", s)
    words = s.split(" ")
    if not 2 <= len(words) <= 6 or words[0] in NOT_NAME_FIRST:
        return None
    for w in words:
        core = w.replace("'", "").replace("’", "")
        if not core or not core[0].isupper() or not core.isalpha():
            return None
        if len(core) > 1 and not core[1:].islower():
            return None
    return s


def _signer_after(raw: list[str], start: int) -> str | None:
    for line in raw[start + 1 : start + 12]:
        s = line.strip()
        if not s or GAZETTE_HEADER_RE.match(s) or PAGE_NUMBER_RE.match(s) or STAMP_LINE_RE.match(s):
            continue
        if SIGNED_RE.match(s) or s.startswith(("-", "+", "Nơi nhận", "Lưu")) or is_upper(s):
            continue
        for seg in reversed(segments(s)):
            if name := _name(seg):
                return name
        if len(s.split()) > 7:
            return None  # back in running text: this was not a signature block
    return None


def is_anchor(line: str) -> bool:
    if line in ROLE_SET:
        return True
    m = AUTHORITY_RE.match(line)
    return m is not None and is_upper(m["rest"]) and len(m["rest"].split()) <= 12


def find_signer(raw: list[str], start: int = 0) -> tuple[str | None, str]:
    """(signer, authority line): the name under the first signature block (authority “TM.”, “KT.”, “T/M”, “K/T”
    … or a bare role such as “BỘ TRƯỞNG”, “BÍ THƯ”) from raw line ``start`` on."""
    for index in range(start, len(raw)):
        line = raw[index].strip()
        if (
            line
            and (line in ROLE_SET or line.startswith(AUTHORITY_PREFIXES))
            and is_anchor(line)
            and (name := _signer_after(raw, index))
        ):
            return name, line
    return None, ""


# “T/M BỘ CHÍNH TRỊ” under a header “BAN CHẤP HÀNH TRUNG ƯƠNG”: the Politburo (or the Secretariat) is the author
CENTRAL_AUTHORS = {"BỘ CHÍNH TRỊ": "Bộ Chính trị", "BAN BÍ THƯ": "Ban Bí thư"}
