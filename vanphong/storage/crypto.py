"""Encryption at rest: master keys, wrapped data keys, and a streaming AES-256-GCM file format.

Every encrypted blob has its own random 256-bit data key. The data key is stored in the database *wrapped*
(AES-256-GCM) under a master key named by a key id; the master keys come from a ``KeyProvider`` chosen by
``settings.VANPHONG_KEYS["PROVIDER"]``. Rotating the master key only rewraps data keys (``vanphong keys rotate``);
the files themselves never change, and old master keys stay in the key file so readers keep working meanwhile.

File format (version 1), all integers big-endian::

    header  = b"VPE1" | chunk_size (4 bytes) | nonce prefix (8 random bytes)          16 bytes
    chunk i = AES-256-GCM(data key, nonce = prefix | i (4 bytes),
                          aad = header | sha256 of the plaintext (32 bytes) | i (8 bytes) | last flag (1 byte))

Each chunk holds ``chunk_size`` plaintext bytes (the last one 0…``chunk_size``) followed by its 16-byte tag; an
empty file is one empty last chunk. The index and last flag in the associated data make truncation, reordering
and appended chunks fail authentication; the plaintext hash binds the file to its ``Blob`` row.

Key file (JSON, mode 0600)::

    {"version": 1, "current": "<key id>", "keys": [{"id": "<key id>", "key": "<base64 of 32 bytes>",
                                                     "created_at": "<ISO 8601>"}, ...]}
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import io
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string

from vanphong.core.exceptions import VanphongError

from .backends import CHUNK_SIZE, StorageError

ENV_VAR = "VANPHONG_MASTER_KEY"
KEY_BYTES = 32
MAGIC = b"VPE1"
HEADER_SIZE = 16
TAG_SIZE = 16
MIN_CHUNK = 1024
MAX_CHUNK = 64 * 1024 * 1024
MAX_CHUNKS = 2**32
_DEK_AAD = b"vanphong.dek.v1:"


class KeyUnavailableError(StorageError, VanphongError):
    """No usable master key: none configured, the key file unreadable, or a key id the provider does not hold."""

    code = "key_unavailable"
    status = 503


class BlobCorruptError(StorageError, VanphongError):
    """Encrypted bytes fail authentication (altered, truncated, reordered) or are not in the expected format."""

    code = "blob_corrupt"
    status = 500


def _corrupt(detail: str) -> BlobCorruptError:
    return BlobCorruptError(
        "Tệp lưu trữ đã mã hóa bị hỏng hoặc bị sửa đổi, không giải mã được. "
        "Hãy báo quản trị hệ thống chạy lệnh kiểm tra lưu trữ (vanphong storage verify). "
        f"({detail})",
        code="blob_corrupt",
    )


# --- master keys -------------------------------------------------------------------------------------------


@runtime_checkable
class KeyProvider(Protocol):
    """Holds master keys and wraps/unwraps data keys with them. A future HSM provider implements the same four
    methods and never hands out the master key itself."""

    def current_key_id(self) -> str:
        """Id of the master key new data keys are wrapped under."""
        ...

    def key_ids(self) -> list[str]:
        """Every master key id this provider can unwrap with (current first)."""
        ...

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        """Wrap ``data_key`` under the current master key; returns ``(key_id, wrapped)``."""
        ...

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        """The data key; ``KeyUnavailableError`` for an unknown key id, ``BlobCorruptError`` for a bad wrap."""
        ...


def key_fingerprint(key: bytes) -> str:
    """Stable id of a key given without one (environment variable): ``env-`` + 16 hex digits of a hash."""
    return "env-" + hashlib.sha256(b"vanphong.key-id:" + key).hexdigest()[:16]


def new_key_id() -> str:
    return f"{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyUnavailableError(
            f"Khóa chủ trong {where} không hợp lệ: cần đúng {KEY_BYTES} byte mã hóa base64.",
            code="key_invalid",
        )
    return key


@dataclass(frozen=True)
class KeyFile:
    """The parsed content of a key file."""

    current: str
    keys: dict[str, bytes]
    created: dict[str, str]


def read_key_file(path: str | os.PathLike[str]) -> KeyFile:
    """Parse a key file; ``KeyUnavailableError`` (Vietnamese) when it cannot be read or is malformed."""
    where = f"tệp khóa {path}"
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyUnavailableError(
            f"Không đọc được {where} ({exc.strerror or exc}). Kiểm tra đường dẫn và quyền đọc của tệp.",
            code="key_file_unreadable",
        ) from exc
    try:
        doc = json.loads(raw)
        entries = doc["keys"]
        current = str(doc["current"])
        keys = {str(e["id"]): _decode_key(str(e["key"]), where) for e in entries}
        created = {str(e["id"]): str(e.get("created_at", "")) for e in entries}
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyUnavailableError(
            f"Tệp khóa {path} sai định dạng: cần JSON có “current” và danh sách “keys”.",
            code="key_file_invalid",
        ) from exc
    if current not in keys:
        raise KeyUnavailableError(
            f"Khóa hiện hành “{current}” không có trong {where}.", code="key_file_invalid"
        )
    return KeyFile(current=current, keys=keys, created=created)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600 (temp file in the same folder + fsync + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def generate_key_file(path: str | os.PathLike[str], *, add: bool = False) -> str:
    """Create a key file holding one new current key, or with ``add`` put a new current key into an existing
    one (older keys stay for reading). Returns the new key id. Refuses to overwrite without ``add``."""
    target = Path(path)
    new_id = new_key_id()
    entry = {
        "id": new_id,
        "key": base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii"),
        "created_at": timezone.now().isoformat(),
    }
    if add:
        existing = read_key_file(target)
        entries = [
            {
                "id": kid,
                "key": base64.b64encode(k).decode("ascii"),
                "created_at": existing.created.get(kid, ""),
            }
            for kid, k in existing.keys.items()
        ]
        doc = {"version": 1, "current": new_id, "keys": [entry, *entries]}
        _write_private(target, json.dumps(doc, indent=2) + "\n")
        return new_id
    if target.exists():
        raise KeyUnavailableError(
            f"Tệp khóa {target} đã tồn tại; không ghi đè. Dùng --add để thêm khóa hiện hành mới.",
            code="key_file_exists",
        )
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    doc = {"version": 1, "current": new_id, "keys": [entry]}
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(doc, indent=2) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return new_id


class FileKeyProvider:
    """Master keys from a key file and/or one key in ``VANPHONG_MASTER_KEY`` (base64, 32 bytes).

    When both are present the environment key is current and the key file supplies older keys (for reading
    during a rotation). The key file is re-read when it changes on disk, so a long-running process picks up a
    key added by ``vanphong keys generate --add`` before ``keys rotate`` rewraps blobs under it.
    ``master_key`` (the ``MASTER_KEY`` setting) replaces the environment variable: tests only.
    """

    name = "file"

    def __init__(self, key_file: str | None = None, master_key: str | None = None) -> None:
        self.key_file = Path(key_file) if key_file else None
        self._env_key = master_key if master_key is not None else os.environ.get(ENV_VAR) or None
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._current = ""
        self._keys: dict[str, bytes] = {}

    def _file_stamp(self) -> tuple[int, int, int] | None:
        if self.key_file is None:
            return None
        try:
            st = self.key_file.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeyUnavailableError(
                f"Không đọc được tệp khóa {self.key_file} ({exc.strerror or exc}).",
                code="key_file_unreadable",
            ) from exc
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _load(self) -> tuple[str, dict[str, bytes]]:
        stamp = self._file_stamp()
        with self._lock:
            if self._keys and stamp == self._stamp:
                return self._current, self._keys
            keys: dict[str, bytes] = {}
            current = ""
            if stamp is not None and self.key_file is not None:
                parsed = read_key_file(self.key_file)
                keys.update(parsed.keys)
                current = parsed.current
            if self._env_key:
                env_key = _decode_key(self._env_key, f"biến môi trường {ENV_VAR}")
                env_id = key_fingerprint(env_key)
                keys = {env_id: env_key, **keys}
                current = env_id
            if not keys:
                raise KeyUnavailableError(
                    "Chưa cấu hình khóa chủ để mã hóa tệp. Quản trị hệ thống cần tạo tệp khóa "
                    f"(vanphong keys generate{f' --file {self.key_file}' if self.key_file else ''}) "
                    f"hoặc đặt biến môi trường {ENV_VAR}.",
                    code="key_not_configured",
                )
            self._stamp, self._current, self._keys = stamp, current, keys
            return current, keys

    def current_key_id(self) -> str:
        return self._load()[0]

    def key_ids(self) -> list[str]:
        current, keys = self._load()
        return [current, *(k for k in keys if k != current)]

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        current, keys = self._load()
        nonce = secrets.token_bytes(12)
        return current, nonce + AESGCM(keys[current]).encrypt(nonce, data_key, _DEK_AAD + current.encode())

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        _, keys = self._load()
        master = keys.get(key_id)
        if master is None:
            raise KeyUnavailableError(
                f"Không có khóa chủ “{key_id}” để giải mã tệp. Khóa cũ phải được giữ trong tệp khóa cho đến khi "
                "chạy xong lệnh vanphong keys rotate.",
                code="key_unknown",
            )
        wrapped = bytes(wrapped)
        try:
            return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], _DEK_AAD + key_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise _corrupt(f"khóa dữ liệu bọc bởi {key_id} không mở được") from exc


_provider: KeyProvider | None = None
_provider_lock = threading.Lock()


def get_key_provider() -> KeyProvider:
    """The configured provider (one per process; rebuilt when ``VANPHONG_KEYS`` changes in tests).

    Building it reads no key: a missing key is reported by the first wrap/unwrap, so plaintext blobs work
    without any key configured.
    """
    global _provider
    with _provider_lock:
        if _provider is None:
            config: dict[str, Any] = dict(getattr(settings, "VANPHONG_KEYS", {}) or {})
            cls = import_string(str(config.pop("PROVIDER", "vanphong.storage.crypto.FileKeyProvider")))
            provider = cls(**{k.lower(): v for k, v in config.items()})
            if not isinstance(provider, KeyProvider):
                raise TypeError(f"{cls} is not a KeyProvider")
            _provider = provider
        return _provider


@receiver(setting_changed)
def _reset_provider(*, setting: str, **kwargs: Any) -> None:
    global _provider
    if setting == "VANPHONG_KEYS":
        with _provider_lock:
            _provider = None


def reset_key_provider() -> None:
    """Forget the cached provider (after the environment changed, in tests)."""
    global _provider
    with _provider_lock:
        _provider = None


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


# --- the file format ---------------------------------------------------------------------------------------


class SupportsWrite(Protocol):
    def write(self, data: bytes, /) -> int: ...


class SupportsRead(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _aad(header: bytes, digest: bytes, index: int, last: bool) -> bytes:
    return header + digest + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def _read_exact(stream: SupportsRead, n: int) -> bytes:
    parts: list[bytes] = []
    left = n
    while left > 0:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def encrypt_stream(
    src: SupportsRead, out: SupportsWrite, *, data_key: bytes, sha256: str, chunk_size: int = CHUNK_SIZE
) -> tuple[str, int]:
    """Encrypt ``src`` into ``out`` chunk by chunk (memory: two chunks). Returns the SHA-256 and size of the
    plaintext actually read, so the caller can refuse to store if it is not ``sha256``."""
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk size out of range: {chunk_size}")
    header = MAGIC + chunk_size.to_bytes(4, "big") + secrets.token_bytes(8)
    digest_bytes = bytes.fromhex(sha256)
    aead = AESGCM(data_key)
    out.write(header)
    hasher = hashlib.sha256()
    size = 0
    index = 0
    chunk = _read_exact(src, chunk_size)
    while True:
        following = _read_exact(src, chunk_size) if len(chunk) == chunk_size else b""
        last = not following
        hasher.update(chunk)
        size += len(chunk)
        if index >= MAX_CHUNKS:
            raise ValueError("file too large for one encrypted blob")
        out.write(aead.encrypt(_nonce(header[8:], index), chunk, _aad(header, digest_bytes, index, last)))
        if last:
            break
        chunk = following
        index += 1
    return hasher.hexdigest(), size


class DecryptingReader(io.RawIOBase):
    """Reads plaintext from an encrypted file object, one authenticated chunk at a time.

    Raises ``BlobCorruptError`` on the first chunk that fails authentication (so a caller streaming a response
    may already have sent earlier, authentic chunks). Closes the underlying file when closed.
    """

    def __init__(self, raw: IO[bytes], *, data_key: bytes, sha256: str) -> None:
        super().__init__()
        self._raw = raw
        self._aead = AESGCM(data_key)
        self._digest = bytes.fromhex(sha256)
        header = _read_exact(raw, HEADER_SIZE)
        if len(header) != HEADER_SIZE or header[:4] != MAGIC:
            raise _corrupt("phần đầu tệp không đúng định dạng")
        self._chunk_size = int.from_bytes(header[4:8], "big")
        if not MIN_CHUNK <= self._chunk_size <= MAX_CHUNK:
            raise _corrupt("kích thước khối không hợp lệ")
        self._header = header
        self._index = 0
        self._pending: bytes | None = None
        self._buffer = b""
        self._offset = 0
        self._finished = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        block_size = self._chunk_size + TAG_SIZE
        block = self._pending if self._pending is not None else _read_exact(self._raw, block_size)
        self._pending = None
        if len(block) < TAG_SIZE:
            raise _corrupt("tệp bị cắt cụt")
        if len(block) == block_size:
            following = _read_exact(self._raw, block_size)
            last = not following
            self._pending = following or None
        else:
            last = True
        if self._index >= MAX_CHUNKS:
            raise _corrupt("quá nhiều khối")
        try:
            plain = self._aead.decrypt(
                _nonce(self._header[8:], self._index),
                block,
                _aad(self._header, self._digest, self._index, last),
            )
        except InvalidTag as exc:
            raise _corrupt(f"khối {self._index} không xác thực được") from exc
        self._index += 1
        self._buffer, self._offset = plain, 0
        self._finished = last

    def readinto(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        while self._offset >= len(self._buffer):
            if self._finished:
                return 0
            self._next_chunk()
        n = min(len(view), len(self._buffer) - self._offset)
        view[:n] = self._buffer[self._offset : self._offset + n]
        self._offset += n
        return n

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                self._raw.close()
        super().close()


def open_decrypted(raw: IO[bytes], *, data_key: bytes, sha256: str) -> IO[bytes]:
    """A buffered, read-only file object of the plaintext (``read(n)`` returns ``n`` bytes until the end)."""
    try:
        reader = DecryptingReader(raw, data_key=data_key, sha256=sha256)
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(reader, buffer_size=CHUNK_SIZE)


# --- an upload spool that never holds plaintext on disk ----------------------------------------------------


class EphemeralSpool:
    """A write-once, read-once temporary file encrypted (AES-256-CTR) under a key that lives only in memory.

    Uploads larger than ``max_size`` spill to disk while they are hashed; this keeps classified plaintext off
    the disk even there. Integrity is not its job: the reader re-hashes what it reads before storing.
    """

    def __init__(self, max_size: int) -> None:
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=max_size)  # noqa: SIM115
        self._key = secrets.token_bytes(KEY_BYTES)
        self._nonce = secrets.token_bytes(16)
        self._enc = Cipher(algorithms.AES(self._key), modes.CTR(self._nonce)).encryptor()
        self._dec: Any = None

    def write(self, data: bytes) -> int:
        return self._file.write(self._enc.update(data))

    def rewind(self) -> EphemeralSpool:
        """Switch to reading from the start (each call starts again)."""
        self._file.seek(0)
        self._dec = Cipher(algorithms.AES(self._key), modes.CTR(self._nonce)).decryptor()
        return self

    def read(self, n: int = -1) -> bytes:
        return bytes(self._dec.update(self._file.read(n)))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> EphemeralSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def config_summary(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Where keys come from, for ``keys status`` (never the keys themselves)."""
    config = dict(config if config is not None else getattr(settings, "VANPHONG_KEYS", {}) or {})
    return {
        "provider": str(config.get("PROVIDER", "")),
        "key_file": str(config.get("KEY_FILE", "")),
        "environment": bool(os.environ.get(ENV_VAR)) or bool(config.get("MASTER_KEY")),
    }
