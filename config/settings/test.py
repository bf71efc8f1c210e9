"""Tests: jobs run inline, passwords hash fast, files go to a temporary folder."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_TMP = tempfile.mkdtemp(prefix="vanphong-test-")
VANPHONG_STORAGE = {"BACKEND": "vanphong.storage.backends.FileSystemBackend", "OPTIONS": {"root": _TMP}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": f"{_TMP}/test.sqlite3"}

# ingest: the fake OCR backend (integration tests build the real one themselves and skip without ocrmypdf).
VANPHONG_SEARCH = {"BACKEND": "vanphong.search.backends.fake.FakeBackend", "OPTIONS": {}}
VANPHONG_OCR_BACKEND = "vanphong.ingest.ocr.FakeOcrBackend"
VANPHONG_OCR_OPTIONS = {}
