"""Encryption at rest through the services and the ``vanphong keys`` command (filesystem backend, database)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanphong.core.audit import audit_verify
from vanphong.core.models import AuditRecord
from vanphong.storage import services
from vanphong.storage.backends import FileSystemBackend
from vanphong.storage.crypto import ENV_VAR, BlobCorruptError, KeyUnavailableError, generate_key_file
from vanphong.storage.models import Blob
from vanphong.storage.services import (
    blob_encrypt,
    blob_open,
    blob_put,
    blob_read,
    keys_rotate,
    storage_gc,
    storage_verify,
)

pytestmark = pytest.mark.django_db

PHRASE = "Nghị quyết TUYỆT MẬT về công tác cán bộ của Ban Thường vụ Tỉnh ủy".encode()
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + PHRASE * 50 + b"\n%%EOF\n"


def raw_files(backend: FileSystemBackend) -> dict[str, bytes]:
    """Every file under the storage root (including temp files), by name."""
    return {p.name: p.read_bytes() for p in backend.root.rglob("*") if p.is_file()}


def assert_no_plaintext(backend: FileSystemBackend) -> None:
    for name, raw in raw_files(backend).items():
        assert PHRASE not in raw, name
        assert b"%PDF" not in raw, name


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def key_file(settings, tmp_path: Path, monkeypatch) -> Path:
    """Keys from a key file only (no environment or test key), with one current key."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = tmp_path / "keys" / "master.keys"
    settings.VANPHONG_KEYS = {"PROVIDER": "vanphong.storage.crypto.FileKeyProvider", "KEY_FILE": str(path)}
    generate_key_file(path)
    return path


def test_encrypted_put_round_trip_and_raw_bytes(fs_storage: FileSystemBackend) -> None:
    """An encrypted put keeps the plaintext address, reads back intact, and no stored byte is plaintext."""
    blob = blob_put(actor=None, data=PDF, content_type="application/pdf", encrypt=True)
    assert blob.pk == hashlib.sha256(PDF).hexdigest()
    assert blob.encrypted and blob.key_id and blob.stored_sha256 != blob.pk
    assert blob_read(blob.pk) == PDF
    assert list(raw_files(fs_storage)) == [blob.stored_sha256]
    assert blob.stored_size == len(fs_storage.path(blob.stored_sha256).read_bytes())
    assert_no_plaintext(fs_storage)
    record = AuditRecord.objects.get(action="storage.blob.put")
    assert record.after["encrypted"] is True
    assert audit_verify().ok


def test_large_encrypted_stream_spans_chunks(fs_storage: FileSystemBackend) -> None:
    """A 9 MiB stream (spilled spool, ten 1 MiB chunks) round-trips and streams in pieces."""
    data = os.urandom(9 * 1024 * 1024 + 17) + PHRASE
    blob = blob_put(actor=None, data=io.BytesIO(data), encrypt=True)
    assert blob.pk == hashlib.sha256(data).hexdigest()
    with blob_open(blob.pk) as f:
        first = f.read(1000)
        rest = f.read()
    assert first + rest == data
    assert_no_plaintext(fs_storage)


def test_plain_put_of_encrypted_bytes_stays_encrypted(fs_storage: FileSystemBackend) -> None:
    """Putting the same bytes again without encryption returns the encrypted blob and writes nothing."""
    blob = blob_put(actor=None, data=PDF, encrypt=True)
    before = raw_files(fs_storage)
    again = blob_put(actor=None, data=io.BytesIO(PDF), encrypt=False)
    assert again.pk == blob.pk and again.encrypted
    assert raw_files(fs_storage) == before
    assert AuditRecord.objects.filter(action__startswith="storage.blob").count() == 1


def test_lost_encrypted_file_is_repaired_encrypted(fs_storage: FileSystemBackend) -> None:
    """When an encrypted blob's file is lost, a plain put of its bytes re-seals it and never writes plaintext."""
    blob = blob_put(actor=None, data=PDF, encrypt=True)
    fs_storage.delete(blob.stored_sha256)
    repaired = blob_put(actor=None, data=PDF)
    assert repaired.encrypted and repaired.stored_sha256 != blob.stored_sha256
    assert blob_read(blob.pk) == PDF
    assert_no_plaintext(fs_storage)
    assert AuditRecord.objects.filter(action="storage.blob.repair").count() == 1


def test_put_with_encrypt_converts_a_plain_blob(fs_storage: FileSystemBackend) -> None:
    """``encrypt=True`` on bytes already stored in plaintext converts that blob."""
    blob_put(actor=None, data=PDF)
    blob = blob_put(actor=None, data=PDF, encrypt=True)
    assert blob.encrypted
    assert_no_plaintext(fs_storage)
    assert blob_read(blob.pk) == PDF


def test_blob_encrypt_converts_in_place_and_is_idempotent(fs_storage: FileSystemBackend) -> None:
    """blob_encrypt keeps the address, removes the plaintext file, audits once; a second call changes nothing."""
    plain = blob_put(actor=None, data=PDF, content_type="application/pdf")
    assert fs_storage.path(plain.pk).read_bytes() == PDF
    blob = blob_encrypt(plain.pk, actor=None)
    assert blob.pk == plain.pk and blob.encrypted
    assert list(raw_files(fs_storage)) == [blob.stored_sha256]
    assert_no_plaintext(fs_storage)
    assert blob_read(plain.pk) == PDF
    again = blob_encrypt(plain.pk, actor=None)
    assert (again.stored_sha256, bytes(again.wrapped_key)) == (blob.stored_sha256, bytes(blob.wrapped_key))
    assert AuditRecord.objects.filter(action="storage.blob.encrypt").count() == 1
    assert storage_verify().ok
    assert audit_verify().ok


def test_blob_encrypt_crash_before_commit_keeps_plaintext_with_its_row(
    fs_storage: FileSystemBackend, monkeypatch
) -> None:
    """A crash after the ciphertext is stored but before the row commits leaves the plaintext blob intact;
    the ciphertext is an orphan, and a second run completes the conversion."""
    blob = blob_put(actor=None, data=PDF)

    def crash(**kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(services, "audit_log", crash)
    with pytest.raises(RuntimeError):
        blob_encrypt(blob.pk, actor=None)
    monkeypatch.undo()
    row = Blob.objects.get(pk=blob.pk)
    assert not row.encrypted and not row.key_id
    assert blob_read(blob.pk) == PDF
    report = storage_verify()
    assert report.missing == [] and report.mismatched == []
    assert len(report.orphans) == 1 and report.orphans[0] != blob.pk
    assert blob_encrypt(blob.pk, actor=None).encrypted
    assert blob_read(blob.pk) == PDF
    storage_gc(older_than=timedelta(0))
    assert storage_verify().ok
    assert_no_plaintext(fs_storage)


def test_blob_encrypt_crash_while_storing_changes_nothing(fs_storage: FileSystemBackend, monkeypatch) -> None:
    """A crash inside the backend write leaves only the plaintext blob (the backend put is atomic)."""
    blob = blob_put(actor=None, data=PDF)
    files = raw_files(fs_storage)

    def crash(sha, stream):
        raise OSError("disk full")

    monkeypatch.setattr(fs_storage, "put", crash)
    with pytest.raises(OSError):
        blob_encrypt(blob.pk, actor=None)
    assert raw_files(fs_storage) == files
    assert not Blob.objects.get(pk=blob.pk).encrypted


def test_blob_encrypt_crash_after_commit_keeps_ciphertext_with_its_row(
    fs_storage: FileSystemBackend, monkeypatch
) -> None:
    """A crash after the row commits but before the plaintext file is deleted: the blob reads (decrypted), the
    plaintext leftover is reported as an orphan, and gc or a second blob_encrypt removes it."""
    blob = blob_put(actor=None, data=PDF)

    def crash(backend, blob):
        raise RuntimeError("power cut")

    monkeypatch.setattr(services, "_drop_plaintext", crash)
    with pytest.raises(RuntimeError):
        blob_encrypt(blob.pk, actor=None)
    monkeypatch.undo()
    row = Blob.objects.get(pk=blob.pk)
    assert row.encrypted
    assert fs_storage.path(blob.pk).read_bytes() == PDF  # the leftover
    assert blob_read(blob.pk) == PDF
    assert storage_verify().orphans == [blob.pk]
    blob_encrypt(blob.pk, actor=None)
    assert not fs_storage.exists(blob.pk)
    assert storage_verify().ok
    assert_no_plaintext(fs_storage)


def test_plaintext_leftover_is_removed_by_gc(fs_storage: FileSystemBackend) -> None:
    """A plaintext file at an encrypted blob's address is no stored name: gc removes it, the blob still reads."""
    blob = blob_put(actor=None, data=PDF, encrypt=True)
    fs_storage.put(blob.pk, io.BytesIO(PDF))
    assert storage_gc(older_than=timedelta(0)).removed == [blob.pk]
    assert blob_read(blob.pk) == PDF
    assert_no_plaintext(fs_storage)


def test_verify_decrypts_and_reports_tampering(fs_storage: FileSystemBackend) -> None:
    """verify checks encrypted blobs by decrypting; a flipped byte is ``decrypt``, a lost file ``missing``."""
    good = blob_put(actor=None, data=b"healthy " + PHRASE, encrypt=True)
    bad = blob_put(actor=None, data=PDF, encrypt=True)
    gone = blob_put(actor=None, data=b"gone " + PHRASE, encrypt=True)
    code, out = run("storage", "verify")
    assert (code, json.loads(out)["ok"]) == (0, True)

    path = fs_storage.path(bad.stored_sha256)
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0x01
    path.write_bytes(bytes(raw))
    fs_storage.delete(gone.stored_sha256)
    code, out = run("storage", "verify")
    report = json.loads(out)
    assert code == 1
    assert report["checked"] == 3
    assert report["missing"] == [gone.pk]
    assert [(m["sha256"], m["reason"]) for m in report["mismatched"]] == [(bad.pk, "decrypt")]
    assert "bị hỏng" in report["mismatched"][0]["detail"]
    assert good.pk not in out
    with pytest.raises(BlobCorruptError):
        blob_read(bad.pk)


def test_missing_key_is_a_clear_error(fs_storage: FileSystemBackend, settings, tmp_path, monkeypatch) -> None:
    """Without a master key, encrypting fails in Vietnamese before writing anything; plaintext blobs still work,
    and verify reports encrypted blobs as ``key`` problems."""
    encrypted = blob_put(actor=None, data=PDF, encrypt=True)
    monkeypatch.delenv(ENV_VAR, raising=False)
    settings.VANPHONG_KEYS = {"KEY_FILE": str(tmp_path / "nowhere.keys")}
    files = raw_files(fs_storage)
    with pytest.raises(KeyUnavailableError) as err:
        blob_put(actor=None, data=b"secret " + PHRASE, encrypt=True)
    assert "Chưa cấu hình khóa chủ" in err.value.message
    assert raw_files(fs_storage) == files
    assert Blob.objects.count() == 1
    assert blob_read(blob_put(actor=None, data=b"public").pk) == b"public"
    with pytest.raises(KeyUnavailableError):
        blob_open(encrypted.pk)
    assert [m["reason"] for m in storage_verify().mismatched] == ["key"]


def test_unknown_key_id_is_a_clear_error(fs_storage: FileSystemBackend, key_file: Path) -> None:
    """A blob wrapped under a key the key file no longer holds cannot be read, and says which key is missing."""
    blob = blob_put(actor=None, data=PDF, encrypt=True)
    Blob.objects.filter(pk=blob.pk).update(key_id="20200101-deadbeef")
    with pytest.raises(KeyUnavailableError, match="20200101-deadbeef"):
        blob_read(blob.pk)


def test_rotate_rewraps_in_batches_and_everything_still_reads(
    fs_storage: FileSystemBackend, key_file: Path
) -> None:
    """After a new current key is added, rotate rewraps every data key batch by batch (resumable); files are not
    touched, reads work before, during and after, and a second run has nothing to do."""
    blobs = [blob_put(actor=None, data=f"{i} ".encode() + PHRASE, encrypt=True) for i in range(5)]
    old_id = blobs[0].key_id
    files = raw_files(fs_storage)
    new_id = generate_key_file(key_file, add=True)

    calls: list[int] = []

    def interrupt(done: int) -> None:
        calls.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        keys_rotate(batch=2, progress=interrupt)
    assert Counter(Blob.objects.values_list("key_id", flat=True)) == {new_id: 2, old_id: 3}
    assert all(blob_read(b.pk).endswith(PHRASE) for b in blobs)  # mixed keys read fine

    code, out = run("keys", "rotate", "--batch", "2", "--json")
    report = json.loads(out)
    assert code == 0
    assert report == {"ok": True, "current_key_id": new_id, "rewrapped": 3, "batches": 2, "failed": []}
    assert set(Blob.objects.values_list("key_id", flat=True)) == {new_id}
    assert raw_files(fs_storage) == files
    assert all(blob_read(b.pk) == f"{i} ".encode() + PHRASE for i, b in enumerate(blobs))
    assert AuditRecord.objects.filter(action="storage.keys.rotate").count() == 3
    assert audit_verify().ok

    code, out = run("keys", "rotate")
    assert code == 0 and "Đã bọc lại 0 khóa dữ liệu" in out
    assert storage_verify().ok


def test_rotate_reports_blobs_it_cannot_unwrap(fs_storage: FileSystemBackend, key_file: Path) -> None:
    """A blob under an unknown key is listed as failed and the command exits 1; the others are rewrapped."""
    lost = blob_put(actor=None, data=b"a " + PHRASE, encrypt=True)
    blob_put(actor=None, data=b"b " + PHRASE, encrypt=True)
    Blob.objects.filter(pk=lost.pk).update(key_id="gone")
    generate_key_file(key_file, add=True)
    code, out = run("keys", "rotate", "--json")
    report = json.loads(out)
    assert code == 1
    assert report["rewrapped"] == 1
    assert [f["sha256"] for f in report["failed"]] == [lost.pk]


def test_keys_status(fs_storage: FileSystemBackend, key_file: Path) -> None:
    """status lists key ids (current first) with the count of blobs each wraps, as text or JSON."""
    blob_put(actor=None, data=b"plain")
    blob_put(actor=None, data=b"x " + PHRASE, encrypt=True)
    old_id = Blob.objects.get(encrypted=True).key_id
    new_id = generate_key_file(key_file, add=True)
    blob_put(actor=None, data=b"y " + PHRASE, encrypt=True)
    code, out = run("keys", "status", "--json")
    status = json.loads(out)
    assert code == 0
    assert status["current_key_id"] == new_id
    assert status["key_ids"] == [new_id, old_id]
    assert status["by_key_id"] == {old_id: 1, new_id: 1}
    assert (status["blobs"], status["encrypted"], status["unknown_key_ids"], status["error"]) == (
        3,
        2,
        [],
        None,
    )
    assert status["key_file"] == str(key_file)
    code, out = run("keys", "status")
    assert code == 0
    assert f"Khóa {new_id} (hiện hành): 1 tệp" in out
    assert "Tổng: 3 tệp, 2 tệp đã mã hóa." in out


def test_keys_status_without_keys(settings, tmp_path: Path, monkeypatch) -> None:
    """With no key configured, status says so and exits 1."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    settings.VANPHONG_KEYS = {"KEY_FILE": str(tmp_path / "none.keys")}
    code, out = run("keys", "status", "--json")
    assert code == 1
    assert "Chưa cấu hình khóa chủ" in json.loads(out)["error"]


def test_keys_generate_command(settings, tmp_path: Path) -> None:
    """generate creates a private key file, refuses to overwrite it, and --add adds a new current key."""
    path = tmp_path / "k" / "master.keys"
    code, out = run("keys", "generate", "--file", str(path), "--json")
    first = json.loads(out)
    assert code == 0 and first["key_file"] == str(path) and first["added"] is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="đã tồn tại"):
        run("keys", "generate", "--file", str(path))
    code, out = run("keys", "generate", "--file", str(path), "--add")
    assert code == 0 and "Đã thêm khóa hiện hành" in out
    doc = json.loads(path.read_text())
    assert doc["current"] != first["key_id"]
    assert {k["id"] for k in doc["keys"]} == {first["key_id"], doc["current"]}
    settings.VANPHONG_KEYS = {**settings.VANPHONG_KEYS, "KEY_FILE": str(tmp_path / "default.keys")}
    code, out = run("keys", "generate")
    assert code == 0 and (tmp_path / "default.keys").exists()


def test_file_response_streams_decrypted_bytes(fs_storage: FileSystemBackend) -> None:
    """Download views hand ``blob_open`` to FileResponse: it streams the plaintext of an encrypted blob."""
    from django.http import FileResponse

    data = os.urandom(3 * 1024 * 1024) + PDF
    blob = blob_put(actor=None, data=data, encrypt=True)
    response = FileResponse(blob_open(blob.pk), content_type="application/pdf")
    assert b"".join(response.streaming_content) == data  # type: ignore[arg-type]
    response.close()
