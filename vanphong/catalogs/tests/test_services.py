"""The catalogue service: only editors write, every write is validated and audited with before/after."""

from __future__ import annotations

import pytest

from vanphong.catalogs.models import DocumentType, NumberBook
from vanphong.catalogs.seed import seed_catalogs, seed_catalogs_audited
from vanphong.catalogs.selectors import authority_allows, document_type_by_abbr
from vanphong.catalogs.services import catalog_entry_save
from vanphong.core.exceptions import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_admin_creates_and_updates_with_audit(admin):
    """Create then update a document type; two audit records, the second with before and after."""
    dt = catalog_entry_save(
        actor=admin,
        instance=DocumentType(),
        data={
            "code": "thong-tri-thu",
            "name": "Thông tri thử",
            "party_abbr": "TTri",
            "state_abbr": "",
            "rank": 500,
            "source": "Thử [U]",
            "active": True,
        },
    )
    catalog_entry_save(actor=admin, instance=dt, data={"party_abbr": "TT"})
    records = list(
        AuditRecord.objects.filter(object_type="catalogs.documenttype", object_id=str(dt.pk)).order_by("seq")
    )
    assert [r.action for r in records] == ["catalogs.documenttype.create", "catalogs.documenttype.update"]
    assert records[1].before["party_abbr"] == "TTri" and records[1].after["party_abbr"] == "TT"


def test_non_admin_cannot_write(clerk):
    """A clerk is refused in Vietnamese."""
    with pytest.raises(PermissionDenied, match="quản trị"):
        catalog_entry_save(actor=clerk, instance=DocumentType.objects.first(), data={"name": "x"})


def test_invalid_data_is_refused_with_field_label(admin):
    """Validation errors name the Vietnamese field label; nothing is saved."""
    with pytest.raises(ValidationError, match="căn cứ pháp lý"):
        catalog_entry_save(
            actor=admin, instance=DocumentType(), data={"code": "x", "name": "X", "source": ""}
        )
    assert not DocumentType.objects.filter(code="x").exists()


def test_bad_symbol_template_refused(admin, province):
    with pytest.raises(ValidationError, match="mẫu số, ký hiệu"):
        catalog_entry_save(
            actor=admin,
            instance=NumberBook(),
            data={
                "name": "Sổ sai",
                "unit": province,
                "symbol_template": "{so}-{type}",
                "source": "Thử [U]",
                "document_types": [DocumentType.objects.get(code="nghi-quyet")],
            },
        )


def test_m2m_saved(admin, province):
    book = catalog_entry_save(
        actor=admin,
        instance=NumberBook(),
        data={
            "name": "Sổ nghị quyết",
            "unit": province,
            "source": "HD 36 [V]",
            "document_types": [DocumentType.objects.get(code="nghi-quyet").pk],
        },
    )
    assert [t.code for t in book.document_types.all()] == ["nghi-quyet"]


def test_seed_is_idempotent_and_keeps_admin_edits(admin):
    """Running the seed again creates nothing and does not overwrite an edited entry."""
    dt = DocumentType.objects.get(code="thong-tri")
    catalog_entry_save(actor=admin, instance=dt, data={"party_abbr": "TTr2"})
    assert sum(seed_catalogs().values()) == 0
    assert sum(seed_catalogs_audited().values()) == 0
    assert DocumentType.objects.get(code="thong-tri").party_abbr == "TTr2"
    assert AuditRecord.objects.filter(action="catalogs.seed").exists()


def test_seeded_document_types_and_marks():
    """Confirmed abbreviations are seeded with [V/S]; unconfirmed ones with [U]."""
    for abbr in ["NQ", "QĐ", "CT", "KL", "QC", "HD", "TB", "BC", "KH", "CTr", "TTr", "CV", "BB", "BS"]:
        dt = document_type_by_abbr(abbr)
        assert dt is not None and dt.active and "[V/S]" in dt.source, abbr
    assert document_type_by_abbr("QĐi") is not None
    for abbr in ["TT", "TC", "ĐA", "PA", "GM"]:
        dt = document_type_by_abbr(abbr)
        assert dt is not None and "[U]" in dt.source, abbr
    assert document_type_by_abbr("QyĐ", style="state").code == "quy-dinh"


def test_authority_matrix():
    """BCH issues nghị quyết but not chỉ thị; Ban Thường vụ issues chỉ thị but not thông cáo (66-QĐ/TW Điều 7)."""
    nq, ct, tc = (DocumentType.objects.get(code=c) for c in ("nghi-quyet", "chi-thi", "thong-cao"))
    assert authority_allows("bch", nq) and not authority_allows("bch", ct)
    assert authority_allows("btv", ct) and not authority_allows("btv", tc)
