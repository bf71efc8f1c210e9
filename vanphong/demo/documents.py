"""A working month of the demo office: number books, incoming documents in every state of handling, bút phê,
hand-overs and progress, outgoing documents from draft to issue, a reply that closes its incoming document and
files still waiting in the intake queue.

Everything goes through the same services as the pages (intake → extraction → registration → routing →
outgoing). Every document, number, name and text here is fictional; the issuing bodies are real institutions
named only as senders. Loading is idempotent: it runs once per database (marker: the first demo intake).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.catalogs.models import (
    DocumentType,
    IssuerKind,
    IssuerSymbol,
    NumberBook,
    NumberStyle,
    ResetRule,
    SecrecyLevel,
    Term,
    Urgency,
)
from vanphong.ingest.models import Intake, IntakeSource, IntakeStatus
from vanphong.ingest.samples import sample_documents
from vanphong.ingest.services import intake_create
from vanphong.org.models import Unit
from vanphong.registry.models import IncomingDocument, OutgoingStatus, ReviewDecision
from vanphong.registry.services import outgoing as out
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.routing.models import Assignment
from vanphong.routing.services import (
    Line,
    assignment_close,
    assignment_handover,
    assignment_mark_read,
    assignment_progress,
    routing_instruct,
    routing_propose,
)

DEMO_SOURCE = "Dữ liệu trình diễn (hư cấu) — không phải văn bản thật"
TERM_START = date(2025, 10, 1)  # demo assumption: the 2025–2030 congress of the merged province
BOOK_TYPES = [
    "cong-van",
    "thong-bao",
    "bao-cao",
    "ke-hoach",
    "to-trinh",
    "nghi-quyet",
    "quyet-dinh",
    "chi-thi",
]


@dataclass(frozen=True)
class DemoIncoming:
    parent: str  # line above the issuer in the header ("" for none)
    issuer: str
    number_symbol: str
    type_title: str  # "" for a công văn
    subject: str
    signer: str
    signer_title: str
    days_ago: int
    urgency: str = ""  # "khan", "thuong-khan", "hoa-toc"
    party: bool = True
    place: str = "Hà Nội"


INCOMING: list[DemoIncoming] = [
    DemoIncoming("BAN CHẤP HÀNH TRUNG ƯƠNG", "VĂN PHÒNG", "1482-CV/VPTW", "",
                 "V/v chuẩn bị báo cáo sơ kết 6 tháng thực hiện Nghị quyết số 57-NQ/TW",
                 "Nguyễn Văn Thành", "K/T CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG", 24),
    DemoIncoming("BAN CHẤP HÀNH TRUNG ƯƠNG", "BAN TỔ CHỨC", "215-HD/BTCTW", "HƯỚNG DẪN",
                 "về công tác chuẩn bị nhân sự cấp ủy cơ sở nhiệm kỳ tới", "Lê Minh Quân",
                 "K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN", 21),
    DemoIncoming("", "ỦY BAN NHÂN DÂN TỈNH TÂY NINH", "2874/UBND-KT", "",
                 "V/v phối hợp rà soát danh mục dự án đầu tư công năm 2027", "Phạm Thị Hồng",
                 "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", 18, party=False, place="Tây Ninh"),
    DemoIncoming("ĐẢNG BỘ TỈNH TÂY NINH", "ĐẢNG ỦY XÃ TÂN BIÊN", "36-BC/ĐU", "BÁO CÁO",
                 "kết quả thực hiện nhiệm vụ chuyển đổi số quý III năm 2026", "Trần Văn Lộc",
                 "T/M ĐẢNG ỦY\nBÍ THƯ", 15, place="Tân Biên"),
    DemoIncoming("BAN CHẤP HÀNH TRUNG ƯƠNG", "VĂN PHÒNG", "1530-CV/VPTW", "",
                 "V/v triển khai phần mềm quản lý văn bản và hồ sơ công việc thống nhất trong các cơ quan đảng",
                 "Nguyễn Văn Thành", "K/T CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG", 12, urgency="khan"),
    DemoIncoming("ĐẢNG BỘ TỈNH TÂY NINH", "ĐẢNG ỦY PHƯỜNG TÂN NINH", "41-TTr/ĐU", "TỜ TRÌNH",
                 "đề nghị bổ sung kinh phí hoạt động của Ban Chỉ đạo chuyển đổi số phường", "Võ Thanh Hải",
                 "T/M ĐẢNG ỦY\nPHÓ BÍ THƯ", 10, place="Tân Ninh"),
    DemoIncoming("", "SỞ NỘI VỤ TỈNH TÂY NINH", "1125/SNV-VTLT", "",
                 "V/v hướng dẫn lập danh mục hồ sơ năm 2027", "Đinh Quốc Bảo", "GIÁM ĐỐC", 8,
                 party=False, place="Tây Ninh"),
    DemoIncoming("BAN CHẤP HÀNH TRUNG ƯƠNG", "BAN TUYÊN GIÁO VÀ DÂN VẬN", "88-KH/BTGDVTW", "KẾ HOẠCH",
                 "tuyên truyền kỷ niệm 97 năm Ngày thành lập Đảng Cộng sản Việt Nam", "Hoàng Thị Lan",
                 "K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN", 6),
    DemoIncoming("ĐẢNG BỘ TỈNH TÂY NINH", "ĐẢNG ỦY PHƯỜNG BÌNH MINH", "52-BC/ĐU", "BÁO CÁO",
                 "tình hình tiếp nhận, xử lý đơn thư tháng 10 năm 2026", "Lâm Văn Sơn",
                 "T/M BAN THƯỜNG VỤ\nBÍ THƯ", 4, place="Bình Minh"),
    DemoIncoming("BAN CHẤP HÀNH TRUNG ƯƠNG", "VĂN PHÒNG", "1577-CV/VPTW", "",
                 "V/v báo cáo số liệu phục vụ hội nghị trực tuyến toàn quốc về chuyển đổi số",
                 "Nguyễn Văn Thành", "K/T CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG", 2, urgency="thuong-khan"),
    DemoIncoming("", "ỦY BAN NHÂN DÂN TỈNH TÂY NINH", "3012/UBND-VX", "",
                 "V/v đăng ký lịch làm việc với Thường trực Tỉnh ủy tháng 12 năm 2026", "Phạm Thị Hồng",
                 "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", 1, party=False, place="Tây Ninh"),
    DemoIncoming("ĐẢNG BỘ TỈNH TÂY NINH", "ĐẢNG ỦY XÃ TÂN BIÊN", "39-CV/ĐU", "",
                 "V/v xin ý kiến về phương án sắp xếp chi bộ ấp sau sáp nhập", "Trần Văn Lộc",
                 "T/M ĐẢNG ỦY\nBÍ THƯ", 0, place="Tân Biên"),
]  # fmt: skip

WAITING = 2  # the last documents stay in the intake queue for the clerk to confirm


def _vn_date(d: date, place: str) -> str:
    return f"{place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def document_pdf(doc: DemoIncoming, issued: date) -> bytes:
    """A one-page PDF in the Party (36-HD/VPTW) or State (NĐ 30) layout, with a few lines of fictional body."""
    import weasyprint

    e = html.escape
    number = doc.number_symbol
    left_top = f"<div>{e(doc.parent)}</div>" if doc.parent else ""
    if doc.party:
        right = "<div class='motto'>ĐẢNG CỘNG SẢN VIỆT NAM</div>"
        left = f"{left_top}<div class='b'>{e(doc.issuer)}</div><div>*</div><div>Số {e(number)}</div>"
    else:
        right = "<div class='b'>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class='b'>Độc lập - Tự do - Hạnh phúc</div>"
        left = f"{left_top}<div class='b'>{e(doc.issuer)}</div><div>Số: {e(number)}</div>"
    if doc.type_title:
        title = f"<div class='title'>{e(doc.type_title)}</div><div class='subject'>{e(doc.subject)}</div>"
        cv = ""
    else:
        title = ""
        cv = f"<div class='cv'>{e(doc.subject)}</div>"
    mark = {"khan": "KHẨN", "thuong-khan": "THƯỢNG KHẨN", "hoa-toc": "HỎA TỐC"}.get(doc.urgency, "")
    mark_html = f"<div class='mark'>{mark}</div>" if mark else ""
    sign = "".join(f"<div class='b'>{e(line)}</div>" for line in doc.signer_title.split("\n"))
    body = (
        "<p>Thực hiện chương trình công tác năm 2026 và chỉ đạo của cấp trên, đề nghị các cơ quan, đơn vị "
        "quan tâm phối hợp triển khai, báo cáo kết quả đúng thời hạn quy định.</p>"
        "<p>Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời để được hướng dẫn. "
        "(Văn bản hư cấu dùng cho trình diễn phần mềm.)</p>"
    )
    page = f"""<html><head><meta charset="utf-8"><style>
    @page {{ size: A4; margin: 20mm 15mm 20mm 30mm; }}
    body {{ font-family: "Liberation Serif", "Tinos", "DejaVu Serif", serif; font-size: 14pt; }}
    .head {{ display: flex; justify-content: space-between; text-align: center; }}
    .head > div {{ width: 48%; }} .b {{ font-weight: bold; }} .motto {{ font-weight: bold; text-decoration: underline; }}
    .date {{ text-align: right; font-style: italic; margin: 6mm 0; }}
    .title {{ text-align: center; font-weight: bold; font-size: 15pt; margin-top: 8mm; }}
    .subject {{ text-align: center; font-weight: bold; margin-bottom: 6mm; }}
    .cv {{ font-style: italic; font-size: 12pt; width: 48%; text-align: center; }}
    .mark {{ border: 1.5px solid #c00; color: #c00; display: inline-block; padding: 1mm 4mm; font-weight: bold; }}
    p {{ text-indent: 10mm; text-align: justify; }}
    .sign {{ margin-left: 50%; text-align: center; margin-top: 8mm; }} .name {{ margin-top: 18mm; font-weight: bold; }}
    </style></head><body>
    <div class="head"><div>{left}{cv}{mark_html}</div><div>{right}</div></div>
    <div class="date">{e(_vn_date(issued, doc.place))}</div>
    {title}{body}
    <div class="sign">{sign}<div class="name">{e(doc.signer)}</div></div>
    </body></html>"""
    return bytes(weasyprint.HTML(string=page).write_pdf())


def _catalogs(units: dict[str, Unit]) -> None:
    province, office = units["province"], units["office"]
    if not Term.objects.filter(unit=province).exists():
        Term.objects.create(unit=province, name="Nhiệm kỳ 2025–2030", start=TERM_START, source=DEMO_SOURCE)
    btv, _ = IssuerSymbol.objects.get_or_create(
        unit=province, symbol="TU", issuer_kind=IssuerKind.BTV,
        defaults={"name": "Ban Thường vụ Tỉnh ủy", "source": DEMO_SOURCE},
    )  # fmt: skip
    vptu, _ = IssuerSymbol.objects.get_or_create(
        unit=office, symbol="VPTU", issuer_kind=IssuerKind.STAFF,
        defaults={"name": "Văn phòng Tỉnh ủy", "source": DEMO_SOURCE},
    )  # fmt: skip
    for unit, symbol, who in ((province, btv, "Tỉnh ủy"), (office, vptu, "Văn phòng Tỉnh ủy")):
        for code in BOOK_TYPES:
            dtype = DocumentType.objects.get(code=code)
            if unit == office and code in ("nghi-quyet", "chi-thi"):
                continue
            if NumberBook.objects.filter(unit=unit, document_types=dtype).exists():
                continue
            book = NumberBook.objects.create(
                name=f"Sổ {dtype.name.lower()} — {who}", unit=unit, issuer_symbol=symbol,
                style=NumberStyle.PARTY, reset=ResetRule.TERM,
                source="HD 36-HD/VPTW mục II.1.3.1.a: đánh số theo từng thể loại trong nhiệm kỳ [V]",
            )  # fmt: skip
            book.document_types.add(dtype)


def _at(days_ago: int, hour: int = 8) -> datetime:
    d = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(d, time(hour, 15)))


def demo_documents_load(units: dict[str, Unit]) -> None:
    """Load the working month once (the intake of the first demo letter marks it as done)."""
    _catalogs(units)
    first = INCOMING[0].number_symbol.replace("/", "-") + ".pdf"
    if Intake.objects.filter(filename=first, unit=units["office"]).exists():
        return
    people = {u.username: u for u in User.objects.filter(is_active=True)}
    clerk = people["vanthu"]
    docs: list[IncomingDocument] = []
    for i, spec in enumerate(INCOMING):
        issued = timezone.localdate() - timedelta(days=spec.days_ago + 2)
        pdf = document_pdf(spec, issued)
        with transaction.atomic():
            intake = intake_create(
                actor=clerk, unit=units["office"], source=IntakeSource.UPLOAD,
                filename=spec.number_symbol.replace("/", "-") + ".pdf", data=pdf, content_type="application/pdf",
            )  # fmt: skip
        if i >= len(INCOMING) - WAITING:
            continue  # left in the queue: the clerk confirms these in the demo
        intake.refresh_from_db()
        if intake.status != IntakeStatus.READY:
            continue
        p = intake.proposed or {}
        urgency = Urgency.objects.filter(code=spec.urgency).first() if spec.urgency else None
        docs.append(
            incoming_document_register(
                actor=clerk,
                unit=units["office"],
                intake=intake,
                medium="electronic",
                number_symbol=p.get("number_symbol") or spec.number_symbol,
                issued_date=issued,
                issuer_name=p.get("issuer") or spec.issuer.title(),
                document_type=DocumentType.objects.filter(
                    name__iexact=p.get("doc_type") or "Công văn"
                ).first(),
                subject=p.get("subject") or spec.subject,
                signer_name=p.get("signer") or spec.signer,
                urgency=urgency,
                arrived_at=_at(spec.days_ago),
            )
        )
    _route(docs, people, units)
    _outgoing(docs, people, units)
    _archive(units, clerk)


ARCHIVE_YEAR_END = date(2025, 12, 31)
ARCHIVE_COUNT = 180


def _archive(units: dict[str, Unit], clerk: User) -> None:
    """Last year's sổ đến: invented letters (text only, as if received electronically) so that search, facets and
    registers have a year of history to work on; the marks (Mật, Khẩn) are those printed on each letter."""
    if IncomingDocument.objects.filter(unit=units["office"], arrival_year=ARCHIVE_YEAR_END.year).exists():
        return
    types = {t.name: t for t in DocumentType.objects.all()}
    secrecy = {x.name: x for x in SecrecyLevel.objects.all()}
    urgency = {x.name: x for x in Urgency.objects.all()}
    samples = sorted(
        sample_documents(ARCHIVE_COUNT, seed=2025, today=ARCHIVE_YEAR_END), key=lambda s: s.issued
    )
    for i, spec in enumerate(samples):
        arrived = min(spec.issued + timedelta(days=1 + i % 3), ARCHIVE_YEAR_END)
        incoming_document_register(
            actor=clerk, unit=units["office"], medium="electronic", subject=spec.expected()["subject"],
            issuer_name=spec.issuer, number_symbol=spec.number_symbol, issued_date=spec.issued,
            document_type=types.get(spec.doc_type), signer_name=spec.signer, text=spec.text(),
            secrecy=secrecy.get(spec.secrecy or ""), urgency=urgency.get(spec.urgency or ""),
            arrived_at=timezone.make_aware(datetime.combine(arrived, time(9, i % 60))),
        )  # fmt: skip


def _route(docs: list[IncomingDocument], people: dict[str, User], units: dict[str, Unit]) -> None:
    """Bút phê on the older letters: some in progress (one overdue), one closed later by a reply."""
    bithu, chanhvp = people["bithu"], people["chanhvp"]
    pth, btc = units["room:PTH"], units["dept:BTCTU"]
    tth, truongphong, chuyenvien = units["room:PTH"], people["truongphong"], people["chuyenvien"]
    plans = {
        0: [Line(kind="lead", unit=pth, days=10), Line(kind="support", unit=btc, days=7)],
        1: [Line(kind="lead", unit=btc, days=15), Line(kind="info", unit=pth)],
        2: [Line(kind="lead", unit=tth, days=5)],
        3: [Line(kind="info", unit=pth)],
        4: [Line(kind="lead", unit=pth, days=3), Line(kind="support", unit=units["room:PCYCNTT"], days=3)],
        5: [Line(kind="lead", unit=pth, days=7)],
    }
    for idx, lines in plans.items():
        if idx >= len(docs):
            continue
        doc = docs[idx]
        routing_propose(
            actor=chanhvp,
            document=doc,
            lines=lines,
            text="Kính trình đồng chí Phó Bí thư cho ý kiến chỉ đạo.",
        )
        routing_instruct(
            actor=bithu,
            document=doc,
            lines=lines,
            text="Đồng ý đề xuất của Văn phòng. Các đơn vị khẩn trương thực hiện.",
        )
    # The unit leader hands the office's lead assignments to the specialist, who reports progress.
    for a in Assignment.objects.filter(unit=pth, kind="lead", parent__isnull=True).select_related("document"):
        assignment_mark_read(actor=truongphong, assignment=a)
        child = assignment_handover(
            actor=truongphong,
            assignment=a,
            user=chuyenvien,
            note="Đồng chí Lan tham mưu, dự thảo văn bản trả lời.",
        )
        assignment_mark_read(actor=chuyenvien, assignment=child)
        assignment_progress(
            actor=chuyenvien,
            assignment=child,
            text="Đã tổng hợp số liệu từ các đảng ủy xã, phường; đang dự thảo.",
            percent=60,
        )
    # Time travel (demo only): the UBND letter was routed weeks ago, so its deadline has passed.
    if len(docs) > 2:
        past = timezone.localdate() - timedelta(days=3)
        Assignment.objects.filter(document=docs[2]).update(deadline=past)
        IncomingDocument.objects.filter(pk=docs[2].pk).update(due_date=past)  # register column, same reason
    # Waiting for the leader: docs 6.. stay REGISTERED; one gets a proposal only.
    if len(docs) > 7:
        routing_propose(actor=chanhvp, document=docs[7], lines=[Line(kind="lead", unit=units["dept:BTGDVTU"], days=10)],
                        text="Đề nghị giao Ban Tuyên giáo và Dân vận chủ trì.")  # fmt: skip


def _outgoing(docs: list[IncomingDocument], people: dict[str, User], units: dict[str, Unit]) -> None:
    """A reply issued and closing its letter, one waiting for approval, one draft, one cancelled reserved number."""
    office = units["office"]
    clerk, chuyenvien, chanhvp = people["vanthu"], people["chuyenvien"], people["chanhvp"]
    truongphong = people["truongphong"]
    cong_van = DocumentType.objects.get(code="cong-van")
    bao_cao = DocumentType.objects.get(code="bao-cao")
    communes = [units[k] for k in units if k.startswith("commune:")]
    if not docs:
        return
    # 1. Reply to the first VPTW letter: drafted, approved, signed, issued; closes the letter.
    reply_spec = DemoIncoming("TỈNH ỦY TÂY NINH", "VĂN PHÒNG", "…-CV/VPTU", "",
                              "V/v báo cáo sơ kết 6 tháng thực hiện Nghị quyết số 57-NQ/TW", "Lê Thị Thu Hà",
                              "CHÁNH VĂN PHÒNG", 0, place="Tây Ninh")  # fmt: skip
    draft_pdf = document_pdf(reply_spec, timezone.localdate())
    reply = out.outgoing_draft_create(
        actor=chuyenvien, unit=office, document_type=cong_van, subject=reply_spec.subject,
        file=(draft_pdf, "du-thao-bao-cao-so-ket.pdf"), signer=chanhvp, signer_name="Lê Thị Thu Hà",
        signer_title="Chánh Văn phòng", in_reply_to=docs[0],
        recipients=[out.RecipientIn(name="Văn phòng Trung ương Đảng", organ_id="000.00.00.A01")],
        file_copy_holder="Lưu Văn phòng Tỉnh ủy", copies=2,
    )  # fmt: skip
    _approve_all(reply, people)
    out.outgoing_signed_upload(actor=chanhvp, document=reply, data=draft_pdf, filename="ban-ky.pdf")
    reply = out.outgoing_issue(actor=clerk, document=reply)
    lead = Assignment.objects.filter(document=docs[0], kind="lead", parent__isnull=False).first()
    if lead is not None:
        assignment_close(
            actor=chuyenvien,
            assignment=lead,
            result_kind="reply",
            note="Đã báo cáo Văn phòng Trung ương.",
            reply=reply,
        )
    # 2. A report to the communes, in review with the Chánh Văn phòng.
    report = out.outgoing_draft_create(
        actor=chuyenvien, unit=office, document_type=bao_cao,
        subject="Tình hình triển khai phần mềm văn phòng số tại các đảng ủy xã, phường tháng 11 năm 2026",
        recipients=communes, signer=chanhvp, signer_name="Lê Thị Thu Hà", signer_title="Chánh Văn phòng",
        file_copy_holder="Lưu Văn phòng Tỉnh ủy",
    )  # fmt: skip
    out.outgoing_submit(actor=chuyenvien, document=report)
    for review in report.reviews.filter(decision=ReviewDecision.PENDING, role="unit_leader"):
        out.outgoing_review_decide(
            actor=truongphong, review=review, decision=ReviewDecision.APPROVED, comment="Đồng ý trình."
        )
    # 3. A draft still being written.
    out.outgoing_draft_create(
        actor=chuyenvien, unit=office, document_type=cong_van,
        subject="V/v đôn đốc báo cáo kết quả thực hiện nhiệm vụ chuyển đổi số quý IV năm 2026",
        recipients=communes,
    )  # fmt: skip
    # 4. A number reserved for a Tờ trình and then cancelled (it shows as "số hủy" in the register).
    book = NumberBook.objects.filter(unit=office, document_types__code="cong-van").first()
    if book is not None:
        reservation = out.number_reserve(actor=clerk, book=book, for_date=timezone.localdate(),
                                         reason="Giữ số cho công văn gửi Ban Tổ chức Tỉnh ủy")  # fmt: skip
        out.number_reservation_cancel(
            actor=clerk, reservation=reservation, reason="Lãnh đạo không ký ban hành"
        )


def _approve_all(document: object, people: dict[str, User]) -> None:
    """Walk a draft through its review flow with the demo leaders holding each step's role."""
    from vanphong.registry.models import OutgoingDocument

    assert isinstance(document, OutgoingDocument)
    by_role = {
        "unit_leader": people["truongphong"],
        "office_leader": people["chanhvp"],
        "committee_leader": people["bithu"],
    }
    out.outgoing_submit(actor=document.drafted_by or people["chuyenvien"], document=document)
    for _ in range(10):
        document.refresh_from_db()
        if document.status != OutgoingStatus.IN_REVIEW:
            break
        for review in out.current_stage(document):
            out.outgoing_review_decide(
                actor=by_role[review.role], review=review, decision=ReviewDecision.APPROVED, comment="Đồng ý."
            )
