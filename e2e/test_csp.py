"""The Content-Security-Policy breaks nothing a person uses: pages of each area load with HTMX and app.js, the
browser reports no CSP violation, and the behaviour moved out of inline scripts still works (phone menu)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanphong.demo.office import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    demo_load()
    return live_server.url


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return problems


def test_pages_load_without_csp_violations(demo, page):
    problems = _watch(page)
    page.goto(f"{demo}{reverse('accounts:login')}")
    page.get_by_label("Tên đăng nhập").fill("vanthu")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{demo}/")
    assert page.evaluate("typeof htmx") == "object"
    for name in ("registry:intake", "registry:incoming_list", "registry:outgoing_list", "search:results",
                 "accounts:notifications", "accounts:profile"):  # fmt: skip
        page.goto(f"{demo}{reverse(name)}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{demo}{reverse('search:results')}?q=nghi+quyet")
    page.wait_for_load_state("networkidle")
    assert problems == []


def test_phone_menu_toggles_without_inline_script(demo, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    problems = _watch(page)
    page.goto(f"{demo}{reverse('accounts:login')}")
    page.get_by_label("Tên đăng nhập").fill("chuyenvien")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{demo}/")
    page.get_by_role("button", name="Mở menu").click()
    assert "nav-open" in (page.evaluate("document.body.className") or "")
    assert problems == []
    ctx.close()
