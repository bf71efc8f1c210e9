"""Initial catalogue data with the legal source of every entry. Idempotent: missing entries are created,
existing ones (possibly edited by an administrator) are left alone.

Called by the data migration (with the historical app registry) and by the demo (``seed_catalogs()``).
Marks: [V] read in the primary text, [S] secondary source, [U] unconfirmed — keep editable.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction

SRC_PARTY = "HD 36-HD/VPTW; 399-QĐ/TW; ký hiệu gặp trong số văn bản thực tế"
SRC_STATE = "NĐ 30/2020/NĐ-CP Phụ lục III [S]"
SRC_U = "399-QĐ/TW Điều liệt kê thể loại [S]; chữ viết tắt chưa xác minh [U]"

# code, name, party abbr, state abbr, source
DOCUMENT_TYPES: list[tuple[str, str, str, str, str]] = [
    ("nghi-quyet", "Nghị quyết", "NQ", "NQ", f"{SRC_PARTY} (57-NQ/TW) [V/S]; {SRC_STATE}"),
    ("quyet-dinh", "Quyết định", "QĐ", "QĐ", f"{SRC_PARTY} (14-QĐ/UBKTTW) [V/S]; {SRC_STATE}"),
    (
        "quy-dinh",
        "Quy định",
        "QĐ",
        "QyĐ",
        f"{SRC_PARTY} — khóa XIII Quy định dùng chung ký hiệu QĐ (337/338/379/399-QĐ/TW) [S]; {SRC_STATE}",
    ),
    (
        "quy-dinh-qdi",
        "Quy định (ký hiệu QĐi, khóa XII)",
        "QĐi",
        "",
        f"{SRC_PARTY} (08-QĐi/TW 2018, 11-QĐi/TW 2019) [V/S] — để nhận diện văn bản cũ",
    ),
    ("chi-thi", "Chỉ thị", "CT", "CT", f"{SRC_PARTY} [V/S]; {SRC_STATE}"),
    ("ket-luan", "Kết luận", "KL", "", f"{SRC_PARTY} (215-KL/TW) [V/S]"),
    ("quy-che", "Quy chế", "QC", "QC", f"{SRC_PARTY} (02-QC/BCĐTW, 08-QC/TW) [V/S]; {SRC_STATE}"),
    ("huong-dan", "Hướng dẫn", "HD", "HD", f"{SRC_PARTY} (36-HD/VPTW) [V/S]; {SRC_STATE}"),
    ("thong-bao", "Thông báo", "TB", "TB", f"{SRC_PARTY} (05-TB/BCĐTW) [V/S]; {SRC_STATE}"),
    ("bao-cao", "Báo cáo", "BC", "BC", f"{SRC_PARTY} [V/S]; {SRC_STATE}"),
    ("ke-hoach", "Kế hoạch", "KH", "KH", f"{SRC_PARTY} [V/S]; {SRC_STATE}"),
    ("chuong-trinh", "Chương trình", "CTr", "CTr", f"{SRC_PARTY} [V/S]; {SRC_STATE}"),
    ("to-trinh", "Tờ trình", "TTr", "TTr", f"{SRC_PARTY} [V/S]; {SRC_STATE}"),
    (
        "cong-van",
        "Công văn",
        "CV",
        "",
        f"{SRC_PARTY} (64-CV/TW, 14514-CV/VPTW) [V/S]; công văn nhà nước "
        "không có chữ viết tắt thể loại (số/cơ quan-đơn vị soạn thảo) [S]",
    ),
    ("bien-ban", "Biên bản", "BB", "BB", f"{SRC_PARTY} [V/S]; {SRC_STATE}"),
    ("ban-sao", "Bản sao", "BS", "", f"{SRC_PARTY} (24-BS/UBKTTU) [V/S]"),
    ("thong-tri", "Thông tri", "TT", "", SRC_U),
    ("thong-cao", "Thông cáo", "TC", "TC", f"{SRC_U}; {SRC_STATE}"),
    ("quy-hoach", "Quy hoạch", "QH", "", SRC_U),
    ("de-an", "Đề án", "ĐA", "ĐA", f"{SRC_U}; {SRC_STATE}"),
    ("phuong-an", "Phương án", "PA", "PA", f"{SRC_U}; {SRC_STATE}"),
    ("du-an", "Dự án", "DA", "DA", f"{SRC_U}; {SRC_STATE}"),
    ("chien-luoc", "Chiến lược", "", "", SRC_U),
    ("tuyen-bo", "Tuyên bố", "", "", SRC_U),
    ("loi-keu-goi", "Lời kêu gọi", "", "", SRC_U),
    ("giay-gioi-thieu", "Giấy giới thiệu", "GGT", "GGT", f"{SRC_U}; {SRC_STATE}"),
    ("giay-chung-nhan", "Giấy chứng nhận", "GCN", "", SRC_U),
    ("giay-di-duong", "Giấy đi đường", "GĐĐ", "", SRC_U),
    ("giay-nghi-phep", "Giấy nghỉ phép", "GNP", "GNP", f"{SRC_U}; {SRC_STATE}"),
    ("giay-moi", "Giấy mời", "GM", "GM", f"{SRC_U}; {SRC_STATE}"),
    ("phieu-chuyen", "Phiếu chuyển", "PC", "PC", f"{SRC_U}; {SRC_STATE}"),
    ("phieu-gui", "Phiếu gửi", "PG", "PG", f"{SRC_U}; {SRC_STATE}"),
    ("thu-cong", "Thư công", "", "", SRC_U),
]

SRC_AUTHORITY = (
    "66-QĐ/TW Điều 7 (tỉnh ủy, Ban Thường vụ tỉnh ủy) [S]; 399-QĐ/TW thay thế — chưa đối chiếu [U]"
)
BCH_TYPES = [
    "nghi-quyet", "quyet-dinh", "quy-dinh", "ket-luan", "quy-che", "thong-bao", "thong-cao", "bao-cao", "ke-hoach",
    "quy-hoach", "chuong-trinh", "de-an", "phuong-an", "du-an", "to-trinh", "cong-van", "bien-ban",
]  # fmt: skip
BTV_TYPES = [t for t in BCH_TYPES if t != "thong-cao"] + ["chi-thi", "thong-tri", "huong-dan"]

SRC_URGENCY = (
    "NĐ 30/2020/NĐ-CP Phụ lục I (dấu độ khẩn) [V]; mã Priority edXML theo mã nguồn Bkav [S/U thứ tự]"
)
URGENCY = [
    ("thuong", "Thường", 0, 0, True),
    ("khan", "Khẩn", 1, 1, True),
    ("thuong-khan", "Thượng khẩn", 2, 2, True),
    ("hoa-toc", "Hỏa tốc", 3, 3, True),
    ("hoa-toc-hen-gio", "Hỏa tốc hẹn giờ", 4, 4, False),  # edXML only [U]
]

SRC_SECRECY = "Luật BVBMNN 117/2025/QH15 (thay Luật 29/2018/QH14 Điều 8) [S]"
SECRECY = [
    ("khong-mat", "Không mật", 0),
    ("mat", "Mật", 1),
    ("toi-mat", "Tối mật", 2),
    ("tuyet-mat", "Tuyệt mật", 3),
]

# How each level is handled: (internet_allowed, encrypt_at_rest, digitise_allowed).
SRC_SECRECY_HANDLING = (
    "Lưu trữ: Luật BVBMNN 117/2025/QH15 Điều 5 — cấm soạn thảo, lưu giữ văn bản bí mật trên máy tính, thiết bị "
    "kết nối mạng Internet, trừ mạng LAN độc lập [S]; số hóa: HD 40-HD/VPTW và CV 14748-CV/VPTW — không số hóa "
    "tài liệu Tuyệt mật [S]; mã hóa khi lưu: yêu cầu bảo mật của hệ thống (không phải quy định) [U]"
)
SECRECY_HANDLING = {
    "khong-mat": (True, False, True),
    "mat": (False, True, True),
    "toi-mat": (False, True, True),
    "tuyet-mat": (False, True, False),
}

SRC_RETENTION = (
    "Mã theo một triển khai TT 05/2025/TT-BNV [S]; bảng thời hạn mẫu của Đảng: HD 35-HD/VPTW "
    "(giá trị chưa đối chiếu) [U]"
)
RETENTION = [
    ("01", "Vĩnh viễn", None), ("02", "70 năm", 70), ("03", "50 năm", 50), ("04", "30 năm", 30),
    ("05", "20 năm", 20), ("06", "10 năm", 10), ("07", "Khác", None),
]  # fmt: skip

SRC_BLLD = "Bộ luật Lao động 2019 Điều 112 khoản 1 [S]"
PM_DECIDES = "; ngày cụ thể do Thủ tướng Chính phủ quyết định hằng năm (Điều 112 khoản 3) [S]"
# name, calendar, month, day, length, offset, source, first_year, active
HOLIDAY_RULES: list[tuple[str, str, int, int, int, int, str, int | None, bool]] = [
    ("Tết Dương lịch", "solar", 1, 1, 1, 0, SRC_BLLD, None, True),
    (
        "Tết Nguyên đán",
        "lunar",
        1,
        1,
        5,
        -1,
        SRC_BLLD + " — 05 ngày: ngày cuối năm âm lịch và mùng 1–4" + PM_DECIDES,
        None,
        True,
    ),
    ("Giỗ Tổ Hùng Vương", "lunar", 3, 10, 1, 0, SRC_BLLD + " (10/3 âm lịch)", None, True),
    ("Ngày Chiến thắng", "solar", 4, 30, 1, 0, SRC_BLLD + " (30/4)", None, True),
    ("Ngày Quốc tế lao động", "solar", 5, 1, 1, 0, SRC_BLLD + " (1/5)", None, True),
    (
        "Quốc khánh",
        "solar",
        9,
        2,
        2,
        -1,
        SRC_BLLD + " — 02 ngày: 2/9 và một ngày liền kề (thường là 1/9)" + PM_DECIDES,
        None,
        True,
    ),
    (
        "Ngày Văn hóa Việt Nam",
        "solar",
        11,
        24,
        1,
        0,
        "Đề xuất nghỉ ngày 24/11 — chưa xác minh đã thành luật [U]; bật khi có văn bản",
        None,
        False,
    ),
]

SRC_2025 = "Thông báo của Bộ LĐTBXH/Bộ Nội vụ về lịch nghỉ 2025 (cán bộ, công chức, viên chức) [S]"
TET = "Tết Nguyên đán"
# date, kind, name, rule replaced (by name) or ""
EXCEPTIONS_2025: list[tuple[date, str, str, str]] = [
    (date(2025, 1, 27), "off", "Nghỉ hoán đổi trước Tết Ất Tỵ (làm bù thứ Bảy 08/02/2025)", TET),
    (date(2025, 1, 28), "off", "Tết Nguyên đán (29 tháng Chạp)", TET),
    (date(2025, 1, 29), "off", "Tết Nguyên đán (mùng 1 Tết Ất Tỵ)", TET),
    (date(2025, 1, 30), "off", "Tết Nguyên đán (mùng 2)", TET),
    (date(2025, 1, 31), "off", "Tết Nguyên đán (mùng 3)", TET),
    (date(2025, 2, 1), "off", "Tết Nguyên đán (mùng 4)", TET),
    (date(2025, 2, 8), "work", "Làm bù cho ngày nghỉ hoán đổi 27/01/2025", TET),
    (date(2025, 5, 2), "off", "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/4/2025)", ""),
    (date(2025, 4, 26), "work", "Làm bù cho ngày nghỉ hoán đổi 02/5/2025", ""),
]


SRC_REVIEW = (
    "Quy chế làm việc của từng cơ quan, tổ chức đảng — quy trình mặc định đề xuất, chưa đối chiếu văn bản "
    "cụ thể [U]; NĐ 30/2020/NĐ-CP Điều 10–13 (soạn thảo, kiểm tra, ký ban hành) [S]"
)
# document type code ("" = every type), order, step name, role
REVIEW_STEPS: list[tuple[str, int, str, str]] = [
    ("", 10, "Thẩm định", "unit_leader"),
    ("", 20, "Duyệt", "office_leader"),
    *[(code, 30, "Duyệt", "committee_leader")
      for code in ("nghi-quyet", "chi-thi", "quyet-dinh", "quy-dinh", "ket-luan")],
]  # fmt: skip


def seed_review_steps(apps: Any = None) -> int:
    """Create the default review flow (general steps, then the committee's approval for the weightier types)
    unless a step with the same type, order and role exists; return how many were created."""
    registry = apps or global_apps
    step_model = registry.get_model("catalogs", "ReviewStep")
    type_model = registry.get_model("catalogs", "DocumentType")
    created = 0
    for code, order, name, role in REVIEW_STEPS:
        doc_type = type_model.objects.filter(code=code).first() if code else None
        if code and doc_type is None:
            continue
        _, new = step_model.objects.get_or_create(
            document_type=doc_type, unit=None, order=order, role=role,
            defaults={"name": name, "source": SRC_REVIEW},
        )  # fmt: skip
        created += int(new)
    return created


def seed_catalogs(apps: Any = None) -> dict[str, int]:
    """Create missing entries; return how many were created per catalogue."""
    registry = apps or global_apps

    def m(name: str) -> Any:
        return registry.get_model("catalogs", name)

    created: dict[str, int] = {}

    def count(key: str, was_created: bool) -> None:
        created[key] = created.get(key, 0) + int(was_created)

    with transaction.atomic():
        types = {}
        for rank, (code, name, party, state, source) in enumerate(DOCUMENT_TYPES, start=1):
            obj, new = m("DocumentType").objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "party_abbr": party,
                    "state_abbr": state,
                    "rank": rank * 10,
                    "source": source,
                    "active": code != "quy-dinh-qdi",
                },
            )
            types[code] = obj
            count("document_types", new)
        for kind, codes in (("bch", BCH_TYPES), ("btv", BTV_TYPES)):
            for code in codes:
                _, new = m("AuthorityRule").objects.get_or_create(
                    issuer_kind=kind, document_type=types[code], defaults={"source": SRC_AUTHORITY}
                )
                count("authority_rules", new)
        for code, name, priority, rank, active in URGENCY:
            _, new = m("Urgency").objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "edxml_priority": priority,
                    "rank": rank,
                    "source": SRC_URGENCY,
                    "active": active,
                },
            )
            count("urgency", new)
        for code, name, rank in SECRECY:
            _, new = m("SecrecyLevel").objects.get_or_create(
                code=code, defaults={"name": name, "rank": rank, "source": SRC_SECRECY}
            )
            count("secrecy", new)
        for code, name, years in RETENTION:
            _, new = m("RetentionPeriod").objects.get_or_create(
                code=code, defaults={"name": name, "years": years, "source": SRC_RETENTION}
            )
            count("retention", new)
        rules = {}
        for name, cal, month, day, length, offset, source, first_year, active in HOLIDAY_RULES:
            obj, new = m("HolidayRule").objects.get_or_create(
                name=name,
                defaults={
                    "calendar": cal,
                    "month": month,
                    "day": day,
                    "length_days": length,
                    "offset_days": offset,
                    "source": source,
                    "first_year": first_year,
                    "active": active,
                    "compensate_weekend": True,
                },
            )
            rules[name] = obj
            count("holiday_rules", new)
        for d, kind, name, rule in EXCEPTIONS_2025:
            _, new = m("CalendarException").objects.get_or_create(
                date=d,
                defaults={"kind": kind, "name": name, "source": SRC_2025, "replaces_rule": rules.get(rule)},
            )
            count("calendar_exceptions", new)
        try:
            registry.get_model("catalogs", "ReviewStep")
        except LookupError:  # the data migration 0002 runs before the model exists (0003)
            pass
        else:
            created["review_steps"] = seed_review_steps(registry)
        if any(f.name == "handling_source" for f in m("SecrecyLevel")._meta.get_fields()):  # from 0005 on
            seed_secrecy_handling(registry)
    return created


def seed_catalogs_audited(*, actor: Any = None) -> dict[str, int]:
    """``seed_catalogs`` for the demo and commands: one audit record and a fresh working calendar."""
    from vanphong.core.audit import audit_log

    from .holidays import invalidate_calendar

    with transaction.atomic():
        created = seed_catalogs()
        audit_log(
            actor=actor,
            action="catalogs.seed",
            object_type="catalogs",
            object_label="Dữ liệu danh mục",
            after=created,
        )
        transaction.on_commit(invalidate_calendar)
    return created


def seed_secrecy_handling(apps: Any = None) -> int:
    """Set how each seeded độ mật is handled (``SECRECY_HANDLING``); levels edited since keep their values
    only where ``handling_source`` was already filled."""
    model = (apps or global_apps).get_model("catalogs", "SecrecyLevel")
    changed = 0
    for code, (internet, encrypt, digitise) in SECRECY_HANDLING.items():
        changed += model.objects.filter(code=code, handling_source="").update(
            internet_allowed=internet, encrypt_at_rest=encrypt, digitise_allowed=digitise,
            handling_source=SRC_SECRECY_HANDLING,
        )  # fmt: skip
    return changed
