"""The shared repository in the browser: a văn thư types “nghi quyet 57” (no diacritics) in the header box and
finds Nghị quyết số 57-NQ/TW with the words marked; narrows by document type; types the number “57-NQ/TW” and
lands on the document's page (with its similar documents); picks a suggestion with the keyboard; and the results
page reads on a phone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from vanphong.accounts.models import Role
from vanphong.catalogs.models import DocumentType, SecrecyLevel
from vanphong.catalogs.seed import seed_catalogs
from vanphong.registry.models import IncomingDocument, Medium
from vanphong.registry.services.incoming import incoming_document_register
from vanphong.search.backends import get_backend, reset_backends
from vanphong.testing.factories import make_province, make_unit, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-thu-1"  # the factories' password
NQ57 = {
    "number_symbol": "57-NQ/TW",
    "doc_type": "Nghị quyết",
    "subject": "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    "issuer_name": "Bộ Chính trị",
    "issued_date": date(2024, 12, 22),
    "signer_name": "Tô Lâm",
    "text": "NGHỊ QUYẾT CỦA BỘ CHÍNH TRỊ về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển "
    "đổi số quốc gia. Nghị quyết số 57-NQ/TW ngày 22/12/2024. Phát triển khoa học, công nghệ, đổi mới sáng "
    "tạo và chuyển đổi số là đột phá quan trọng hàng đầu, là động lực chính để phát triển nhanh lực lượng "
    "sản xuất hiện đại.",
}
OTHERS = [
    {"number_symbol": "120-KH/TU", "doc_type": "Kế hoạch", "issuer_name": "Ban Thường vụ Tỉnh ủy",
     "subject": "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, "
                "công nghệ, đổi mới sáng tạo và chuyển đổi số", "issued_date": date(2025, 2, 14),
     "text": "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, Ban Thường vụ Tỉnh ủy ban hành "
             "kế hoạch triển khai chuyển đổi số trong các cơ quan Đảng."},
    {"number_symbol": "318-CV/VPTW", "doc_type": "Công văn", "issuer_name": "Văn phòng Trung ương Đảng",
     "subject": "V/v báo cáo kết quả 6 tháng thực hiện Nghị quyết 57-NQ/TW", "issued_date": date(2025, 6, 20),
     "text": "Đề nghị các tỉnh ủy, thành ủy báo cáo kết quả 6 tháng thực hiện Nghị quyết 57 về chuyển đổi số."},
    {"number_symbol": "18-NQ/TW", "doc_type": "Nghị quyết", "issuer_name": "Ban Chấp hành Trung ương",
     "subject": "Một số vấn đề về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, "
                "hoạt động hiệu lực, hiệu quả", "issued_date": date(2017, 10, 25),
     "text": "Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành Trung ương Đảng khóa XII."},
    {"number_symbol": "05-KH/BCĐ", "doc_type": "Kế hoạch", "issuer_name": "Ban Chỉ đạo Trung ương",
     "subject": "Kế hoạch bảo đảm an toàn thông tin khi thực hiện Nghị quyết 57", "issued_date": date(2025, 3, 3),
     "text": "Tài liệu mật: phương án bảo đảm an toàn mạng khi chuyển đổi số theo Nghị quyết 57-NQ/TW.",
     "secret": True},
]  # fmt: skip


def _register(clerk, office, spec: dict) -> IncomingDocument:
    spec = dict(spec)
    secret = spec.pop("secret", False)
    return incoming_document_register(
        actor=clerk,
        unit=office,
        medium=Medium.ELECTRONIC,
        document_type=DocumentType.objects.get(name=spec.pop("doc_type")),
        secrecy=SecrecyLevel.objects.filter(rank__gt=0).order_by("rank").first() if secret else None,
        arrived_at=timezone.now() - timedelta(hours=1),
        **spec,
    )


@pytest.fixture
def office(live_server, settings, tmp_path):
    """A Văn phòng Tỉnh ủy whose văn thư (no clearance) has registered NQ 57 and four related letters, one of
    them Mật; the registry indexes each after commit into a real tantivy index."""
    seed_catalogs()  # a transactional test empties the tables the migrations filled
    settings.VANPHONG_SEARCH = {
        "BACKEND": "vanphong.search.backends.tantivy.TantivyBackend",
        "OPTIONS": {"path": str(tmp_path / "index")},
    }
    reset_backends()
    backend = get_backend()
    backend.clear()
    unit = make_unit(make_province("Tỉnh ủy Tây Ninh"), "Văn phòng Tỉnh ủy", short_name="VPTU")
    clerk = make_user(unit, roles=[Role.CLERK], username="vanthu.timkiem", full_name="Lê Thị Văn Thư")
    docs = [_register(clerk, unit, spec) for spec in [NQ57, *OTHERS]]
    assert {f"incoming:{d.pk}" for d in docs} <= {k for k, _ in backend.fingerprints("incoming")}
    yield {"url": live_server.url, "nq57": docs[0], "secret": docs[-1]}
    backend.clear()
    reset_backends()


def _login(page, base: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("vanthu.timkiem")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")


def test_find_nghi_quyet_57_without_diacritics_then_open_it_by_number(office, page, browser, shot):
    base, nq57 = office["url"], office["nq57"]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, base)

    # 1. Words without diacritics in the header box: the resolution is found, its words marked.
    box = page.locator("#header-q")
    box.fill("nghi quyet 57")
    box.press("Enter")
    page.wait_for_url("**/tim-kiem/?q=nghi+quyet+57")
    hits = page.locator("li.hit")
    first = hits.filter(has=page.locator(".hit-number", has_text="57-NQ/TW"))
    assert first.count() == 1, hits.all_inner_texts()
    assert "57-NQ/TW" in hits.first.locator(".hit-number").inner_text()  # ranked above the letters citing it
    assert first.get_by_role("link", name=NQ57["subject"]).is_visible()
    assert "Bộ Chính trị" in first.locator(".hit-meta").inner_text()
    assert "22/12/2024" in first.locator(".hit-meta").inner_text()
    marks = [m.lower() for m in first.locator("mark").all_inner_texts()]
    assert {"nghị", "quyết", "57"} <= set(marks), marks
    assert page.get_by_text("Tìm thấy 3 văn bản").is_visible()
    assert "Ban Chỉ đạo Trung ương" not in page.content()  # the Mật plan: no clearance, not even counted
    shot(page, "search-1-results")

    # 2. Narrow to resolutions with the facet; the filter shows as a chip and comes off again.
    page.locator(".facet", has_text="Loại văn bản").get_by_role("checkbox", name="Nghị quyết").click()
    page.wait_for_url("**doc_type=*")
    assert page.locator("li.hit").count() == 1
    chip = page.locator(".chip", has_text="Loại văn bản: Nghị quyết")
    assert chip.is_visible()
    shot(page, "search-2-filtered")
    chip.click()
    page.wait_for_url("**/tim-kiem/?q=nghi+quyet+57")
    assert page.locator("li.hit").count() == 3

    # 3. The number typed in the header box opens the document itself.
    box = page.locator("#header-q")
    box.fill("57-NQ/TW")
    box.press("Enter")
    page.wait_for_url(f"**/van-ban/den/{nq57.pk}/")
    assert page.get_by_role(
        "heading", name=f"Văn bản đến số {nq57.arrival_number}/{nq57.arrival_year}"
    ).is_visible()
    assert page.get_by_text("Đã mở thẳng văn bản số 57-NQ/TW").is_visible()
    similar = page.locator("section.similar")
    similar.wait_for()  # loaded after the page (hx-trigger="load")
    assert similar.get_by_text("120-KH/TU").is_visible()
    assert "05-KH/BCĐ" not in similar.inner_text()
    shot(page, "search-3-document")

    # 4. Suggestions under the box, chosen with the keyboard alone.
    page.goto(f"{base}/")
    box = page.locator("#header-q")
    box.press_sequentially("dot pha", delay=40)
    page.locator("#header-suggest a", has_text="57-NQ/TW").first.wait_for()
    shot(page, "search-4-suggestions")
    box.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent").startswith(("57-NQ/TW", "120-KH/TU"))
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{focused}")

    # 5. Nothing found: the page says what to try.
    page.goto(f"{base}/tim-kiem/?q=quy+hoach+vung+bien")
    assert page.get_by_text("Chưa thấy văn bản phù hợp").is_visible()
    shot(page, "search-5-empty")
    assert not errors, errors

    # 6. On a phone: the header folds the box behind a button; results first, filters below.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone.add_cookies(page.context.cookies())
    mobile = phone.new_page()
    mobile.goto(f"{base}/")
    assert not mobile.locator("#header-q").is_visible()
    mobile.get_by_role("link", name="Tìm kiếm văn bản").click()
    assert mobile.locator("#header-q").is_visible()
    mobile.locator("#header-q").press_sequentially("chuyen doi", delay=40)
    mobile.locator("#header-suggest a").first.wait_for()
    shot(mobile, "search-6-phone-header")
    mobile.locator("#header-q").press("Enter")
    mobile.wait_for_url("**/tim-kiem/?q=chuyen+doi")
    assert mobile.locator("li.hit").first.is_visible()
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the results page scrolls sideways on a phone ({width}px)"
    shot(mobile, "search-7-phone-results")
    mobile.get_by_role("link", name="Lọc kết quả").click()
    assert mobile.locator("#bo-loc").is_visible()
    phone.close()
