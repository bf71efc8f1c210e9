"""Metadata extraction on invented Party documents, State document forms, and the real Công báo corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from vanphong.ingest.evaluation import gold_cases, score
from vanphong.ingest.extract import FIELDS, display_issuer, extract_metadata, parse_number_symbol, type_source

from .conftest import SAMPLES

GOLD = Path(__file__).parent / "data" / "congbao_gold.json"

NQ_TINH_UY = """\
ĐẢNG BỘ TỈNH TÂY NINH
TỈNH ỦY
*
Số 15-NQ/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Tây Ninh, ngày 22 tháng 12 năm 2025
NGHỊ QUYẾT
của Ban Chấp hành Đảng bộ tỉnh
về phát triển kinh tế số tỉnh Tây Ninh đến năm 2030
-----
- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;
Hội nghị Tỉnh ủy lần thứ 5 đã thảo luận và thống nhất.
I. TÌNH HÌNH VÀ NGUYÊN NHÂN
Các cấp ủy khẩn trương triển khai, bảo vệ bí mật nhà nước theo quy định.
MẬT TRẬN KHÔNG PHẢI DẤU MẬT
Nơi nhận:
- Ban Bí thư (để báo cáo),
- Lưu Văn phòng Tỉnh ủy.
T/M TỈNH ỦY
BÍ THƯ
Nguyễn Văn An
"""

CV_VAN_PHONG = """\
TỈNH ỦY TÂY NINH
VĂN PHÒNG
*
Số 245-CV/VPTU
V/v chuẩn bị hội nghị sơ kết công tác
văn phòng cấp ủy 6 tháng đầu năm 2026
ĐẢNG CỘNG SẢN VIỆT NAM
Tây Ninh, ngày 05 tháng 3 năm 2026
Kính gửi: - Các đảng ủy trực thuộc Tỉnh ủy,
Thực hiện Chương trình công tác năm 2026, Văn phòng Tỉnh ủy đề nghị các đơn vị khẩn trương chuẩn bị.
Nơi nhận:
- Như trên,
- Lưu VT.
K/T CHÁNH VĂN PHÒNG
PHÓ CHÁNH VĂN PHÒNG
Lê Thị Bình
"""

TB_DANG_UY_XA = """\
ĐẢNG BỘ TỈNH TÂY NINH
ĐẢNG ỦY XÃ TÂN PHÚ
*
Số 12-TB/ĐU
HỎA TỐC
ĐẢNG CỘNG SẢN VIỆT NAM
Tân Phú, ngày  05  tháng 3 năm 2026
THÔNG BÁO
kết luận của Ban Thường vụ Đảng ủy về công tác phòng, chống thiên tai năm 2026
-----
Ngày 03/3/2026, Ban Thường vụ Đảng ủy xã họp nghe báo cáo. Ban Thường vụ kết luận như sau:
1. Các chi bộ khẩn trương rà soát phương án.
T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ
Trần Văn Bảy
"""

QD_MAT_KT = """\
TỈNH ỦY TÂY NINH
*
Số 1024-QĐ/TU
TỐI MẬT
ĐẢNG CỘNG SẢN VIỆT NAM
Tây Ninh, ngày 10 tháng 02 năm 2026
QUYẾT ĐỊNH
về việc thành lập Đoàn kiểm tra của Ban Thường vụ Tỉnh ủy
-----
- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;
BAN THƯỜNG VỤ TỈNH ỦY QUYẾT ĐỊNH
Điều 1. Thành lập Đoàn kiểm tra.
T/M BAN THƯỜNG VỤ
K/T BÍ THƯ
PHÓ BÍ THƯ THƯỜNG TRỰC
(Đã ký)
Phạm Minh Châu
"""

HD_VPTW = """\
BAN CHẤP HÀNH TRUNG ƯƠNG
VĂN PHÒNG
*
Số: 36-HD/VPTW
ĐẢNG CỘNG SẢN VIỆT NAM
Hà Nội, ngày 03 tháng 4 năm 2018
HƯỚNG DẪN
thể thức và kỹ thuật trình bày văn bản của Đảng
-----
Thực hiện Quy định của Ban Bí thư về ban hành văn bản của Đảng, Văn phòng Trung ương Đảng hướng dẫn như sau:
K/T CHÁNH VĂN PHÒNG
PHÓ CHÁNH VĂN PHÒNG
Hoàng Văn Thử
"""

# pypdfium2 prints the two header columns on one line; “Nơi nhận” and the signature share lines too
NQ_57_PDF_LAYOUT = """\
BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG CỘNG SẢN VIỆT NAM
* Hà Nội, ngày 22 tháng 12 năm 2024
Số 57-NQ/TW
NGHỊ QUYẾT
CỦA BỘ CHÍNH TRỊ
về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia
-----
I. TÌNH HÌNH VÀ NGUYÊN NHÂN
Nơi nhận: T/M BỘ CHÍNH TRỊ
- Các tỉnh ủy, thành ủy, TỔNG BÍ THƯ
- Lưu Văn phòng Trung ương Đảng.
Tô Lâm
"""

STATE_ND = """\
CÔNG BÁO/Số 1523 + 1524/Ngày 29-12-2024
3
CHÍNH PHỦ
__________
Số: 30/2020/NĐ-CP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 05 tháng 3 năm 2020
NGHỊ ĐỊNH
Về công tác văn thư
Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;
Theo đề nghị của Bộ trưởng Bộ Nội vụ;
Ký bởi: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ
Cơ quan: VĂN PHÒNG CHÍNH PHỦ
Thời gian ký: 07.01.2025 16:32:41 +07:00
Chính phủ ban hành Nghị định về công tác văn thư.
TM. CHÍNH PHỦ
THỦ TƯỚNG
Nguyễn Xuân Phúc
Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ
"""

LUAT = """\
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
QUỐC HỘI
Luật số: 51/2024/QH15
LUẬT
SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT BẢO HIỂM Y TẾ
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Điều 1. Sửa đổi, bổ sung một số điều của Luật Bảo hiểm y tế
Luật này được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XV,
kỳ họp thứ 8 thông qua ngày 27 tháng 11 năm 2024.
CHỦ TỊCH QUỐC HỘI
Trần Thanh Mẫn
"""

QD_BNV_PDF_LAYOUT = """\
BỘ NỘI VỤ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 123/QĐ-BNV Hà Nội, ngày 29 tháng 11 năm 2024
QUYẾT ĐỊNH
Về việc ban hành Kế hoạch chuyển đổi số năm 2025
BỘ TRƯỞNG BỘ NỘI VỤ
Căn cứ Nghị định số 63/2022/NĐ-CP;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch.
KT. BỘ TRƯỞNG
THỨ TRƯỞNG
Thượng tướng Nguyễn Văn Hùng
"""

CV_BTC = """\
BỘ TÀI CHÍNH
Số: 1234/BTC-TCT
V/v hướng dẫn chính sách thuế thu nhập cá nhân
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 14 tháng 01 năm 2026
Kính gửi: Cục Thuế các tỉnh, thành phố.
TL. BỘ TRƯỞNG
KT. CỤC TRƯỞNG CỤC THUẾ
PHÓ CỤC TRƯỞNG
Đặng Ngọc Minh
"""

OCR_NOISE = """\
BỘ TÀI CHÍNH   CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập – Tự do – Hạnh phúc
Số:02/2026/TT- BTC    Hà Nội, ngảy  05  thảng 3 nãm 2026
THÔNG TƯ
Hướng dẫn quản lý kinh phí  thử nghiệm số hoá
Căn cứ Luật Ngân sách nhà nước;
KT. BỘ TRƯỞNG
THỨ TRƯỞNG
y]Nguyễn Thị Thử
"""

VBHN = """\
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
THÔNG TƯ1
Quy định quản lý kinh phí thử nghiệm
Thông tư số 24/2026/TT-BCT ngày 05 tháng 5 năm 2026 của Bộ trưởng Bộ Công Thương, được sửa đổi, bổ sung bởi:
Thông tư số 26/2026/TT-BCT ngày 20 tháng 5 năm 2026 của Bộ trưởng Bộ Công Thương.
Căn cứ Nghị định số 40/2025/NĐ-CP;
Điều 1. Phạm vi điều chỉnh
BỘ CÔNG THƯƠNG
Số: 49/VBHN-BCT
XÁC THỰC VĂN BẢN HỢP NHẤT
Hà Nội, ngày 04 tháng 6 năm 2026
KT. BỘ TRƯỞNG
THỨ TRƯỞNG
Nguyễn Sinh Nhật Tân
"""

CASES = {
    "nq_tinh_uy": (NQ_TINH_UY, {
        "number": "15", "symbol": "NQ/TU", "number_symbol": "15-NQ/TU", "issued_date": "2025-12-22",
        "issuer": "Tỉnh ủy Tây Ninh", "doc_type": "Nghị quyết",
        "subject": "Về phát triển kinh tế số tỉnh Tây Ninh đến năm 2030", "signer": "Nguyễn Văn An",
        "urgency": None, "secrecy": None}),
    "cv_van_phong": (CV_VAN_PHONG, {
        "number": "245", "symbol": "CV/VPTU", "number_symbol": "245-CV/VPTU", "issued_date": "2026-03-05",
        "issuer": "Văn phòng Tỉnh ủy Tây Ninh", "doc_type": "Công văn",
        "subject": "V/v chuẩn bị hội nghị sơ kết công tác văn phòng cấp ủy 6 tháng đầu năm 2026",
        "signer": "Lê Thị Bình", "urgency": None, "secrecy": None}),
    "tb_dang_uy_xa": (TB_DANG_UY_XA, {
        "number": "12", "symbol": "TB/ĐU", "number_symbol": "12-TB/ĐU", "issued_date": "2026-03-05",
        "issuer": "Đảng ủy xã Tân Phú", "doc_type": "Thông báo",
        "subject": "Kết luận của Ban Thường vụ Đảng ủy về công tác phòng, chống thiên tai năm 2026",
        "signer": "Trần Văn Bảy", "urgency": "Hỏa tốc", "secrecy": None}),
    "qd_mat_kt": (QD_MAT_KT, {
        "number": "1024", "symbol": "QĐ/TU", "number_symbol": "1024-QĐ/TU", "issued_date": "2026-02-10",
        "issuer": "Tỉnh ủy Tây Ninh", "doc_type": "Quyết định",
        "subject": "Về việc thành lập Đoàn kiểm tra của Ban Thường vụ Tỉnh ủy", "signer": "Phạm Minh Châu",
        "urgency": None, "secrecy": "Tối mật"}),
    "hd_vptw": (HD_VPTW, {
        "number": "36", "symbol": "HD/VPTW", "number_symbol": "36-HD/VPTW", "issued_date": "2018-04-03",
        "issuer": "Văn phòng Ban Chấp hành Trung ương", "doc_type": "Hướng dẫn",
        "subject": "Thể thức và kỹ thuật trình bày văn bản của Đảng", "signer": "Hoàng Văn Thử",
        "urgency": None, "secrecy": None}),
    "nq57_pdf_layout": (NQ_57_PDF_LAYOUT, {
        "number": "57", "symbol": "NQ/TW", "number_symbol": "57-NQ/TW", "issued_date": "2024-12-22",
        "issuer": "Bộ Chính trị", "doc_type": "Nghị quyết",
        "subject": "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
        "signer": "Tô Lâm", "urgency": None, "secrecy": None}),
    "state_nd": (STATE_ND, {
        "number": "30", "symbol": "2020/NĐ-CP", "number_symbol": "30/2020/NĐ-CP", "issued_date": "2020-03-05",
        "issuer": "Chính phủ", "doc_type": "Nghị định", "subject": "Về công tác văn thư",
        "signer": "Nguyễn Xuân Phúc", "urgency": None, "secrecy": None}),
    "luat": (LUAT, {
        "number": "51", "symbol": "2024/QH15", "number_symbol": "51/2024/QH15", "issued_date": "2024-11-27",
        "issuer": "Quốc hội", "doc_type": "Luật", "subject": "Sửa đổi, bổ sung một số điều của luật bảo hiểm y tế",
        "signer": "Trần Thanh Mẫn", "urgency": None, "secrecy": None}),
    "qd_bnv_pdf_layout": (QD_BNV_PDF_LAYOUT, {
        "number": "123", "symbol": "QĐ-BNV", "number_symbol": "123/QĐ-BNV", "issued_date": "2024-11-29",
        "issuer": "Bộ Nội vụ", "doc_type": "Quyết định",
        "subject": "Về việc ban hành Kế hoạch chuyển đổi số năm 2025", "signer": "Nguyễn Văn Hùng",
        "urgency": None, "secrecy": None}),
    "cv_btc": (CV_BTC, {
        "number": "1234", "symbol": "BTC-TCT", "number_symbol": "1234/BTC-TCT", "issued_date": "2026-01-14",
        "issuer": "Bộ Tài chính", "doc_type": "Công văn",
        "subject": "V/v hướng dẫn chính sách thuế thu nhập cá nhân", "signer": "Đặng Ngọc Minh",
        "urgency": None, "secrecy": None}),
    "ocr_noise": (OCR_NOISE, {
        "number": "02", "symbol": "2026/TT-BTC", "number_symbol": "02/2026/TT-BTC", "issued_date": "2026-03-05",
        "issuer": "Bộ Tài chính", "doc_type": "Thông tư", "subject": "Hướng dẫn quản lý kinh phí thử nghiệm số hoá",
        "signer": "Nguyễn Thị Thử", "urgency": None, "secrecy": None}),
    "vbhn": (VBHN, {
        "number": "49", "symbol": "VBHN-BCT", "number_symbol": "49/VBHN-BCT", "issued_date": "2026-06-04",
        "issuer": "Bộ Công Thương", "doc_type": "Văn bản hợp nhất", "subject": "Quy định quản lý kinh phí thử nghiệm",
        "signer": "Nguyễn Sinh Nhật Tân", "urgency": None, "secrecy": None}),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_extracts_every_field(name):
    """Party forms (T/M, K/T, “*”, two-level issuers, công văn V/v, marks) and State forms (Số:, Luật số:, VBHN,
    one-line PDF layout, OCR noise) give exactly the expected fields."""
    text, expected = CASES[name]
    assert extract_metadata(text) == expected


def test_keys_are_exactly_the_fields_and_unknowns_are_none():
    result = extract_metadata("Một đoạn văn bản không có thông tin gì.\n")
    assert tuple(result) == FIELDS
    assert set(result.values()) == {None}
    assert extract_metadata("") == dict.fromkeys(FIELDS)


def test_words_in_the_body_are_not_marks():
    """“khẩn trương”, “bí mật”, “MẬT TRẬN …” in the body never become độ khẩn / độ mật."""
    result = extract_metadata(NQ_TINH_UY)
    assert result["urgency"] is None and result["secrecy"] is None


def test_gazette_header_and_signature_stamp_are_ignored():
    result = extract_metadata(STATE_ND)
    assert result["signer"] == "Nguyễn Xuân Phúc"  # not the e-stamp “CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ”
    assert result["number_symbol"] == "30/2020/NĐ-CP"  # not “1523 + 1524” of the gazette header


@pytest.mark.parametrize(
    ("cut", "rest"), [("năm", " 2025"), ("tháng", " 12 năm 2025"), ("ngày 22", " tháng 12 năm 2025")]
)
def test_a_wrapped_date_line_is_joined(cut, rest):
    """A narrow header column may wrap “Tây Ninh, ngày 22 tháng 12 năm” / “2025” onto two lines."""
    wrapped = NQ_TINH_UY.replace(f"{cut}{rest}\n", f"{cut}\n{rest.strip()}\n", 1)
    assert wrapped != NQ_TINH_UY
    assert extract_metadata(wrapped)["issued_date"] == "2025-12-22"


def test_a_citation_wrapped_after_its_date_is_not_the_date():
    text = NQ_TINH_UY.replace("Tây Ninh, ngày 22 tháng 12 năm 2025", "Tây Ninh, ngày … tháng … năm …")
    text = text.replace("- Căn cứ", "- Căn cứ Quy định của Bộ Chính trị, ngày 3 tháng 2 năm\n2020;\n- Căn cứ")
    assert extract_metadata(text)["issued_date"] != "2020-02-03"


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_invented_documents_as_plain_text(index):
    assert extract_metadata(SAMPLES[index].text()) == SAMPLES[index].expected()


def test_number_symbol_forms():
    party = parse_number_symbol("57-NQ/TW")
    assert party is not None and (party.number, party.symbol, party.style, party.type_abbr) == (
        "57", "NQ/TW", "party", "NQ",
    )  # fmt: skip
    state = parse_number_symbol("30/2020/NĐ-CP")
    assert state is not None and (state.number, state.symbol, state.type_abbr) == ("30", "2020/NĐ-CP", "NĐ")
    assert parse_number_symbol("66.19/2026/NQ-CP") is not None
    assert parse_number_symbol("2024") is None and parse_number_symbol("13") is None


def test_issuer_display_case():
    assert display_issuer("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI") == "Bộ Lao động - Thương binh và Xã hội"
    assert display_issuer("VĂN PHÒNG TỈNH ỦY TÂY NINH") == "Văn phòng Tỉnh ủy Tây Ninh"
    assert display_issuer("ỦY BAN NHÂN DÂN TỈNH TÂY NINH") == "Ủy ban nhân dân tỉnh Tây Ninh"
    assert display_issuer("BỘ CÔNG THƯƠNG") == "Bộ Công Thương"
    assert display_issuer("Sở Nội vụ") == "Sở Nội vụ"


def test_type_names_name_their_source():
    assert "36-HD/VPTW" in type_source("Nghị quyết")  # from the seeded catalogue
    assert "64/2025/QH15" in type_source("Nghị định")  # built-in table of State types


def test_gold_file_accuracy():
    """Hand-checked expectations for real Công báo texts: every field at least 95 % (number, date, type 100 %)."""
    corpus = Path(settings.VANPHONG_REAL_DATA) / "congbao"
    if not (corpus / "text").is_dir():
        pytest.skip(f"real data not found at {corpus} (set VANPHONG_REAL_DATA to ../shared/data)")
    report = score("gold", gold_cases(GOLD, corpus))
    assert report.documents == len(
        [k for k in json.loads(GOLD.read_text(encoding="utf-8")) if not k.startswith("_")]
    )
    for field in ("number_symbol", "issued_date", "doc_type"):
        assert report.fields[field].accuracy == 1.0, report.fields[field].errors
    for field, fs in report.fields.items():
        if fs.scored:
            assert fs.accuracy is not None and fs.accuracy >= 0.95, (field, fs.errors)
