"""Fictional Party documents for benchmarks and tests: deterministic, rendered to PDF with WeasyPrint.

Every document here is invented (units of a fictional office of Tỉnh ủy Tây Ninh, invented people and numbers)
and laid out after HD 36-HD/VPTW: issuer lines and “*” on the left, “ĐẢNG CỘNG SẢN VIỆT NAM” and the date on the
right, type title, trích yếu, body, “Nơi nhận” and the signature block. ``SampleDocument.expected()`` is what
the extractor should propose for it.
"""

from __future__ import annotations

import html
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .extract import FIELDS
from .text import PDFIUM_LOCK

# display name, header lines, issuer symbol, types it issues, signature blocks (authority lines)
ISSUERS: list[tuple[str, list[str], str, list[str], list[list[str]]]] = [
    ("Tỉnh ủy Tây Ninh", ["TỈNH ỦY TÂY NINH"], "TU", ["NQ", "QĐ", "KL", "CT", "TB", "KH", "BC", "CV"],
     [["T/M BAN THƯỜNG VỤ", "BÍ THƯ"], ["T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ", "PHÓ BÍ THƯ"]]),
    ("Văn phòng Tỉnh ủy Tây Ninh", ["TỈNH ỦY TÂY NINH", "VĂN PHÒNG"], "VPTU", ["CV", "TB", "KH", "BC", "HD"],
     [["CHÁNH VĂN PHÒNG"], ["K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"]]),
    ("Ban Tổ chức Tỉnh ủy Tây Ninh", ["TỈNH ỦY TÂY NINH", "BAN TỔ CHỨC"], "BTCTU", ["CV", "HD", "BC", "TB"],
     [["TRƯỞNG BAN"], ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]]),
    ("Ủy ban Kiểm tra Tỉnh ủy Tây Ninh", ["TỈNH ỦY TÂY NINH", "ỦY BAN KIỂM TRA"], "UBKTTU", ["QĐ", "TB", "BC", "CV"],
     [["T/M ỦY BAN KIỂM TRA", "CHỦ NHIỆM"]]),
    ("Đảng ủy xã Tân Phú", ["ĐẢNG BỘ TỈNH TÂY NINH", "ĐẢNG ỦY XÃ TÂN PHÚ"], "ĐU", ["NQ", "QĐ", "TB", "KH", "BC", "CV"],
     [["T/M BAN THƯỜNG VỤ", "BÍ THƯ"], ["T/M ĐẢNG ỦY", "PHÓ BÍ THƯ"]]),
    ("Tỉnh ủy Tây Ninh", ["ĐẢNG BỘ TỈNH TÂY NINH", "TỈNH ỦY"], "TU", ["NQ", "KL", "TB", "KH"],
     [["T/M TỈNH ỦY", "BÍ THƯ"]]),
]  # fmt: skip
TYPES = {
    "NQ": ("Nghị quyết", "NGHỊ QUYẾT"), "QĐ": ("Quyết định", "QUYẾT ĐỊNH"), "KL": ("Kết luận", "KẾT LUẬN"),
    "CT": ("Chỉ thị", "CHỈ THỊ"), "TB": ("Thông báo", "THÔNG BÁO"), "KH": ("Kế hoạch", "KẾ HOẠCH"),
    "BC": ("Báo cáo", "BÁO CÁO"), "HD": ("Hướng dẫn", "HƯỚNG DẪN"), "CV": ("Công văn", ""),
}  # fmt: skip
TOPICS = [
    "công tác chuyển đổi số trong các cơ quan đảng năm 2026",
    "tổ chức hội nghị sơ kết 6 tháng đầu năm",
    "tăng cường công tác bảo vệ chính trị nội bộ",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "triển khai Đề án số hóa hồ sơ, tài liệu lưu trữ",
    "kiểm tra, giám sát việc thực hiện nhiệm vụ năm 2026",
    "phát triển đảng viên trong doanh nghiệp tư nhân",
    "chuẩn bị đại hội chi bộ nhiệm kỳ 2027 - 2030",
    "công tác phòng, chống thiên tai và tìm kiếm cứu nạn",
    "thực hiện quy chế dân chủ ở cơ sở",
    "đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên",
    "tổ chức các hoạt động kỷ niệm ngày thành lập Đảng",
    "học tập, quán triệt các nghị quyết của Trung ương",
    "công tác tiếp công dân, giải quyết khiếu nại, tố cáo",
    "quản lý, sử dụng kinh phí hoạt động của cấp ủy",
    "bồi dưỡng lý luận chính trị cho cán bộ cơ sở",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Huỳnh", "Phan", "Trương"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc", "Quốc", "Thị Thu", "Đức", "Hoài"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Khánh",
    "Lâm",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Uyên",
]
PLACES = {"ĐU": "Tân Phú"}
BODY = [
    "Thực hiện chương trình công tác năm 2026, để bảo đảm tiến độ và chất lượng, đề nghị các cấp ủy, tổ chức "
    "đảng khẩn trương triển khai các nội dung sau đây.",
    "Các đơn vị chủ động xây dựng kế hoạch cụ thể, phân công cán bộ theo dõi, đôn đốc và báo cáo kết quả "
    "thực hiện đúng thời hạn quy định.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị phản ánh kịp thời để tổng hợp, báo cáo "
    "Ban Thường vụ xem xét, quyết định.",
]


@dataclass(frozen=True)
class SampleDocument:
    """One invented document and the metadata it carries."""

    issuer: str
    issuer_lines: tuple[str, ...]
    number: int
    abbr: str
    issuer_symbol: str
    issued: date
    subject: str  # as printed under the title (or after “V/v”)
    signer: str
    authority: tuple[str, ...]
    urgency: str | None = None  # catalogue name (“Khẩn”)
    secrecy: str | None = None

    @property
    def number_symbol(self) -> str:
        return f"{self.number}-{self.abbr}/{self.issuer_symbol}"

    @property
    def doc_type(self) -> str:
        return TYPES[self.abbr][0]

    @property
    def place(self) -> str:
        return PLACES.get(self.issuer_symbol, "Tây Ninh")

    @property
    def date_line(self) -> str:
        d = self.issued
        return f"{self.place}, ngày {d.day:02d} tháng {d.month} năm {d.year}"

    def expected(self) -> dict[str, Any]:
        subject = self.subject[:1].upper() + self.subject[1:]
        values = {
            "number": str(self.number), "symbol": f"{self.abbr}/{self.issuer_symbol}",
            "number_symbol": self.number_symbol, "issued_date": self.issued.isoformat(), "issuer": self.issuer,
            "doc_type": self.doc_type, "subject": subject, "signer": self.signer, "urgency": self.urgency,
            "secrecy": self.secrecy,
        }  # fmt: skip
        return {k: values[k] for k in FIELDS}

    def _marks(self) -> list[str]:
        return [m.upper() for m in (self.urgency, self.secrecy) if m]

    def text(self) -> str:
        """Plain text in reading order (what a DOCX of this document yields)."""
        left = [*self.issuer_lines, "*", f"Số {self.number_symbol}"]
        if self.abbr == "CV":
            left.append(self.subject)
        left += self._marks()
        lines = [*left, "ĐẢNG CỘNG SẢN VIỆT NAM", self.date_line]
        if self.abbr != "CV":
            lines += [TYPES[self.abbr][1], self.subject, "-----"]
        else:
            lines.append("Kính gửi: Các đảng ủy trực thuộc Tỉnh ủy")
        lines += [*BODY, "Nơi nhận:", "- Như trên,", "- Lưu Văn phòng.", *self.authority, self.signer]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        e = html.escape
        left = "<br>".join(e(x) for x in self.issuer_lines) + "<br>*<br>" + e(f"Số {self.number_symbol}")
        if self.abbr == "CV":
            left += f'<div class="vv">{e(self.subject)}</div>'
        for mark in self._marks():
            left += f'<div class="mark">{e(mark)}</div>'
        title = ""
        if self.abbr != "CV":
            title = f'<h1>{e(TYPES[self.abbr][1])}</h1><p class="subject">{e(self.subject)}</p><p class="rule">-----</p>'
        else:
            title = '<p class="to">Kính gửi: Các đảng ủy trực thuộc Tỉnh ủy</p>'
        body = "".join(f"<p>{e(p)}</p>" for p in BODY)
        sign = (
            "<br>".join(e(x) for x in self.authority)
            + f'<br><br><br><span class="name">{e(self.signer)}</span>'
        )
        return (
            '<section class="doc"><table class="head"><tr>'
            f'<td class="left">{left}</td>'
            f'<td class="right"><b>ĐẢNG CỘNG SẢN VIỆT NAM</b><br><i>{e(self.date_line)}</i></td></tr></table>'
            f"{title}{body}"
            '<table class="sign"><tr><td class="to">Nơi nhận:<br>- Như trên,<br>- Lưu Văn phòng.</td>'
            f'<td class="signer">{sign}</td></tr></table></section>'
        )


CSS = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: "Liberation Serif", "DejaVu Serif", serif; font-size: 13pt; }
section.doc { page-break-after: always; }
table { width: 100%; border-collapse: collapse; }
td { vertical-align: top; text-align: center; width: 50%; }
td.to { text-align: left; font-size: 11pt; }
h1 { text-align: center; font-size: 14pt; margin: 14pt 0 2pt; }
p.subject, p.rule { text-align: center; margin: 0; font-weight: bold; }
p { text-align: justify; text-indent: 1cm; margin: 6pt 0; }
div.vv { font-size: 12pt; margin-top: 4pt; }
div.mark { font-weight: bold; margin-top: 6pt; }
"""


def sample_documents(count: int, *, seed: int = 2026, today: date | None = None) -> list[SampleDocument]:
    """``count`` distinct invented documents dated in the 300 days before ``today``; numbers never repeat."""
    rng = random.Random(seed)  # noqa: S311 — reproducible test data, not secrets
    today = today or date(2026, 11, 1)
    docs = []
    for i in range(count):
        issuer, lines, symbol, types, blocks = ISSUERS[i % len(ISSUERS)]
        abbr = rng.choice(types)
        topic = rng.choice(TOPICS)
        subject = f"V/v {topic}" if abbr == "CV" else f"về {topic}"
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        roll = rng.random()
        urgency = "Khẩn" if roll < 0.08 else ("Thượng khẩn" if roll < 0.1 else None)
        secrecy = "Mật" if rng.random() < 0.05 else None
        doc = SampleDocument(
            issuer=issuer, issuer_lines=tuple(lines), number=100 + i, abbr=abbr, issuer_symbol=symbol,
            issued=today - timedelta(days=rng.randint(1, 300)), subject=subject, signer=name,
            authority=tuple(rng.choice(blocks)), urgency=urgency, secrecy=secrecy,
        )  # fmt: skip
        docs.append(doc)
    return docs


def render_pdf(docs: list[SampleDocument]) -> bytes:
    """One PDF, one page per document (WeasyPrint)."""
    from weasyprint import HTML

    page = f"<!doctype html><html lang=vi><head><meta charset=utf-8><style>{CSS}</style></head><body>"
    page += "".join(d.html() for d in docs) + "</body></html>"
    pdf: bytes = HTML(string=page).write_pdf()
    return pdf


def split_pdf(pdf: bytes) -> list[bytes]:
    """Each page of ``pdf`` as a PDF of its own."""
    import pypdfium2 as pdfium

    out = []
    with PDFIUM_LOCK:
        src = pdfium.PdfDocument(pdf)
        try:
            for index in range(len(src)):
                single = pdfium.PdfDocument.new()
                try:
                    single.import_pages(src, [index])
                    buf = io.BytesIO()
                    single.save(buf)
                    out.append(buf.getvalue())
                finally:
                    single.close()
        finally:
            src.close()
    return out


def render_pdfs(docs: list[SampleDocument]) -> list[bytes]:
    """One single-page PDF per document."""
    pages = split_pdf(render_pdf(docs))
    if len(pages) != len(docs):
        raise RuntimeError(
            f"{len(docs)} documents rendered to {len(pages)} pages: a document overflowed its page"
        )
    return pages
