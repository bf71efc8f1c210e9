"""A person logs in as each role of the demo office, sees a Vietnamese home page, and admins stay in scope."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.demo.office import DEMO_PASSWORD, PEOPLE, demo_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    demo_load()
    return live_server.url


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    user = User.objects.get(username=username)
    if user.totp_confirmed:
        page.wait_for_url("**/xac-thuc/")
        # Use the next 30-second step when the current one was already used by an earlier login in this test.
        user.refresh_from_db()
        step_now = int(timezone.now().timestamp()) // 30
        when = timezone.now() + (timedelta(seconds=30) if user.totp_last_step >= step_now else timedelta(0))
        page.get_by_label("Mã xác thực (6 chữ số)").fill(pyotp.TOTP(user.totp_secret).at(when))
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{base}/")


def test_every_role_logs_in_and_sees_home(demo, page, shot):
    """Each demo login works (leaders with a TOTP code) and lands on a Vietnamese home page."""
    for username, full_name, *_ in PEOPLE:
        if username.endswith(".hanoi"):
            continue
        page.context.clear_cookies()
        _login(page, demo, username)
        assert page.get_by_role("heading", name=f"Chào {full_name}").is_visible()
        assert page.get_by_text("Hôm nay").first.is_visible()
        shot(page, f"home-{username}")
        page.get_by_role("button", name="Đăng xuất").click()
        page.wait_for_url("**/dang-nhap/")


def test_wrong_code_is_refused_for_leader(demo, page):
    page.goto(f"{demo}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("bithu")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/xac-thuc/")
    page.get_by_label("Mã xác thực (6 chữ số)").fill("000000")
    page.get_by_role("button", name="Xác nhận").click()
    assert page.get_by_text("Mã xác thực không đúng").is_visible()


def test_province_admin_cannot_see_other_province_users(demo, page, shot):
    """quantri (Tây Ninh) lists Tây Ninh users only; a Hà Nội user's page is not found."""
    _login(page, demo, "quantri")
    page.get_by_role("link", name="Người dùng").first.click()
    page.wait_for_url("**/nguoi-dung/")
    assert page.get_by_text("Đặng Thị Mai").is_visible()
    assert page.get_by_text("Phan Văn Hậu").count() == 0
    shot(page, "users-quantri")
    other = User.objects.get(username="chuyenvien.hanoi")
    resp = page.goto(f"{demo}/tai-khoan/nguoi-dung/{other.pk}/")
    assert resp is not None and resp.status == 404


def test_phone_layout_has_menu(demo, browser, shot):
    """On a phone-sized screen the menu folds behind a button and the home page still reads."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    _login(page, demo, "vanthu")
    page.get_by_role("button", name="Mở menu").click()
    assert page.get_by_role("link", name="Tổ chức, đơn vị").is_visible()
    shot(page, "home-phone-vanthu")
    ctx.close()
