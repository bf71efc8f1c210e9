"""Security headers on every response, a fresh CSP nonce per request, and templates the policy can serve:
no inline scripts, no ``on*`` handler attributes, no ``javascript:`` links, ``<style>`` only with the nonce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR) / "vanphong"


def _directives(policy: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in policy.split(";") if d.strip()}


@pytest.mark.django_db
def test_login_page_has_the_security_headers(client):
    r = client.get(reverse("accounts:login"))
    assert r.status_code == 200
    csp = _directives(r["Content-Security-Policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{20,}'", csp["style-src"])
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in r["Permissions-Policy"] and "geolocation=()" in r["Permissions-Policy"]


@pytest.mark.django_db
def test_nonce_changes_per_request_and_reaches_the_template(client, rf):
    a = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    b = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert a != b
    from django.template import Context, Template

    from vanphong.core.security import SecurityHeadersMiddleware

    tpl = Template('<style nonce="{{ request.csp_nonce }}"></style>')
    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen["html"] = tpl.render(Context({"request": request}))
        return HttpResponse(seen["html"])

    response = SecurityHeadersMiddleware(view)(rf.get("/"))
    nonce = re.search(r'nonce="([^"]+)"', seen["html"]).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_policy_comes_from_the_setting_and_a_view_may_set_its_own(client, settings, rf):
    settings.VANPHONG_CSP = "default-src 'none'; style-src 'nonce-{nonce}'"
    r = client.get(reverse("accounts:login"))
    assert r["Content-Security-Policy"].startswith("default-src 'none'; style-src 'nonce-")
    settings.VANPHONG_CSP = ""
    assert "Content-Security-Policy" not in client.get(reverse("accounts:login"))

    from django.http import HttpResponse

    from vanphong.core.security import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'self' https://tiles.example"
        return response

    settings.VANPHONG_CSP = "default-src 'self'"
    assert SecurityHeadersMiddleware(view)(rf.get("/"))["Content-Security-Policy"].endswith("tiles.example")


@pytest.mark.django_db
def test_api_answers_carry_the_headers_too(client):
    r = client.get("/api/search/")
    assert r.status_code == 401
    assert "Content-Security-Policy" in r and r["X-Frame-Options"] == "DENY"


def _templates() -> list[Path]:
    return [p for p in ROOT.rglob("*.html") if "static" not in p.parts]


def test_templates_have_no_inline_script_or_handler():
    """Inline scripts, ``on*=`` attributes and ``javascript:`` URLs are refused by ``script-src 'self'`` (the
    browser would log a CSP violation and the button would do nothing); behaviour goes in static/vanphong/*.js."""
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b([^>]*)>", text, re.IGNORECASE):
            attrs = m.group(1)
            if "src=" not in attrs and "application/json" not in attrs:
                problems.append(f"{path.relative_to(ROOT)}: inline <script>")
        for m in re.finditer(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", text):
            problems.append(f"{path.relative_to(ROOT)}: {m.group(1)}= attribute")
        if re.search(r"""(href|action|src)\s*=\s*["']\s*javascript:""", text, re.IGNORECASE):
            problems.append(f"{path.relative_to(ROOT)}: javascript: URL")
        if re.search(r"\bhx-on", text):
            problems.append(f"{path.relative_to(ROOT)}: hx-on needs eval")
        for m in re.finditer(r"<style\b([^>]*)>", text, re.IGNORECASE):
            if "request.csp_nonce" not in m.group(1):
                problems.append(
                    f'{path.relative_to(ROOT)}: <style> without nonce="{{{{ request.csp_nonce }}}}"'
                )
    assert problems == []


def test_base_layout_loads_htmx_and_app_js_from_static_and_disables_htmx_eval():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert "{% static 'vendor/htmx.min.js' %}" in base and "{% static 'vanphong/app.js' %}" in base
    assert '"includeIndicatorStyles":false' in base and '"allowEval":false' in base
    assert (ROOT / "static" / "vendor" / "htmx.min.js").exists()
    assert (ROOT / "static" / "vanphong" / "app.js").exists()
