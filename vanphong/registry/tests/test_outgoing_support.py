"""Shared builders for the outgoing tests (no tests here): a small office with number books and terms, and
minimal PDF / DOCX files made in memory."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from vanphong.accounts.models import Role, User
from vanphong.catalogs.models import DocumentType, IssuerSymbol, NumberBook, Term
from vanphong.org.models import Unit
from vanphong.registry.models import OutgoingDocument
from vanphong.registry.services.outgoing import (
    RecipientIn,
    outgoing_draft_create,
    outgoing_review_decide,
    outgoing_signed_upload,
    outgoing_submit,
)
from vanphong.testing.factories import make_province, make_unit, make_user

SRC = "Thử nghiệm [U]"


def make_pdf(text: str = "DANG CONG SAN VIET NAM") -> bytes:
    """A one-page PDF with ``text`` (Latin-1) in Helvetica, with a correct cross-reference table."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_docx(*paragraphs: str) -> bytes:
    """A minimal Word document whose body holds ``paragraphs``."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="{ns}"><w:body>{body}'
                                         "</w:body></w:document>")  # fmt: skip
    return buf.getvalue()


DOCX = make_docx("ĐẢNG CỘNG SẢN VIỆT NAM", "TỈNH ỦY THỬ NGHIỆM", "V/v tổ chức hội nghị sơ kết")


@dataclass
class World:
    """Tỉnh ủy → Văn phòng Tỉnh ủy → Phòng Tổng hợp; Ban Tổ chức as an internal recipient."""

    province: Unit
    office: Unit
    room: Unit
    board: Unit
    term: Term
    office_symbol: IssuerSymbol
    province_symbol: IssuerSymbol
    cv_book: NumberBook
    nq_book: NumberBook
    specialist: User
    room_leader: User
    office_leader: User
    committee_leader: User
    clerk: User
    board_clerk: User

    def type(self, code: str) -> DocumentType:
        return DocumentType.objects.get(code=code)


def make_world(name: str = "Tỉnh ủy Thử nghiệm Đi") -> World:
    province = make_province(name)
    office = make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")
    room = make_unit(office, "Phòng Tổng hợp", short_name="PTH")
    board = make_unit(province, "Ban Tổ chức Tỉnh ủy", short_name="BTCTU")
    term = Term.objects.create(unit=province, name="Nhiệm kỳ 2025–2030", start=date(2025, 10, 16), source=SRC)
    office_symbol = IssuerSymbol.objects.create(unit=office, symbol="VPTU", issuer_kind="staff", source=SRC,
                                                name="Văn phòng Tỉnh ủy")  # fmt: skip
    province_symbol = IssuerSymbol.objects.create(unit=province, symbol="TU", issuer_kind="btv", source=SRC,
                                                  name="Ban Thường vụ Tỉnh ủy")  # fmt: skip
    cv_book = NumberBook.objects.create(name="Sổ công văn Văn phòng", unit=office, issuer_symbol=office_symbol,
                                        source=SRC)  # fmt: skip
    cv_book.document_types.set(DocumentType.objects.filter(code__in=["cong-van", "bao-cao", "to-trinh"]))
    nq_book = NumberBook.objects.create(name="Sổ nghị quyết", unit=province, issuer_symbol=province_symbol,
                                        source=SRC)  # fmt: skip
    nq_book.document_types.set(DocumentType.objects.filter(code__in=["nghi-quyet", "chi-thi"]))
    return World(
        province=province, office=office, room=room, board=board, term=term, office_symbol=office_symbol,
        province_symbol=province_symbol, cv_book=cv_book, nq_book=nq_book,
        specialist=make_user(room, [Role.SPECIALIST], full_name="Võ Chuyên Viên", clearance=1),
        room_leader=make_user(room, [Role.UNIT_LEADER], full_name="Nguyễn Trưởng Phòng", clearance=1),
        office_leader=make_user(office, [Role.OFFICE_LEADER], full_name="Lê Chánh Văn Phòng", clearance=2),
        committee_leader=make_user(province, [Role.COMMITTEE_LEADER], full_name="Trần Phó Bí Thư", clearance=3),
        clerk=make_user(office, [Role.CLERK], full_name="Đặng Văn Thư", clearance=1),
        board_clerk=make_user(board, [Role.CLERK], full_name="Huỳnh Văn Thư Ban", clearance=1),
    )  # fmt: skip


def draft(w: World, *, code: str = "cong-van", unit: Unit | None = None, **kw: Any) -> OutgoingDocument:
    """A complete công văn of the Văn phòng to the Ban Tổ chức and one external organisation."""
    kw.setdefault("subject", "V/v tổ chức hội nghị sơ kết công tác văn thư")
    kw.setdefault("file", (DOCX, "du-thao.docx"))
    kw.setdefault("signer", w.office_leader)
    kw.setdefault("signer_title", "K/T CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG")
    kw.setdefault("file_copy_holder", "Lưu Văn phòng Tỉnh ủy")
    kw.setdefault(
        "recipients", [w.board, RecipientIn(name="Văn phòng Trung ương Đảng", organ_id="000.00.01.A01")]
    )
    return outgoing_draft_create(
        actor=kw.pop("actor", w.specialist), unit=unit or w.office, document_type=w.type(code), **kw
    )


def approve_all(w: World, doc: OutgoingDocument) -> OutgoingDocument:
    """Submit and approve every step with the right person (by role)."""
    by_role = {Role.UNIT_LEADER: w.room_leader, Role.OFFICE_LEADER: w.office_leader,
               Role.COMMITTEE_LEADER: w.committee_leader}  # fmt: skip
    doc = outgoing_submit(actor=doc.drafted_by or w.specialist, document=doc)
    for review in doc.reviews.filter(round=doc.reviews.order_by("-round").first().round).order_by("order"):
        outgoing_review_decide(actor=by_role[review.role], review=review, decision="approved")
    doc.refresh_from_db()
    return doc


def signed(w: World, doc: OutgoingDocument) -> OutgoingDocument:
    doc = approve_all(w, doc)
    return outgoing_signed_upload(actor=w.office_leader, document=doc, data=make_pdf(), filename="ban-ky.pdf")
