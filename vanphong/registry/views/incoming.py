"""Incoming side pages: receive files (upload, progress), confirm extracted fields beside the page preview and
register, the incoming list, the document page (with the panels of the apps above), files and returns.

Every object is fetched through ``registry.access``; every write goes through a service.
"""

from __future__ import annotations

import contextlib
import mimetypes
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanphong.catalogs.models import DocumentType, SecrecyLevel, Urgency
from vanphong.core.exceptions import NotFound, PermissionDenied, VanphongError
from vanphong.ingest import services as ingest_services
from vanphong.ingest.models import Intake, IntakeSource, IntakeStatus
from vanphong.org.models import Unit
from vanphong.security.files import serve_item_file
from vanphong.security.services import record_access

from ..access import (
    access_incoming,
    access_intake,
    can_register_incoming,
    incoming_visible_to,
    intake_units,
    intakes_visible_to,
    require_register,
)
from ..forms import RegisterForm, ReturnForm, UploadForm
from ..models import IncomingStatus, Medium, OutgoingRecipient
from ..panels import render_incoming_panels
from ..preview import MAX_PREVIEW_PAGES, page_png
from ..services.incoming import DuplicateWarning, incoming_document_register, incoming_return

OPEN_INTAKE = (IntakeStatus.QUEUED, IntakeStatus.PROCESSING, IntakeStatus.READY, IntakeStatus.FAILED)


def _user(request: HttpRequest) -> Any:
    return request.user


def _chosen_unit(request: HttpRequest) -> Unit:
    units = intake_units(_user(request))
    if not units:
        raise PermissionDenied("Chỉ văn thư mới được tiếp nhận văn bản đến.")
    wanted = request.POST.get("unit") or request.GET.get("unit")
    for unit in units:
        if str(unit.pk) == wanted:
            return unit
    return units[0]


# --- intake --------------------------------------------------------------------------------------------


def _queue(request: HttpRequest) -> QuerySet[Intake]:
    return (
        intakes_visible_to(_user(request))
        .filter(status__in=OPEN_INTAKE)
        .defer("text", "proposed")
        .order_by("-created_at")
    )


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Tiếp nhận văn bản đến: upload one or many files; the queue below shows reading/OCR progress."""
    user = _user(request)
    try:
        unit = _chosen_unit(request)
    except PermissionDenied as exc:
        messages.error(request, exc.message)
        return redirect("registry:incoming_list")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return _upload_reply(request, [], ["Chưa chọn tệp nào để tải lên."])
        created, errors = [], []
        for f in form.cleaned_data["uploads"]:
            try:
                created.append(
                    ingest_services.intake_create(
                        actor=user,
                        unit=unit,
                        source=IntakeSource.UPLOAD,
                        filename=f.name,
                        data=f,
                        content_type=f.content_type or "",
                    )
                )
            except VanphongError as exc:
                errors.append(f"{f.name}: {exc.message}")
        return _upload_reply(request, created, errors)
    items = list(_queue(request)[:100])
    return render(
        request,
        "registry/intake.html",
        {"form": UploadForm(), "unit": unit, "units": intake_units(user), "items": items,
         "busy": any(i.status in (IntakeStatus.QUEUED, IntakeStatus.PROCESSING) for i in items)},
    )  # fmt: skip


def _upload_reply(request: HttpRequest, created: list[Intake], errors: list[str]) -> HttpResponse:
    if request.headers.get("X-Upload") == "1":  # the page's uploader sends one file per request
        status = 400 if errors and not created else 200
        return JsonResponse(
            {"created": [{"id": i.pk, "filename": i.filename} for i in created], "errors": errors},
            status=status,
        )
    for e in errors:
        messages.error(request, e)
    if created:
        messages.success(request, f"Đã tiếp nhận {len(created)} tệp; hệ thống đang đọc nội dung.")
    return redirect("registry:intake")


@login_required
def intake_queue(request: HttpRequest) -> HttpResponse:
    """HTMX partial: the queue, refreshed every few seconds while files are being read."""
    items = list(_queue(request)[:100])
    busy = any(i.status in (IntakeStatus.QUEUED, IntakeStatus.PROCESSING) for i in items)
    return render(request, "registry/_intake_queue.html", {"items": items, "busy": busy})


def _initial_from(intake_obj: Intake) -> dict[str, Any]:
    p = intake_obj.proposed or {}
    initial: dict[str, Any] = {
        "number_symbol": p.get("number_symbol") or "",
        "issuer_name": p.get("issuer") or "",
        "subject": p.get("subject") or "",
        "signer_name": p.get("signer") or "",
        "page_count": intake_obj.page_count,
        "medium": Medium.INTERNAL
        if intake_obj.source == IntakeSource.INTERNAL
        else (Medium.PAPER if intake_obj.ocr_used or intake_obj.kind == "image" else Medium.ELECTRONIC),
    }
    if p.get("issued_date"):
        with contextlib.suppress(ValueError):
            initial["issued_date"] = date.fromisoformat(p["issued_date"])
    if p.get("doc_type"):
        initial["document_type"] = DocumentType.objects.filter(name__iexact=p["doc_type"]).first()
    if p.get("urgency"):
        initial["urgency"] = Urgency.objects.filter(name__iexact=p["urgency"]).first()
    if p.get("secrecy"):
        initial["secrecy"] = SecrecyLevel.objects.filter(name__iexact=p["secrecy"]).first()
    return initial


def _origin_recipient(intake_obj: Intake) -> OutgoingRecipient | None:
    prefix = "registry.outgoingrecipient:"
    if intake_obj.origin.startswith(prefix) and intake_obj.origin[len(prefix) :].isdigit():
        return (
            OutgoingRecipient.objects.select_related("document__unit")
            .filter(pk=int(intake_obj.origin[len(prefix) :]))
            .first()
        )
    return None


@login_required
def intake_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """One screen: the page preview on the left, the proposed fields on the right; confirm → số đến."""
    user = _user(request)
    item = access_intake(user, pk)
    if item.status == IntakeStatus.REGISTERED:
        doc = item.documents.first()
        messages.info(request, "Tệp này đã được vào sổ.")
        return redirect("registry:incoming_detail", doc.pk) if doc else redirect("registry:intake")
    duplicates: list[Any] = []
    if request.method == "POST":
        form = RegisterForm(request.POST, max_clearance=user.clearance)
        if form.is_valid():
            data = form.cleaned_data
            recipient = _origin_recipient(item)
            try:
                doc = incoming_document_register(
                    actor=user, unit=item.unit, medium=data["medium"], subject=data["subject"],
                    issuer_name=data["issuer_name"], number_symbol=data["number_symbol"],
                    issued_date=data["issued_date"], document_type=data["document_type"],
                    signer_name=data["signer_name"], urgency=data["urgency"], secrecy=data["secrecy"],
                    page_count=data["page_count"], notes=data["notes"], intake=item,
                    issuer_unit=recipient.document.unit if recipient else None, source_recipient=recipient,
                    acknowledge_duplicate=data["acknowledge_duplicate"],
                )  # fmt: skip
            except DuplicateWarning as exc:
                duplicates = exc.details or []
                bound = request.POST.copy()
                bound["acknowledge_duplicate"] = "on"
                form = RegisterForm(bound, max_clearance=user.clearance)
                form.is_valid()
                messages.warning(request, exc.message)
            except VanphongError as exc:
                form.add_error(None, exc.message)
            else:
                flag = " — văn bản KHẨN, đã báo lãnh đạo văn phòng" if doc.is_urgent else ""
                messages.success(
                    request, f"Đã vào sổ văn bản đến số {doc.arrival_number}/{doc.arrival_year}{flag}."
                )
                return redirect("registry:incoming_detail", doc.pk)
    else:
        form = RegisterForm(initial=_initial_from(item), max_clearance=user.clearance)
    pages = range(min(item.page_count or 1, MAX_PREVIEW_PAGES)) if item.kind in ("pdf", "image") else range(0)
    return render(
        request,
        "registry/intake_confirm.html",
        {"item": item, "form": form, "pages": pages, "duplicates": duplicates,
         "proposed": item.proposed or {}, "text_excerpt": (item.text or "")[:4000]},
    )  # fmt: skip


@login_required
@require_POST
def intake_discard(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_intake(_user(request), pk)
    try:
        ingest_services.intake_discard(actor=_user(request), intake=item)
        messages.success(request, f"Đã hủy tệp “{item.filename}”.")
    except VanphongError as exc:
        messages.error(request, exc.message)
    return redirect("registry:intake")


@login_required
@require_POST
def intake_retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_intake(_user(request), pk)
    try:
        ingest_services.intake_retry(actor=_user(request), intake=item)
        messages.success(request, f"Đang xử lý lại tệp “{item.filename}”.")
    except VanphongError as exc:
        messages.error(request, exc.message)
    return redirect("registry:intake")


def _png(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=600"
    return response


@login_required
def intake_page(request: HttpRequest, pk: int, page: int) -> HttpResponse:
    item = access_intake(_user(request), pk)
    return _png(page_png(item.blob_id, item.kind, page))


@login_required
def intake_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = access_intake(_user(request), pk)
    content_type = mimetypes.guess_type(item.filename)[0] or ""
    return serve_item_file(request, obj=item, sha=item.blob_id, filename=item.filename, content_type=content_type,
                           inline=request.GET.get("tai") != "1")  # fmt: skip


# --- incoming documents -------------------------------------------------------------------------------


def _parse_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    """Văn bản đến: filters by year, status, urgency, overdue and text; paginated; never loads full text."""
    user = _user(request)
    qs = incoming_visible_to(user).only(
        "id", "arrival_number", "arrival_year", "arrived_at", "number_symbol", "issuer_name", "subject",
        "status", "due_date", "closed_at", "is_urgent", "secrecy_rank", "unit__name", "unit__short_name",
        "document_type__name", "urgency__name", "secrecy__name", "secrecy__rank", "unit__path",
        "document_type__party_abbr", "document_type__state_abbr", "urgency__edxml_priority",
    )  # fmt: skip
    year = _parse_int(request.GET.get("year"))
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if year:
        qs = qs.filter(arrival_year=year)
    if status in IncomingStatus.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(
            status__in=[IncomingStatus.REGISTERED, IncomingStatus.PROPOSED, IncomingStatus.IN_PROGRESS]
        )
    if request.GET.get("urgent") == "1":
        qs = qs.filter(is_urgent=True)
    if request.GET.get("overdue") == "1":
        qs = qs.filter(due_date__lt=timezone.localdate(), closed_at__isnull=True)
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(number_symbol__icontains=q) | Q(issuer_name__icontains=q))
    qs = qs.order_by("-arrived_at", "-pk")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "registry/incoming_list.html",
        {"page_obj": page, "statuses": IncomingStatus.choices, "filters": request.GET, "query": params.urlencode(),
         "can_intake": bool(intake_units(user)),
         "waiting": intakes_visible_to(user).filter(status=IntakeStatus.READY).count()},
    )  # fmt: skip


@login_required
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc = access_incoming(user, pk)
    record_access(actor=user, obj=doc, channel="view", request=request)
    kind = (
        doc.intake.kind
        if doc.intake_id and doc.intake
        else ("pdf" if doc.filename.lower().endswith(".pdf") else "")
    )
    if doc.blob_id and doc.intake_id and doc.intake and doc.intake.ocr_blob_id:
        kind = "pdf"  # the OCR copy is a PDF/A
    pages = (
        range(min(doc.page_count or 1, MAX_PREVIEW_PAGES))
        if doc.blob_id and kind in ("pdf", "image")
        else range(0)
    )
    return render(
        request,
        "registry/incoming_detail.html",
        {"doc": doc, "panels": render_incoming_panels(request, doc), "pages": pages, "preview_kind": kind,
         "can_return": can_register_incoming(user, doc.unit)
         and doc.status in (IncomingStatus.REGISTERED, IncomingStatus.PROPOSED),
         "return_form": ReturnForm(), "replies": doc.replies.all().only("id", "number_symbol", "subject", "status")},
    )  # fmt: skip


@login_required
def incoming_page(request: HttpRequest, pk: int, page: int) -> HttpResponse:
    doc = access_incoming(_user(request), pk)
    if not doc.blob_id:
        raise Http404
    kind = "pdf" if (doc.intake and (doc.intake.ocr_blob_id or doc.intake.kind == "pdf")) else (
        doc.intake.kind if doc.intake else "pdf")  # fmt: skip
    return _png(page_png(doc.blob_id, kind, page))


@login_required
def incoming_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The registered file (or the original as received, ``goc=1``); a classified PDF goes out watermarked."""
    doc = access_incoming(_user(request), pk)
    if request.GET.get("goc") == "1" and doc.intake_id and doc.intake:
        sha, name = doc.intake.blob_id, doc.intake.filename
    elif doc.blob_id:
        sha, name = doc.blob_id, doc.filename
        if doc.intake and doc.intake.ocr_blob_id == sha and not name.lower().endswith(".pdf"):
            name = f"{name}.pdf"
    else:
        raise NotFound("Văn bản này không có tệp đính kèm.")
    content_type = mimetypes.guess_type(name)[0] or ""
    if doc.intake and sha == doc.intake.ocr_blob_id:
        content_type = "application/pdf"
    return serve_item_file(request, obj=doc, sha=sha, filename=name, content_type=content_type,
                           inline=request.GET.get("tai") != "1")  # fmt: skip


@login_required
@require_POST
def incoming_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc = access_incoming(user, pk)
    form = ReturnForm(request.POST)
    try:
        require_register(user, doc.unit)
        if not form.is_valid():
            raise VanphongError("Cần ghi lý do trả lại văn bản.")
        incoming_return(actor=user, document=doc, reason=form.cleaned_data["reason"])
        messages.success(request, "Đã trả lại văn bản cho nơi gửi.")
    except VanphongError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("registry:incoming_detail", args=[doc.pk]))


urlpatterns: list[URLPattern] = [
    path("den/", incoming_list, name="incoming_list"),
    path("den/tiep-nhan/", intake, name="intake"),
    path("den/tiep-nhan/hang-doi/", intake_queue, name="intake_queue"),
    path("den/tiep-nhan/<int:pk>/", intake_confirm, name="intake_confirm"),
    path("den/tiep-nhan/<int:pk>/huy/", intake_discard, name="intake_discard"),
    path("den/tiep-nhan/<int:pk>/xu-ly-lai/", intake_retry, name="intake_retry"),
    path("den/tiep-nhan/<int:pk>/tep/", intake_file, name="intake_file"),
    path("den/tiep-nhan/<int:pk>/trang/<int:page>.png", intake_page, name="intake_page"),
    path("den/<int:pk>/", incoming_detail, name="incoming_detail"),
    path("den/<int:pk>/tep/", incoming_file, name="incoming_file"),
    path("den/<int:pk>/trang/<int:page>.png", incoming_page, name="incoming_page"),
    path("den/<int:pk>/tra-lai/", incoming_return_view, name="incoming_return"),
]
