"""No secrets in the logs: the filter wired on the console handler hides passwords, tokens, auth headers, cookies,
two-factor codes, the master key and the secret key, whether in the message, its arguments or the request."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import RequestFactory

from vanphong.core.logging import REDACTED, RedactSecretsFilter, redact, redact_text


@pytest.fixture
def capture():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("vanphong.test_redact")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_pairs_in_text_are_hidden():
    text = (
        'password=hunter2 user=an token: abc123 "api_key": "k-42" csrfmiddlewaretoken=zzz '
        "Authorization: Bearer eyJhbGciOi.xyz otp_code=123456 footprint=3 status code: 500"
    )
    out = redact_text(text)
    for secret in ("hunter2", "abc123", "k-42", "zzz", "eyJhbGciOi", "123456"):
        assert secret not in out
    assert "user=an" in out and "footprint=3" in out and "status code: 500" in out
    assert out.count(REDACTED) == 6


def test_bearer_anywhere_and_mapping_keys():
    assert "vp_abc_secretsecret" not in redact_text("sent Bearer vp_abc_secretsecret to the API")
    data = {
        "username": "an",
        "password": "x",
        "HTTP_AUTHORIZATION": "Token t",
        "totp_secret": "S3",
        "n": [1, "a"],
    }
    assert redact(data) == {
        "username": "an", "password": REDACTED, "HTTP_AUTHORIZATION": REDACTED, "totp_secret": REDACTED,
        "n": [1, "a"],
    }  # fmt: skip


def test_known_secret_values_are_hidden(settings, monkeypatch, capture):
    settings.SECRET_KEY = "s3cr3t-key-value-for-the-test-0123456789"
    settings.VANPHONG_KEYS = {"MASTER_KEY": "bWFzdGVyLWtleS1mb3ItdGVzdHM="}
    monkeypatch.setenv("VANPHONG_MASTER_KEY", "ZW52LW1hc3Rlci1rZXk=")
    logger, stream = capture
    logger.warning(
        "config %s / %s / %s", settings.SECRET_KEY, "bWFzdGVyLWtleS1mb3ItdGVzdHM=", "ZW52LW1hc3Rlci1rZXk="
    )
    out = stream.getvalue()
    assert "s3cr3t" not in out and "bWFzdGVy" not in out and "ZW52" not in out
    assert out.count(REDACTED) == 3


def test_arguments_and_placeholders_survive(capture):
    logger, stream = capture
    logger.warning("login failed for %s with %r (%d tries)", "an", {"password": "hunter2"}, 3)
    out = stream.getvalue()
    assert "hunter2" not in out and "an" in out and "3 tries" in out
    logger.warning("mapping %(user)s %(token)s", {"user": "an", "token": "tok-1"})
    assert "tok-1" not in stream.getvalue()
    logger.warning("bad placeholders %s %s", "one")  # the caller's mistake is still logged, not raised
    assert "bad placeholders" in stream.getvalue()


def test_request_extra_loses_headers_cookies_and_body():
    request = RequestFactory().post(
        "/tai-khoan/xac-thuc/",
        {"code": "654321"},
        HTTP_AUTHORIZATION="Bearer vp_x_y",
        HTTP_COOKIE="sessionid=abc",
    )
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "Lỗi %s", ("x",), None)
    record.request = request
    RedactSecretsFilter().filter(record)
    assert record.request.path == "/tai-khoan/xac-thuc/" and record.request.method == "POST"
    assert record.request.META["HTTP_AUTHORIZATION"] == REDACTED
    assert record.request.META["HTTP_COOKIE"] == REDACTED
    assert record.request.POST == REDACTED and "654321" not in repr(vars(record.request))


def test_traceback_text_is_redacted(capture):
    logger, stream = capture
    try:
        raise ValueError("password=hunter2 rejected")
    except ValueError:
        logger.exception("failed")
    assert "hunter2" not in stream.getvalue() and "ValueError" in stream.getvalue()


def test_filter_is_wired_in_settings():
    from django.conf import settings

    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]
    console = logging.getLogger().handlers
    assert any(isinstance(f, RedactSecretsFilter) for h in console for f in h.filters)
