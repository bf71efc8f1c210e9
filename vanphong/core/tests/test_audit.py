"""The audit trail is append-only and hash-chained; tampering done directly in the database is detected."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from vanphong.core.audit import audit_log, audit_verify
from vanphong.core.models import AuditChainHead, AuditRecord
from vanphong.testing.factories import make_province, make_user


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


@pytest.fixture
def chain(db):
    prov = make_province()
    user = make_user(prov)
    for i in range(5):
        with transaction.atomic():
            audit_log(
                actor=user,
                action="test.event",
                object_type="test.thing",
                object_id=i,
                before={"n": i},
                after={"n": i + 1, "text": "Nghị quyết Đảng"},
            )
    return user


def test_intact_chain_verifies_and_command_prints_ok(chain, capsys):
    """`vanphong audit verify` prints OK <n> records for an untouched chain and exits 0."""
    result = audit_verify()
    assert result.ok and result.count == AuditRecord.objects.count()
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == f"OK {result.count} records"


def test_record_carries_actor_unit_before_after(chain):
    r = AuditRecord.objects.filter(action="test.event").order_by("seq").first()
    assert r.actor_id == chain.pk and r.unit_id == chain.unit_id
    assert r.before == {"n": 0} and r.after["text"] == "Nghị quyết Đảng"
    assert r.prev_hash == AuditRecord.objects.get(seq=r.seq - 1).hash


def test_raw_update_is_detected_and_named(chain, capsys):
    """A row changed with raw SQL breaks its hash; verify exits non-zero and names that record."""
    target = AuditRecord.objects.filter(action="test.event").order_by("seq")[2]
    _raw("UPDATE core_auditrecord SET actor_label = %s WHERE seq = %s", ["ke-gian", target.seq])
    result = audit_verify()
    assert not result.ok and result.bad_seq == target.seq
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert f"record {target.seq}" in capsys.readouterr().err


def test_raw_update_of_json_payload_is_detected(chain):
    target = AuditRecord.objects.filter(action="test.event").order_by("seq")[1]
    _raw("UPDATE core_auditrecord SET after = %s WHERE seq = %s", ['{"n": 999}', target.seq])
    assert audit_verify().bad_seq == target.seq


def test_raw_delete_in_the_middle_is_detected(chain):
    """Deleting a row leaves a gap: the record after the gap is named."""
    target = AuditRecord.objects.filter(action="test.event").order_by("seq")[1]
    _raw("DELETE FROM core_auditrecord WHERE seq = %s", [target.seq])
    result = audit_verify()
    assert not result.ok and result.bad_seq == target.seq + 1


def test_raw_delete_of_the_last_record_is_detected(chain):
    last = AuditRecord.objects.order_by("-seq").first()
    _raw("DELETE FROM core_auditrecord WHERE seq = %s", [last.seq])
    result = audit_verify()
    assert not result.ok and result.bad_seq == last.seq


def test_row_inserted_out_of_chain_is_detected(chain):
    """A forged row renumbered into the sequence cannot carry a valid link and hash."""
    last = AuditRecord.objects.order_by("-seq").first()
    _raw(
        "INSERT INTO core_auditrecord (seq, at, actor_label, unit_label, action, object_type, object_id, "
        "object_label, ip, prev_hash, hash) VALUES (%s, %s, 'x', '', 'forged', '', '', '', '', %s, %s)",
        [last.seq + 1, last.at, "f" * 64, "e" * 64],
    )
    _raw("UPDATE core_auditchainhead SET last_seq = last_seq + 1 WHERE id = 1")
    result = audit_verify()
    assert not result.ok and result.bad_seq == last.seq + 1


def test_orm_cannot_update_or_delete(chain):
    r = AuditRecord.objects.first()
    with pytest.raises(TypeError):
        r.save()
    with pytest.raises(TypeError):
        r.delete()
    with pytest.raises(TypeError):
        AuditRecord.objects.all().delete()
    with pytest.raises(TypeError):
        AuditRecord.objects.update(action="x")


def test_audit_rolls_back_with_the_change(chain):
    """The record is written in the caller's transaction: a failed service leaves no trace and no gap."""
    before = AuditRecord.objects.count()
    head_before = AuditChainHead.objects.get(id=1).last_seq
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=None, action="test.rollback")
        raise RuntimeError("boom")
    assert AuditRecord.objects.count() == before
    assert AuditChainHead.objects.get(id=1).last_seq == head_before
    assert audit_verify().ok


def test_empty_chain_is_ok(db):
    assert audit_verify().ok
