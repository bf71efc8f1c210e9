"""The daily journey of the office, in the browser: a scanned letter is received, read by OCR, confirmed and
registered; the leader routes it; the specialist closes it with a reply that got the next number of its book;
the incoming register shows the row."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone

from vanphong.accounts.models import User
from vanphong.demo.documents import DemoIncoming, document_pdf
from vanphong.demo.office import DEMO_PASSWORD, demo_load
from vanphong.registry.models import IncomingDocument, OutgoingStatus
from vanphong.registry.services import outgoing as out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LETTER = DemoIncoming(
    "BAN CHẤP HÀNH TRUNG ƯƠNG", "BAN TỔ CHỨC", "318-CV/BTCTW", "",
    "V/v báo cáo kết quả kiện toàn tổ chức bộ máy cấp xã", "Lê Minh Quân",
    "K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN", 0,
)  # fmt: skip


def _scanned_pdf() -> bytes:
    """The letter printed and scanned: an image-only PDF (no text layer) at 200 dpi, grey."""
    import pypdfium2 as pdfium

    born = pdfium.PdfDocument(document_pdf(LETTER, timezone.localdate() - timedelta(days=2)))
    image = born[0].render(scale=200 / 72, grayscale=True).to_pil()
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=200.0)
    return buf.getvalue()


@pytest.fixture
def office(live_server, settings):
    if shutil.which("ocrmypdf"):
        settings.VANPHONG_OCR_BACKEND = "vanphong.ingest.ocr.OcrMyPdfBackend"
        settings.VANPHONG_OCR_OPTIONS = {"language": "vie", "timeout": 900}
    demo_load()
    return live_server.url


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    user = User.objects.get(username=username)
    if user.totp_confirmed:
        page.wait_for_url("**/xac-thuc/")
        user.refresh_from_db()
        step_now = int(timezone.now().timestamp()) // 30
        when = timezone.now() + (timedelta(seconds=30) if user.totp_last_step >= step_now else timedelta(0))
        page.get_by_label("Mã xác thực (6 chữ số)").fill(pyotp.TOTP(user.totp_secret).at(when))
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{base}/")


def _option_value(page, select, text: str) -> str:
    value = select.evaluate(
        "(el, t) => { const o = [...el.options].find(o => o.textContent.includes(t)); return o ? o.value : null; }",
        text,
    )
    assert value, f"no option containing {text!r}"
    return str(value)


def test_scanned_letter_from_intake_to_reply(office, page, shot, tmp_path):
    page.set_default_timeout(120_000)  # real OCR of a page takes ~15 s on 2 cores
    scan = tmp_path / "cong-van-318-scan.pdf"
    scan.write_bytes(_scanned_pdf())

    # 1. Văn thư receives the scan; OCR reads it; she checks the proposed fields beside the page and registers.
    _login(page, office, "vanthu")
    page.goto(f"{office}/van-ban/den/tiep-nhan/")
    page.locator("input[type=file]").set_input_files(str(scan))
    page.locator(".upload-list li.ok").wait_for()
    row = page.locator("#queue tr", has_text="cong-van-318-scan.pdf")
    row.get_by_role("link", name="Xác nhận, vào sổ").wait_for()
    shot(page, "registry-1-intake-queue")
    row.get_by_role("link", name="Xác nhận, vào sổ").click()
    page.wait_for_url("**/den/tiep-nhan/*/")
    symbol = page.get_by_label("Số, ký hiệu")
    if shutil.which("ocrmypdf"):
        assert symbol.input_value() == "318-CV/BTCTW"  # read by OCR from the scan
        assert "kiện toàn tổ chức bộ máy" in page.get_by_label("Trích yếu nội dung").input_value()
    else:
        symbol.fill("318-CV/BTCTW")
        page.get_by_label("Cơ quan ban hành (tác giả)").fill("Ban Tổ chức Trung ương")
        page.get_by_label("Trích yếu nội dung").fill(LETTER.subject)
    page.get_by_label("Hình thức nhận").select_option("paper")
    shot(page, "registry-2-confirm")
    page.get_by_role("button", name="Vào sổ, cấp số đến").click()
    page.wait_for_url("**/van-ban/den/*/")
    doc = IncomingDocument.objects.get(number_symbol="318-CV/BTCTW")
    assert page.get_by_role(
        "heading", name=f"Văn bản đến số {doc.arrival_number}/{doc.arrival_year}"
    ).is_visible()
    assert doc.ocr_used is bool(shutil.which("ocrmypdf"))

    # 2. The leader routes it: the specialist leads (5 working days), Ban Tổ chức supports (7 working days).
    _login(page, office, "bithu")
    page.goto(f"{office}/van-ban/den/{doc.pk}/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Gửi ý kiến phân phối"))
    form.locator("textarea[name=text]").fill(
        "Giao đồng chí Lan chủ trì tham mưu trả lời; Ban Tổ chức phối hợp."
    )
    rows = form.locator(".line-row")
    first, second = rows.nth(0), rows.nth(1)
    first.locator("select[name=line_kind]").select_option("lead")
    target = first.locator("select[name=line_target]")
    target.select_option(_option_value(page, target, "Võ Thị Ngọc Lan"))
    first.locator("input[name=line_days]").fill("5")
    second.locator("select[name=line_kind]").select_option("support")
    target2 = second.locator("select[name=line_target]")
    target2.select_option(_option_value(page, target2, "Ban Tổ chức Tỉnh ủy"))
    second.locator("input[name=line_days]").fill("7")
    form.get_by_role("button", name="Gửi ý kiến phân phối").click()
    page.wait_for_url(f"**/van-ban/den/{doc.pk}/**")
    doc.refresh_from_db()
    assert doc.status == "in_progress" and doc.due_date is not None
    assert "Ban Tổ chức Tỉnh ủy" in doc.recipients_label
    shot(page, "registry-3-routed")

    # 3. The reply: drafted and approved in the office, then numbered and issued by the văn thư in the browser.
    people = {u.username: u for u in User.objects.all()}
    from vanphong.catalogs.models import DocumentType, NumberBook

    cong_van = DocumentType.objects.get(code="cong-van")
    book = NumberBook.objects.get(unit=doc.unit, document_types=cong_van)
    reply = out.outgoing_draft_create(
        actor=people["chuyenvien"], unit=doc.unit, document_type=cong_van,
        subject="V/v báo cáo kết quả kiện toàn tổ chức bộ máy cấp xã", in_reply_to=doc,
        signer=people["chanhvp"], signer_name="Lê Thị Thu Hà", signer_title="Chánh Văn phòng",
        recipients=[out.RecipientIn(name="Ban Tổ chức Trung ương", organ_id="000.00.00.A02")],
        file_copy_holder="Lưu Văn phòng Tỉnh ủy",
    )  # fmt: skip
    from vanphong.demo.documents import _approve_all

    _approve_all(reply, people)
    out.outgoing_signed_upload(
        actor=people["chanhvp"],
        document=reply,
        data=document_pdf(LETTER, timezone.localdate()),
        filename="ky.pdf",
    )
    sequence_before = max([s.last_number for s in book.sequences.all()] + [0])
    _login(page, office, "vanthu")
    page.goto(f"{office}/van-ban/di/{reply.pk}/")
    page.get_by_role("button", name="Cấp số và phát hành").click()
    page.wait_for_url(f"**/van-ban/di/{reply.pk}/**")
    reply.refresh_from_db()
    assert reply.status == OutgoingStatus.ISSUED
    assert reply.number == sequence_before + 1 and reply.number_symbol == f"{sequence_before + 1:02d}-CV/VPTU"
    shot(page, "registry-4-reply-issued")

    # 4. The specialist closes her assignment with the reply; the document is done.
    _login(page, office, "chuyenvien")
    page.goto(f"{office}/xu-ly/")
    page.get_by_role("link", name=LETTER.subject[:30], exact=False).first.click()
    page.wait_for_url(f"**/van-ban/den/{doc.pk}/**")
    page.locator("summary", has_text="Hoàn thành").first.click()
    close = page.locator("form").filter(has=page.get_by_role("button", name="Báo hoàn thành")).first
    close.locator("select[name=reply]").select_option(str(reply.pk))
    close.locator("input[name=result_kind][value=reply]").check()
    close.get_by_role("button", name="Báo hoàn thành").click()
    page.wait_for_url(f"**/van-ban/den/{doc.pk}/**")
    doc.refresh_from_db()
    assert doc.status == "done" and doc.reply_id == reply.pk
    shot(page, "registry-5-done")

    # 5. The incoming register shows the row with its số đến, the receiving units and the reply's number.
    _login(page, office, "vanthu")
    page.goto(f"{office}/van-ban/so/den/")
    register_row = page.locator("tr", has_text="318-CV/BTCTW")
    register_row.wait_for()
    assert str(doc.arrival_number) in register_row.inner_text()
    page.goto(f"{office}/van-ban/so/theo-doi/")
    follow = page.locator("tr", has_text="318-CV/BTCTW")
    assert reply.number_symbol in follow.inner_text()
    shot(page, "registry-6-register")
