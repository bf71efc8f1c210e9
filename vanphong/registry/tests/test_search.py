"""The registry's documents in the search index: the index trims exactly as ``registry.access`` does — for
every demo user, on every backend — and registry services keep the index up to date after commit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from vanphong.accounts.models import Role, User
from vanphong.catalogs.models import SecrecyLevel
from vanphong.org.models import Unit
from vanphong.registry.access import incoming_visible_to, outgoing_visible_to
from vanphong.registry.models import IncomingDocument, Medium
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.search.backends import get_backend
from vanphong.search.base import SearchQuery
from vanphong.search.services import search_check, search_reindex
from vanphong.search.sources import viewer_for

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["fake", "tantivy", "postgres"])
def backend(request, tmp_path, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend runs in the PostgreSQL leg of the suite")
    from vanphong.search.backends import ALIASES, reset_backends

    options = {"path": str(tmp_path / "index")} if request.param == "tantivy" else {}
    settings.VANPHONG_SEARCH = {"BACKEND": ALIASES[request.param], "OPTIONS": options}
    reset_backends()
    b = get_backend()
    b.clear()
    yield b
    b.clear()
    reset_backends()


def _secret_document() -> IncomingDocument:
    office = Unit.objects.get(short_name="VPTU")
    return incoming_document_register(
        actor=None, unit=office, medium=Medium.PAPER, subject="Phương án bảo vệ bí mật xăngđầu",
        issuer_name="Ban Bảo vệ", number_symbol="09-PA/BBV", secrecy=SecrecyLevel.objects.filter(rank__gte=1)
        .order_by("rank").first(),
    )  # fmt: skip


def test_search_trims_exactly_as_the_pages_do_for_every_demo_user(backend, capsys):
    call_command("demo", no_serve=True)
    secret = _secret_document()
    capsys.readouterr()
    totals = search_reindex()
    assert totals["indexed"] >= IncomingDocument.objects.count()
    assert search_check().ok
    users = list(User.objects.filter(is_active=True))
    assert len(users) >= 8
    seen_secret = 0
    for user in users:
        viewer = viewer_for(user)
        result = backend.search(SearchQuery(limit=1000, highlight=False), viewer)
        got = {h.key for h in result.hits}
        expected = {f"incoming:{pk}" for pk in incoming_visible_to(user).values_list("pk", flat=True)}
        expected |= {
            f"outgoing:{pk}"
            for pk in outgoing_visible_to(user).exclude(status="cancelled").values_list("pk", flat=True)
        }
        assert got == expected, user.username
        assert result.total == len(expected)
        words = backend.search(SearchQuery(text="xangdau"), viewer)
        if f"incoming:{secret.pk}" in expected:
            seen_secret += 1
            assert words.total == 1
        else:
            assert words.total == 0 and words.hits == []
            assert all(f.label != secret.secrecy.name for f in words.facets.get("secrecy", []))
    assert 0 < seen_secret < len(users)


def test_registering_indexes_after_commit_and_check_finds_drift(backend, django_capture_on_commit_callbacks):
    from vanphong.testing.factories import make_province, make_unit, make_user

    province = make_province("Tỉnh ủy Thử nghiệm")
    office = make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")
    clerk = make_user(office, roles=[Role.CLERK])
    outsider = make_user(make_unit(province, "Ban Tuyên giáo", short_name="BTG"), roles=[Role.CLERK])
    with django_capture_on_commit_callbacks(execute=True):
        doc = incoming_document_register(
            actor=clerk, unit=office, medium=Medium.PAPER, subject="Về chuyển đổi số trong cơ quan Đảng",
            issuer_name="Ban Chấp hành Trung ương", number_symbol="57-NQ/TW",
        )  # fmt: skip
    hits = backend.search(SearchQuery(text="chuyen doi so"), viewer_for(clerk)).hits
    assert [h.key for h in hits] == [f"incoming:{doc.pk}"]
    assert backend.search(SearchQuery(text="chuyen doi so"), viewer_for(outsider)).total == 0
    assert search_check().ok
    IncomingDocument.objects.filter(pk=doc.pk).update(subject="Tiêu đề đã đổi ngoài dịch vụ")
    report = search_check()
    assert report.stale == [f"incoming:{doc.pk}"]
    fixed = search_check(fix=True)
    assert fixed.fixed and search_check().ok
    assert backend.search(SearchQuery(text="tieu de da doi"), viewer_for(clerk)).total == 1
    backend.delete([f"incoming:{doc.pk}"])
    assert search_check().missing == [f"incoming:{doc.pk}"]
