"""Outgoing side pages (văn bản đi): the list with tabs, the draft form, the document page with the actions of
each role (trình, cho ý kiến, tải bản đã ký, cấp số và phát hành, thu hồi, hủy), file downloads and the
number reservations of the văn thư.

Every document is fetched through ``registry.access`` (widened for a waiting reviewer by
``access_outgoing_for_user``); every write goes through one service. A repeated POST (double click) is either
refused by the service with a clear message or caught by a one-time form token.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanphong.accounts.access import role_scopes
from vanphong.accounts.models import Role
from vanphong.catalogs.models import DocumentType, NumberBook
from vanphong.core.exceptions import NotFound, PermissionDenied, VanphongError
from vanphong.security.files import serve_item_file
from vanphong.security.services import record_access

from ..access import access_incoming, can_issue_outgoing, outgoing_visible_to
from ..forms_outgoing import (
    IssueForm,
    OutgoingDraftForm,
    ReasonForm,
    ReserveForm,
    ReviewForm,
    SignedUploadForm,
    format_external_recipients,
    reservation_choices,
)
from ..models import NumberReservation, OutgoingDocument, OutgoingReview, OutgoingStatus, ReservationStatus
from ..services import outgoing as svc

PAGE_SIZE = 30
TOKEN_TTL = 600
TABS = [
    ("", "Tất cả"),
    ("cua-toi", "Dự thảo của tôi"),
    ("cho-y-kien", "Chờ tôi cho ý kiến"),
    ("cho-phat-hanh", "Chờ phát hành"),
    ("da-phat-hanh", "Đã phát hành"),
]
LIST_FIELDS = (
    "id", "number_symbol", "issued_date", "subject", "status", "secrecy_rank", "created_at", "unit__name",
    "unit__path", "document_type__name", "urgency__name", "urgency__edxml_priority", "secrecy__name",
    "secrecy__rank", "signer__full_name", "signer__username", "drafted_by_id",
)  # fmt: skip


def _user(request: HttpRequest) -> Any:
    return request.user


def _claim(token: str) -> bool:
    """Take a one-time form token; False when it was already used (a double click)."""
    return not token or cache.add(f"vp-outgoing-form:{token}", 1, TOKEN_TTL)


def _release(token: str) -> None:
    if token:
        cache.delete(f"vp-outgoing-form:{token}")


def _report_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.as_data().values():
        for error in errors:
            for message in error.messages:
                messages.error(request, message)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- list ----------------------------------------------------------------------------------------------


def _tab_queryset(user: Any, tab: str) -> QuerySet[OutgoingDocument]:
    if tab == "cua-toi":
        return outgoing_visible_to(user).filter(drafted_by=user, status__in=svc.BEFORE_ISSUE)
    if tab == "cho-y-kien":
        return svc.outgoing_review_queue(user)
    if tab == "cho-phat-hanh":
        return svc.outgoing_issue_queue(user)
    if tab == "da-phat-hanh":
        return outgoing_visible_to(user).filter(status__in=[OutgoingStatus.ISSUED, OutgoingStatus.RECALLED])
    return outgoing_visible_to(user)


@login_required
def outgoing_list(request: HttpRequest) -> HttpResponse:
    """Văn bản đi: tabs (mine, waiting for my opinion, waiting for issue, issued), filters by status, type,
    year and text; paginated in the database, never loading the full text."""
    user = _user(request)
    tab = request.GET.get("tab", "")
    if tab not in dict(TABS):
        tab = ""
    qs = _tab_queryset(user, tab).select_related("signer").only(*LIST_FIELDS)
    status = request.GET.get("status", "")
    if status in OutgoingStatus.values:
        qs = qs.filter(status=status)
    doc_type = _int(request.GET.get("type"))
    if doc_type:
        qs = qs.filter(document_type_id=doc_type)
    year = _int(request.GET.get("year"))
    if year:
        qs = qs.filter(Q(issued_date__year=year) | Q(issued_date__isnull=True, created_at__year=year))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(number_symbol__icontains=q))
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    is_clerk = user.is_superuser or bool(role_scopes(user, Role.CLERK))
    tabs = [(k, label) for k, label in TABS if k != "cho-phat-hanh" or is_clerk]
    this_year = timezone.localdate().year
    return render(request, "registry/outgoing_list.html", {
        "page_obj": page, "tab": tab, "tabs": tabs, "filters": request.GET, "querystring_without_page":
        params.urlencode(), "statuses": OutgoingStatus.choices,
        "types": DocumentType.objects.filter(active=True).only("id", "name"),
        "years": range(this_year, this_year - 6, -1), "can_draft": bool(svc.draft_units(user)),
        "is_clerk": is_clerk, "review_count": svc.outgoing_review_queue(user).count(),
    })  # fmt: skip


# --- draft ---------------------------------------------------------------------------------------------


def _default_unit(units: list[Any]) -> Any:
    """The nearest unit that keeps a number book, else the user's own unit."""
    with_books = set(NumberBook.objects.filter(active=True, unit__in=units).values_list("unit_id", flat=True))
    return next((u for u in units if u.pk in with_books), units[0] if units else None)


def _save_draft(
    request: HttpRequest, form: OutgoingDraftForm, doc: OutgoingDocument | None
) -> OutgoingDocument:
    user = _user(request)
    data = form.cleaned_data
    reply_id = data.get("in_reply_to")
    unchanged = doc is not None and reply_id == doc.in_reply_to_id
    in_reply_to = access_incoming(user, reply_id) if reply_id and not unchanged else None
    fields: dict[str, Any] = {
        "document_type": data["document_type"], "subject": data["subject"], "urgency": data["urgency"],
        "secrecy": data["secrecy"], "signer": data["signer"], "signer_name": data["signer_name"],
        "signer_title": data["signer_title"], "recipients": form.recipients(), "copies": data["copies"],
        "file_copy_holder": data["file_copy_holder"], "reply_due_date": data["reply_due_date"],
        "notes": data["notes"], "in_reply_to": in_reply_to,
    }  # fmt: skip
    if doc is None:
        return svc.outgoing_draft_create(actor=user, unit=data["unit"], file=data["file"], **fields)
    if data["file"] is not None:
        fields["file"] = data["file"]
    if unchanged:
        fields.pop("in_reply_to")
    return svc.outgoing_draft_update(actor=user, document=doc, **fields)


@login_required
def outgoing_create(request: HttpRequest) -> HttpResponse:
    """Soạn thảo: main fields, the draft file and the recipients; ``?tra-loi=<id>`` answers an incoming one."""
    user = _user(request)
    units = svc.draft_units(user)
    if not units:
        raise PermissionDenied("Tài khoản chưa thuộc đơn vị nào nên chưa soạn thảo được văn bản đi.")
    reply_to = _int(request.GET.get("tra-loi"))
    incoming = access_incoming(user, reply_to) if reply_to else None
    default = _default_unit(units)
    units = [default, *[u for u in units if u.pk != default.pk]]
    initial: dict[str, Any] = {"unit": default.pk, "copies": 1, "in_reply_to": reply_to,
                               "file_copy_holder": f"Lưu {default.name}"}  # fmt: skip
    if incoming is not None:
        initial["subject"] = (
            f"V/v trả lời văn bản số {incoming.number_symbol}" if incoming.number_symbol else ""
        )
        initial["external_recipients"] = incoming.issuer_name if incoming.issuer_unit_id is None else ""
        initial["recipient_units"] = [incoming.issuer_unit_id] if incoming.issuer_unit_id else []
    form = OutgoingDraftForm(
        request.POST or None, request.FILES or None, units=units, user=user, initial=initial
    )
    token = request.POST.get("token", "") if request.method == "POST" else uuid.uuid4().hex
    if request.method == "POST" and form.is_valid():
        if not _claim(token):
            messages.warning(request, "Dự thảo này đã được lưu (bấm gửi hai lần).")
            return redirect(f"{reverse('registry:outgoing_list')}?tab=cua-toi")
        try:
            doc = _save_draft(request, form, None)
        except VanphongError as exc:
            _release(token)
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lưu dự thảo. Kiểm tra thể thức bên dưới rồi trình duyệt.")
            return redirect("registry:outgoing_detail", pk=doc.pk)
    return render(request, "registry/outgoing_form.html",
                  {"form": form, "doc": None, "incoming": incoming, "token": token})  # fmt: skip


@login_required
def outgoing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc = svc.access_outgoing_for_user(user, pk)
    if not svc.can_edit_outgoing(user, doc):
        messages.error(
            request, "Văn bản không sửa được ở trạng thái này, hoặc bạn không phải người soạn thảo."
        )
        return redirect("registry:outgoing_detail", pk=doc.pk)
    recipients = list(doc.recipients.all())
    initial = {
        "unit": doc.unit_id, "document_type": doc.document_type_id, "subject": doc.subject,
        "urgency": doc.urgency_id, "secrecy": doc.secrecy_id, "signer": doc.signer_id,
        "signer_name": doc.signer_name, "signer_title": doc.signer_title,
        "recipient_units": [r.unit_id for r in recipients if r.unit_id],
        "external_recipients": format_external_recipients(recipients), "file_copy_holder": doc.file_copy_holder,
        "copies": doc.copies, "reply_due_date": doc.reply_due_date, "notes": doc.notes,
        "in_reply_to": doc.in_reply_to_id,
    }  # fmt: skip
    form = OutgoingDraftForm(request.POST or None, request.FILES or None, units=[doc.unit], user=user,
                             initial=initial)  # fmt: skip
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            _save_draft(request, form, doc)
        except VanphongError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lưu dự thảo.")
            return redirect("registry:outgoing_detail", pk=doc.pk)
    return render(
        request, "registry/outgoing_form.html", {"form": form, "doc": doc, "incoming": None, "token": ""}
    )


# --- document page -----------------------------------------------------------------------------------------


@login_required
def outgoing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Metadata, files, the format check, the review timeline and the actions the user may take now."""
    user = _user(request)
    doc = svc.access_outgoing_for_user(user, pk)
    record_access(actor=user, obj=doc, channel="view", request=request)
    open_draft = doc.status in svc.BEFORE_ISSUE
    can_issue = can_issue_outgoing(user, doc.unit) and doc.status in svc.ISSUABLE
    context: dict[str, Any] = {
        "doc": doc,
        "recipients": list(doc.recipients.select_related("unit")),
        "rounds": svc.review_rounds(doc),
        "warnings": svc.outgoing_format_check(doc) if open_draft else [],
        "can_edit": svc.can_edit_outgoing(user, doc),
        "my_reviews": svc.reviews_for(user, doc),
        "stage": svc.current_stage(doc) if doc.status == OutgoingStatus.IN_REVIEW else [],
        "can_upload_signed": svc.can_upload_signed(user, doc),
        "can_issue": can_issue,
        "can_recall": svc.can_recall_outgoing(user, doc),
        "can_cancel": svc.can_cancel_outgoing(user, doc),
        "reason_form": ReasonForm(),
        "upload_form": SignedUploadForm(),
        "review_form": ReviewForm(),
    }
    if can_issue:
        books = svc.books_for(doc)
        context["issue_form"] = IssueForm(books=books, reservations=reservation_choices(books),
                                          initial={"issued_date": timezone.localdate()})  # fmt: skip
        context["books"] = books
        context["issue_warnings"] = svc.issue_date_warnings(doc, timezone.localdate())
    return render(request, "registry/outgoing_detail.html", context)


def _back(doc_pk: int) -> HttpResponse:
    return redirect("registry:outgoing_detail", pk=doc_pk)


@login_required
@require_POST
def outgoing_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc = svc.access_outgoing_for_user(user, pk)
    try:
        doc = svc.outgoing_submit(actor=user, document=doc)
    except VanphongError as exc:
        messages.error(request, exc.message)
    else:
        if doc.status == OutgoingStatus.APPROVED:
            messages.success(
                request, "Thể loại này không có bước thẩm định, duyệt: dự thảo đã chuyển sang chờ ký."
            )
        else:
            messages.success(request, "Đã trình dự thảo; người cho ý kiến đã được báo.")
    return _back(pk)


@login_required
@require_POST
def outgoing_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc = svc.access_outgoing_for_user(user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chưa chọn đồng ý hay trả lại.")
        return _back(pk)
    review = OutgoingReview.objects.filter(pk=form.cleaned_data["review"], document=doc).first()
    if review is None:
        raise NotFound("Không tìm thấy bước thẩm định, duyệt này.")
    decision = form.cleaned_data["decision"]
    try:
        svc.outgoing_review_decide(actor=user, review=review, decision=decision,
                                   comment=form.cleaned_data["comment"])  # fmt: skip
    except VanphongError as exc:
        messages.error(request, exc.message)
        return _back(pk)
    if decision == "rejected":
        messages.success(request, "Đã trả lại dự thảo cho người soạn thảo.")
    else:
        messages.success(request, f"Đã ghi ý kiến đồng ý ({review.name}).")
    try:
        return _back(svc.access_outgoing_for_user(user, pk).pk)
    except NotFound:  # a reviewer seeing it only while waiting goes back to the queue
        return redirect(f"{reverse('registry:outgoing_list')}?tab=cho-y-kien")


@login_required
@require_POST
def outgoing_signed_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc = svc.access_outgoing_for_user(user, pk)
    form = SignedUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _report_errors(request, form)
        return _back(pk)
    data, filename = form.cleaned_data["file"]
    try:
        svc.outgoing_signed_upload(actor=user, document=doc, data=data, filename=filename)
    except VanphongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã tải lên bản đã ký; văn thư đã được báo để cấp số, phát hành.")
    return _back(pk)


@login_required
@require_POST
def outgoing_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc = svc.access_outgoing_for_user(user, pk)
    books = svc.books_for(doc)
    form = IssueForm(request.POST, books=books, reservations=reservation_choices(books))
    if not form.is_valid():
        _report_errors(request, form)
        return _back(pk)
    data = form.cleaned_data
    try:
        doc = svc.outgoing_issue(actor=user, document=doc, book=data["book"], issued_date=data["issued_date"],
                                 reservation=data["reservation"])  # fmt: skip
    except VanphongError as exc:
        messages.error(request, exc.message)
        return _back(pk)
    assert doc.issued_date is not None
    messages.success(request, f"Đã cấp số {doc.number_symbol} ngày {doc.issued_date:%d/%m/%Y} và phát hành.")
    for w in svc.issue_date_warnings(doc, doc.issued_date):
        messages.warning(request, w.message)
    return _back(pk)


def _reason_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    user = _user(request)
    doc = svc.access_outgoing_for_user(user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cần ghi lý do.")
        return _back(pk)
    try:
        action(actor=user, document=doc, reason=form.cleaned_data["reason"])
    except VanphongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(pk)


@login_required
@require_POST
def outgoing_recall(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_action(request, pk, svc.outgoing_recall,
                          "Đã thu hồi văn bản; nơi nhận trong hệ thống đã được báo.")  # fmt: skip


@login_required
@require_POST
def outgoing_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_action(request, pk, svc.outgoing_cancel, "Đã hủy văn bản.")


FILES = {"du-thao": ("draft_blob_id", "draft_filename"), "ban-ky": ("signed_blob_id", "signed_filename")}


@login_required
def outgoing_file(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """Stream the draft or the signed file of a document the user may see, under a safe file name.

    A classified document's file is traced, and its PDF goes out watermarked (the stored, signed bytes are kept).
    """
    doc = svc.access_outgoing_for_user(_user(request), pk)
    if which not in FILES:
        raise Http404
    blob_field, name_field = FILES[which]
    sha = getattr(doc, blob_field)
    if not sha:
        raise NotFound("Văn bản này chưa có tệp đó.")
    name = getattr(doc, name_field) or ("van-ban.pdf" if which == "ban-ky" else "du-thao")
    kind = "pdf" if name.lower().endswith(".pdf") else "docx"
    name = svc.safe_filename(name, kind)
    inline = kind == "pdf" and request.GET.get("xem") == "1"
    return serve_item_file(request, obj=doc, sha=sha, filename=name, content_type=svc.CONTENT_TYPES[kind],
                           inline=inline)  # fmt: skip


# --- reservations --------------------------------------------------------------------------------------------


@login_required
def outgoing_reservations(request: HttpRequest) -> HttpResponse:
    """Giữ số (lấy số trước) and hủy số for the văn thư; the list keeps used and cancelled numbers."""
    user = _user(request)
    books = svc.books_for_clerk(user)
    can_reserve = user.is_superuser or bool(role_scopes(user, Role.CLERK))
    if not can_reserve and not role_scopes(user, Role.OFFICE_LEADER, Role.COMMITTEE_LEADER):
        raise PermissionDenied("Chỉ văn thư và lãnh đạo văn phòng xem được sổ giữ số.")
    token = uuid.uuid4().hex
    form = ReserveForm(request.POST or None, books=books,
                       initial={"for_date": timezone.localdate(), "token": token})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not _claim(data["token"]):
            messages.warning(request, "Yêu cầu giữ số này đã được xử lý (bấm gửi hai lần).")
            return redirect("registry:outgoing_reservations")
        try:
            res = svc.number_reserve(actor=user, book=data["book"], for_date=data["for_date"],
                                     reason=data["reason"], document_type=data["document_type"])  # fmt: skip
        except VanphongError as exc:
            _release(data["token"])
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã giữ số {res.number_symbol} cho ngày {res.for_date:%d/%m/%Y}.")
            return redirect("registry:outgoing_reservations")
    status = request.GET.get("status", "")
    qs = svc.reservations_visible_to(user)
    if status in ReservationStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "registry/outgoing_reservations.html", {
        "form": form, "page_obj": page, "can_reserve": can_reserve and books.exists(), "status": status,
        "statuses": ReservationStatus.choices, "querystring_without_page": params.urlencode(),
        "reason_form": ReasonForm(),
    })  # fmt: skip


@login_required
@require_POST
def outgoing_reservation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        res = svc.reservations_visible_to(user).get(pk=pk)
    except NumberReservation.DoesNotExist as exc:
        raise NotFound("Không tìm thấy số đã giữ.") from exc
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cần ghi lý do hủy số.")
    else:
        try:
            svc.number_reservation_cancel(actor=user, reservation=res, reason=form.cleaned_data["reason"])
        except VanphongError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Đã hủy số {res.number_symbol}; số này không được cấp lại.")
    return redirect("registry:outgoing_reservations")


urlpatterns: list[URLPattern] = [
    path("di/", outgoing_list, name="outgoing_list"),
    path("di/soan-thao/", outgoing_create, name="outgoing_create"),
    path("di/giu-so/", outgoing_reservations, name="outgoing_reservations"),
    path("di/giu-so/<int:pk>/huy/", outgoing_reservation_cancel, name="outgoing_reservation_cancel"),
    path("di/<int:pk>/", outgoing_detail, name="outgoing_detail"),
    path("di/<int:pk>/sua/", outgoing_edit, name="outgoing_edit"),
    path("di/<int:pk>/trinh/", outgoing_submit, name="outgoing_submit"),
    path("di/<int:pk>/y-kien/", outgoing_review, name="outgoing_review"),
    path("di/<int:pk>/ban-ky/", outgoing_signed_upload, name="outgoing_signed_upload"),
    path("di/<int:pk>/phat-hanh/", outgoing_issue, name="outgoing_issue"),
    path("di/<int:pk>/thu-hoi/", outgoing_recall, name="outgoing_recall"),
    path("di/<int:pk>/huy/", outgoing_cancel, name="outgoing_cancel"),
    path("di/<int:pk>/tep/<slug:which>/", outgoing_file, name="outgoing_file"),
]
