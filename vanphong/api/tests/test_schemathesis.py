"""Property-based run of the whole API (schemathesis, from /api/openapi.json) as a low-clearance token.

A small office is seeded: a chuyên viên with clearance 0 (the caller), documents marked Mật (incoming and outgoing,
with distinctive markers in the trích yếu, số ký hiệu and text), and non-secret documents of other units that are
outside the caller's scope. Every generated request (valid and invalid inputs, every operation) must answer
without a server error, and no answer may carry a marker of a document the caller may not read. A direct sweep
then asks each id-taking operation for each seeded document by id, where random ids would rarely land.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from vanphong.accounts.models import Clearance, Role
from vanphong.accounts.tokens import api_token_issue
from vanphong.catalogs.models import SecrecyLevel
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.registry.tests.test_outgoing_support import draft, make_world
from vanphong.search.backends import get_backend
from vanphong.search.services import search_reindex
from vanphong.testing.factories import make_user

pytestmark = pytest.mark.django_db

# Per operation and generation mode; 12 takes about 20 s for the whole API. The same examples every run, unless
# VANPHONG_SCHEMATHESIS_EXAMPLES asks for a longer, random hunt (e.g. 200 in a nightly job).
MAX_EXAMPLES = int(os.environ.get("VANPHONG_SCHEMATHESIS_EXAMPLES", "12"))
DERANDOMIZE = "VANPHONG_SCHEMATHESIS_EXAMPLES" not in os.environ

# ASCII markers, so that JSON escaping cannot hide them. The caller may read none of these documents.
SECRET_OUT = "QZSECRETOUT4417"
SECRET_IN = "QZSECRETIN5523"
SECRET_NUMBER = "5523-QZMAT"
SECRET_BODY = "QZSECRETBODY8861"
FOREIGN_OUT = "QZFOREIGNOUT2290"
FOREIGN_IN = "QZFOREIGNIN3371"
MARKERS = (SECRET_OUT, SECRET_IN, SECRET_NUMBER, SECRET_BODY, FOREIGN_OUT, FOREIGN_IN)
# Documents the caller may read (their own draft) are fine to show.
OWN_OUT = "QZOWNDRAFT1100"


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI application without the per-request connection closing (the test's transaction is open)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def office(settings) -> dict[str, Any]:
    settings.VANPHONG_API_RATE = ""  # the run sends hundreds of requests with one token
    w = make_world("Tỉnh ủy Kiểm thử API")
    mat = SecrecyLevel.objects.get(rank=Clearance.MAT)
    caller = make_user(w.room, [Role.SPECIALIST], full_name="Phạm Chuyên Viên", clearance=Clearance.NONE)
    docs = {
        "secret_out": draft(w, subject=f"Kế hoạch {SECRET_OUT}", secrecy=mat),
        "foreign_out": draft(w, subject=f"Báo cáo {FOREIGN_OUT}", unit=w.board, actor=w.board_clerk),
        "own_out": draft(w, subject=f"Công văn {OWN_OUT}", actor=caller),
    }
    for key, subject, number, secrecy in (
        ("secret_in", f"Chỉ thị {SECRET_IN}", SECRET_NUMBER, mat),
        ("foreign_in", f"Thông báo {FOREIGN_IN}", "12-TB/QZ", None),
    ):
        docs[key] = incoming_document_register(
            actor=w.clerk, unit=w.office, medium="paper", subject=subject, issuer_name="Ban Tổ chức Trung ương",
            number_symbol=number, secrecy=secrecy, text=f"Nội dung {SECRET_BODY}", acknowledge_duplicate=True,
        )  # fmt: skip
    backend = get_backend()
    backend.clear()
    search_reindex(backend=backend)  # the index holds every document; the API must trim it to the caller
    yield {
        "world": w,
        "caller": caller,
        "docs": docs,
        "token": api_token_issue(actor=None, user=caller).token,
    }
    backend.clear()


def no_leak(ctx: Any, response: Any, case: Any) -> bool | None:
    """No answer carries a marker of a document the caller may not read."""
    body = response.content.decode("utf-8", "replace")
    sent = repr(case.path_parameters) + repr(case.query) + repr(case.body)
    leaked = [m for m in MARKERS if m in body and m not in sent]
    if leaked:
        raise AssertionError(f"{case.method} {case.formatted_path} leaked {leaked}: {body[:300]}")
    return None


def test_no_server_error_and_no_leak_for_a_low_clearance_token(client, wsgi_app, office):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {office['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis.settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=DERANDOMIZE,
                suppress_health_check=list(HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            def run(case: Any) -> None:
                response = case.call(headers=headers)
                case.validate_response(response, checks=[not_a_server_error, no_leak], headers=headers)

            try:  # collect every operation's failure (schemathesis raises a BaseExceptionGroup), report them all
                run()
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"[:2000])
    assert not failures, "\n\n".join(failures)

    # The token works and reaches data (the run is not a wall of 401s): the caller's own draft is listed.
    bearer = {"HTTP_AUTHORIZATION": headers["Authorization"]}
    assert OWN_OUT in client.get("/api/registry/outgoing", **bearer).content.decode()
    assert len(list(get_backend().fingerprints())) >= 5  # the index holds the secrets the API must trim away

    # The sweep: every id of the seeded documents on every path that takes an id.
    ids = [d.pk for d in office["docs"].values()] + [office["world"].office.pk, 0, -1, 2**63]
    for operation in operations:
        if "{" not in operation.path:
            continue
        for pk in ids:
            path = _fill(operation.full_path, pk)
            call = getattr(client, operation.method.lower())
            r = call(path, {}, content_type="application/json", **bearer)
            assert r.status_code < 500, (operation.method, path, r.status_code)
            body = r.content.decode()
            assert not [m for m in MARKERS if m in body], (operation.method, path, body[:300])


def _fill(path: str, pk: int) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"incoming:{pk}" if m[1] == "key" else str(pk), path)
