"""The format check of a draft (36-HD/VPTW, NĐ 30/2020): authority matrix, number-book symbols, required
elements, marks. Only a type outside the issuer's authority blocks the submission."""

from __future__ import annotations

import pytest

from vanphong.catalogs.models import AuthorityRule, IssuerSymbol, NumberBook, SecrecyLevel, Urgency
from vanphong.core.exceptions import ValidationError
from vanphong.registry.models import OutgoingStatus
from vanphong.registry.services.outgoing import outgoing_format_check, outgoing_submit

from .test_outgoing_support import draft, make_docx, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _codes(doc) -> set[str]:
    return {w.code for w in outgoing_format_check(doc)}


def test_complete_cong_van_has_only_the_undeclared_staff_authority_note(w):
    """A well-formed công văn of the Văn phòng: the seed has no rules for cơ quan tham mưu yet, said so."""
    doc = draft(w)
    assert _codes(doc) == {"authority_undeclared"}
    assert not any(x.blocking for x in outgoing_format_check(doc))


def test_unauthorised_type_blocks_submit_with_explanation_and_source(w):
    """Ban Chấp hành does not issue chỉ thị (66-QĐ/TW Điều 7): the warning blocks and cites its source."""
    w.province_symbol.issuer_kind = "bch"
    w.province_symbol.name = "Ban Chấp hành Đảng bộ tỉnh"
    w.province_symbol.save()
    doc = draft(w, code="chi-thi", unit=w.province, subject="Chỉ thị về công tác văn thư")
    found = [x for x in outgoing_format_check(doc) if x.code == "type_not_allowed"]
    assert found and found[0].blocking and "66-QĐ/TW Điều 7" in found[0].source
    assert "Chỉ thị" in found[0].message and "Ban Chấp hành Đảng bộ tỉnh (TU)" in found[0].message
    with pytest.raises(ValidationError, match="Chưa trình được: Thể loại “Chỉ thị” không thuộc thẩm quyền"):
        outgoing_submit(actor=w.specialist, document=doc)
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.DRAFT and not doc.reviews.exists()


def test_authorised_type_passes(w):
    doc = draft(w, code="chi-thi", unit=w.province, subject="Chỉ thị về công tác văn thư")
    assert "type_not_allowed" not in _codes(doc)
    assert AuthorityRule.objects.filter(issuer_kind="btv", document_type__code="chi-thi").exists()


def test_missing_issuer_symbol_is_a_warning(w):
    IssuerSymbol.objects.filter(unit=w.office).update(active=False)
    NumberBook.objects.filter(pk=w.cv_book.pk).update(issuer_symbol=None)
    assert "issuer_kind_missing" in _codes(draft(w))


def test_missing_elements(w):
    """No signer, title, recipients, Lưu or file: each named; none blocks."""
    doc = draft(w, signer=None, signer_title="", recipients=[], file_copy_holder="", file=None)
    codes = _codes(doc)
    assert {"signer_missing", "signer_title_missing", "recipients_missing", "file_copy_missing",
            "file_missing"} <= codes  # fmt: skip
    assert not any(x.blocking for x in outgoing_format_check(doc))


def test_cong_van_without_vv_and_state_style_signature(w):
    doc = draft(w, subject="Tổ chức hội nghị", signer_title="KT. CHÁNH VĂN PHÒNG", file_copy_holder="VT, VP")
    codes = _codes(doc)
    assert {"cong_van_vv", "signer_title_state_form", "file_copy_form"} <= codes
    message = next(x.message for x in outgoing_format_check(doc) if x.code == "cong_van_vv")
    assert "V/v" in message


def test_state_abbreviation_and_state_form_in_a_party_book(w):
    """“QyĐ/ĐU” (the NĐ 30 form) in a Party book is the common mistake the check names."""
    book = NumberBook.objects.create(name="Sổ quy định", unit=w.office, issuer_symbol=w.office_symbol,
                                     type_abbr="QyĐ", symbol_template="{n}/{type}-{issuer}", source="Thử [U]")  # fmt: skip
    book.document_types.set([w.type("quy-dinh")])
    doc = draft(w, code="quy-dinh", subject="Quy định về văn thư")
    codes = _codes(doc)
    assert {"state_abbr_in_party_book", "party_symbol_form"} <= codes
    message = next(x.message for x in outgoing_format_check(doc) if x.code == "party_symbol_form")
    assert "01/QyĐ-VPTU" in message


def test_no_book_is_announced_before_issue(w):
    doc = draft(w, code="ke-hoach", subject="Kế hoạch năm")
    warning = next(x for x in outgoing_format_check(doc) if x.code == "no_book")
    assert "Chưa có sổ văn bản cho thể loại “Kế hoạch”" in warning.message and not warning.blocking


def test_secrecy_and_urgency_marks_are_compared_with_the_file(w):
    w.specialist.clearance = 2
    w.specialist.save()
    mat = SecrecyLevel.objects.get(code="mat")
    khan = Urgency.objects.get(code="khan")
    doc = draft(w, secrecy=mat, urgency=khan)
    assert {"secrecy_mark_missing", "urgency_mark_missing"} <= _codes(doc)
    marked = make_docx("ĐẢNG CỘNG SẢN VIỆT NAM", "MẬT", "KHẨN", "V/v hội nghị")
    assert not {"secrecy_mark_missing", "urgency_mark_missing"} & _codes(
        draft(w, secrecy=mat, urgency=khan, file=(marked, "mat.docx"))
    )
    unmarked_level = draft(w, file=(marked, "mat.docx"))
    assert "secrecy_not_set" in _codes(unmarked_level)


def test_party_header_missing_in_the_file(w):
    doc = draft(w, file=(make_docx("V/v hội nghị", "Nội dung"), "a.docx"))
    assert "party_header_missing" in _codes(doc)
