"""``vanphong search reindex|check``: rebuild from the database, report drift, repair it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanphong.accounts.models import Role
from vanphong.registry.models import IncomingDocument, Medium
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.search.backends import get_backend
from vanphong.testing.factories import make_province, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents():
    backend = get_backend()
    backend.clear()
    province = make_province("Tỉnh ủy Thử nghiệm")
    office = make_unit(province, "Văn phòng Tỉnh ủy", short_name="VPTU")
    clerk = make_user(office, roles=[Role.CLERK])
    docs = [
        incoming_document_register(
            actor=clerk,
            unit=office,
            medium=Medium.PAPER,
            subject=f"Công văn số {i} về công tác văn thư",
            issuer_name="Ban Tổ chức Tỉnh ủy",
            number_symbol=f"{100 + i}-CV/BTCTU",
        )
        for i in range(7)
    ]
    yield docs
    backend.clear()


def run(capsys, *args):
    call_command("search", *args)
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_reindex_writes_every_record_in_batches_and_removes_orphans(documents, capsys):
    out = json.loads(run(capsys, "reindex", "--batch", "3", "--json"))
    assert out["indexed"] == 7 and out["documents"] == 7 and out["backend"] == "fake"
    IncomingDocument.objects.filter(pk=documents[0].pk).delete()
    out = json.loads(run(capsys, "reindex", "--json"))
    assert out["indexed"] == 6 and out["deleted"] == 1 and out["documents"] == 6


def test_check_reports_then_fixes(documents, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(capsys, "check", "--json")
    assert exit_info.value.code == 1
    report = json.loads(capsys.readouterr().out.strip())
    assert report["ok"] is False and report["missing"] == 7 and report["checked"] == 7
    fixed = json.loads(run(capsys, "check", "--fix", "--json"))
    assert fixed["fixed"] is True and fixed["missing"] == 7
    again = json.loads(run(capsys, "check", "--json"))
    assert again == {**again, "ok": True, "missing": 0, "stale": 0, "orphans": 0}
    assert "Đã kiểm tra 7 văn bản" in run(capsys, "check")


def test_unknown_kind_is_a_clear_error(documents):
    with pytest.raises(CommandError, match="Không có loại"):
        call_command("search", "reindex", "--kind", "congvan")
