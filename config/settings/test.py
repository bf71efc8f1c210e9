"""Tests: jobs run inline, passwords hash fast, files go to a temporary folder."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_TMP = tempfile.mkdtemp(prefix="vanphong-test-")
VANPHONG_STORAGE = {"BACKEND": "vanphong.storage.backends.FileSystemBackend", "OPTIONS": {"root": _TMP}}
# A fixed test master key (never used outside tests); the key file in the temp folder does not exist.
VANPHONG_KEYS = {
    "PROVIDER": "vanphong.storage.crypto.FileKeyProvider",
    "KEY_FILE": f"{_TMP}/master.keys",
    "MASTER_KEY": "dGVzdC1tYXN0ZXIta2V5LXZhbnBob25nLTMyYnl0ZXM=",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": f"{_TMP}/test.sqlite3"}

# ingest: the fake OCR backend (integration tests build the real one themselves and skip without ocrmypdf).
VANPHONG_SEARCH = {"BACKEND": "vanphong.search.backends.fake.FakeBackend", "OPTIONS": {}}
VANPHONG_OCR_BACKEND = "vanphong.ingest.ocr.FakeOcrBackend"
VANPHONG_OCR_OPTIONS = {}
# Login rate limits count in the process-wide cache across tests; the suites that test them set small limits and
# clear the cache (vanphong/accounts/tests/test_login_ratelimit.py).
VANPHONG_LOGIN_RATE_IP = 10_000
VANPHONG_LOGIN_RATE_USERNAME = 10_000
VANPHONG_OTP_RATE = 10_000
# the suites exercise classified documents; the refusal of the "internet" mode is tested with override_settings
VANPHONG_DEPLOYMENT_MODE = "isolated"
