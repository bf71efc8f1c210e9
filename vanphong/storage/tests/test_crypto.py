"""The encrypted file format, master-key providers and the upload spool (no database)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest

from vanphong.storage.crypto import (
    ENV_VAR,
    HEADER_SIZE,
    TAG_SIZE,
    BlobCorruptError,
    EphemeralSpool,
    FileKeyProvider,
    KeyProvider,
    KeyUnavailableError,
    encrypt_stream,
    generate_key_file,
    key_fingerprint,
    new_data_key,
    open_decrypted,
    read_key_file,
)

CHUNK = 1024
PHRASE = "Tài liệu TUYỆT MẬT của Ban Thường vụ Tỉnh ủy".encode()


def seal(data: bytes, key: bytes, chunk_size: int = CHUNK) -> bytes:
    out = io.BytesIO()
    sha, size = encrypt_stream(
        io.BytesIO(data), out, data_key=key, sha256=hashlib.sha256(data).hexdigest(), chunk_size=chunk_size
    )
    assert (sha, size) == (hashlib.sha256(data).hexdigest(), len(data))
    return out.getvalue()


def unseal(raw: bytes, key: bytes, sha: str) -> bytes:
    with open_decrypted(io.BytesIO(raw), data_key=key, sha256=sha) as f:
        return f.read()


@pytest.mark.parametrize("length", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 7])
def test_round_trip_at_chunk_boundaries(length: int) -> None:
    """Any length, including empty and exact multiples of the chunk size, decrypts to the same bytes."""
    data = os.urandom(length)
    key = new_data_key()
    raw = seal(data, key)
    chunks = max(1, -(-length // CHUNK))
    assert len(raw) == HEADER_SIZE + length + chunks * TAG_SIZE
    assert unseal(raw, key, hashlib.sha256(data).hexdigest()) == data


def test_ciphertext_holds_no_plaintext() -> None:
    """Neither a Vietnamese phrase nor a PDF marker survives encryption."""
    data = b"%PDF-1.7\n" + PHRASE * 200
    raw = seal(data, new_data_key())
    assert PHRASE not in raw
    assert b"%PDF" not in raw


def test_reads_in_small_pieces() -> None:
    """``read(n)`` streams across chunk boundaries."""
    data = os.urandom(4 * CHUNK + 100)
    key = new_data_key()
    with open_decrypted(
        io.BytesIO(seal(data, key)), data_key=key, sha256=hashlib.sha256(data).hexdigest()
    ) as f:
        pieces = []
        while piece := f.read(333):
            pieces.append(piece)
    assert b"".join(pieces) == data


def _sealed_three_chunks() -> tuple[bytes, bytes, str]:
    data = os.urandom(3 * CHUNK)
    key = new_data_key()
    return seal(data, key), key, hashlib.sha256(data).hexdigest()


def _mutations(raw: bytes) -> dict[str, bytes]:
    block = CHUNK + TAG_SIZE
    head, body = raw[:HEADER_SIZE], raw[HEADER_SIZE:]
    chunks = [body[i : i + block] for i in range(0, len(body), block)]
    flipped = bytearray(raw)
    flipped[HEADER_SIZE + 10] ^= 0x01
    header_flipped = bytearray(raw)
    header_flipped[12] ^= 0x01
    return {
        "flipped byte": bytes(flipped),
        "flipped header": bytes(header_flipped),
        "truncated at a chunk boundary": head + chunks[0] + chunks[1],
        "truncated mid-chunk": raw[:-5],
        "header only": head,
        "swapped chunks": head + chunks[1] + chunks[0] + chunks[2],
        "appended chunk": raw + chunks[1],
        "not encrypted": b"%PDF-1.7 plain",
    }


@pytest.mark.parametrize("case", list(_mutations(b"\0" * (16 + 3 * (CHUNK + 16)))))
def test_tampering_is_detected(case: str) -> None:
    """Altered, truncated, reordered or extended ciphertext fails with BlobCorruptError, never wrong bytes."""
    raw, key, sha = _sealed_three_chunks()
    with pytest.raises(BlobCorruptError) as err:
        unseal(_mutations(raw)[case], key, sha)
    assert "bị hỏng" in err.value.message


def test_file_is_bound_to_its_hash_and_key() -> None:
    """The same ciphertext does not open under another blob's hash or another data key."""
    raw, key, sha = _sealed_three_chunks()
    with pytest.raises(BlobCorruptError):
        unseal(raw, key, "0" * 64)
    with pytest.raises(BlobCorruptError):
        unseal(raw, new_data_key(), sha)


# --- master keys -------------------------------------------------------------------------------------------


def test_generate_key_file(tmp_path: Path) -> None:
    """A new key file is private (0600), holds one current key, and is never overwritten."""
    path = tmp_path / "keys" / "master.keys"
    kid = generate_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    parsed = read_key_file(path)
    assert parsed.current == kid
    assert list(parsed.keys) == [kid]
    assert len(parsed.keys[kid]) == 32
    with pytest.raises(KeyUnavailableError, match="đã tồn tại"):
        generate_key_file(path)
    newer = generate_key_file(path, add=True)
    parsed = read_key_file(path)
    assert parsed.current == newer
    assert set(parsed.keys) == {kid, newer}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_wrap_unwrap_and_rotation_in_a_file(tmp_path: Path) -> None:
    """Data keys wrapped under an older key still unwrap after a new current key is added (the file is re-read)."""
    path = tmp_path / "master.keys"
    old_id = generate_key_file(path)
    provider = FileKeyProvider(key_file=str(path), master_key="")
    assert isinstance(provider, KeyProvider)
    dek = new_data_key()
    kid, wrapped = provider.wrap(dek)
    assert kid == old_id
    assert dek not in wrapped
    new_id = generate_key_file(path, add=True)
    assert provider.current_key_id() == new_id
    assert provider.key_ids() == [new_id, old_id]
    assert provider.unwrap(old_id, wrapped) == dek
    assert provider.wrap(dek)[0] == new_id
    tampered = bytearray(wrapped)
    tampered[-1] ^= 1
    with pytest.raises(BlobCorruptError):
        provider.unwrap(old_id, bytes(tampered))


def test_environment_key(tmp_path: Path, monkeypatch) -> None:
    """``VANPHONG_MASTER_KEY`` alone works; with a key file it is current and the file's keys stay readable."""
    env_key = os.urandom(32)
    monkeypatch.setenv(ENV_VAR, base64.b64encode(env_key).decode())
    alone = FileKeyProvider(key_file=str(tmp_path / "absent.keys"))
    assert alone.current_key_id() == key_fingerprint(env_key)
    path = tmp_path / "master.keys"
    file_id = generate_key_file(path)
    file_only = FileKeyProvider(key_file=str(path), master_key="")
    _, wrapped = file_only.wrap(b"k" * 32)
    both = FileKeyProvider(key_file=str(path))
    assert both.key_ids() == [key_fingerprint(env_key), file_id]
    assert both.unwrap(file_id, wrapped) == b"k" * 32


def test_missing_or_broken_keys_speak_vietnamese(tmp_path: Path, monkeypatch) -> None:
    """No key, an unreadable or malformed file, a bad environment key and an unknown id each explain themselves."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(KeyUnavailableError, match="Chưa cấu hình khóa chủ") as none:
        FileKeyProvider(key_file=str(tmp_path / "absent.keys")).current_key_id()
    assert none.value.code == "key_not_configured"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(KeyUnavailableError, match="Không đọc được tệp khóa"):
        FileKeyProvider(key_file=str(folder)).current_key_id()
    broken = tmp_path / "broken.keys"
    broken.write_text(json.dumps({"current": "x", "keys": [{"id": "x", "key": "c2hvcnQ="}]}))
    with pytest.raises(KeyUnavailableError, match="không hợp lệ"):
        FileKeyProvider(key_file=str(broken)).current_key_id()
    broken.write_text("not json")
    with pytest.raises(KeyUnavailableError, match="sai định dạng"):
        FileKeyProvider(key_file=str(broken)).current_key_id()
    monkeypatch.setenv(ENV_VAR, "không phải base64")
    with pytest.raises(KeyUnavailableError, match=ENV_VAR):
        FileKeyProvider().current_key_id()
    good = FileKeyProvider(master_key=base64.b64encode(os.urandom(32)).decode())
    with pytest.raises(KeyUnavailableError, match="Không có khóa chủ “old-key”") as unknown:
        good.unwrap("old-key", b"\0" * 60)
    assert unknown.value.code == "key_unknown"


def test_spool_keeps_plaintext_off_disk() -> None:
    """A spilled upload spool holds ciphertext on disk and gives the plaintext back, twice if asked."""
    data = PHRASE * 100
    spool = EphemeralSpool(max_size=10)
    with spool:
        spool.write(data[:1000])
        spool.write(data[1000:])
        disk = spool._file
        disk.seek(0)
        assert PHRASE not in disk.read()
        assert spool.rewind().read() == data
        assert spool.rewind().read(5) == data[:5]
