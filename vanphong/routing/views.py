"""Routing pages (thin): the inbox "Văn bản cần xử lý", the actions posted from the routing panel of the
incoming-document page (each redirects back to it with a message), and the phiếu giải quyết văn bản đến.

Documents and assignments are fetched through ``registry.access`` / ``routing.access``; every write is one
service call; a refused action shows the service's Vietnamese message and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from vanphong.accounts.models import User
from vanphong.core.exceptions import NotFound, ValidationError, VanphongError
from vanphong.registry.access import access_incoming, outgoing_visible_to
from vanphong.registry.models import IncomingDocument, OutgoingDocument

from . import access, selectors, services
from .forms import (
    CloseForm,
    HandoverForm,
    ProgressForm,
    ReasonForm,
    RedirectForm,
    TextForm,
    form_errors,
    parse_lines,
    parse_target,
)
from .models import Assignment, AssignmentKind
from .slip import slip_context

PAGE_SIZE = 25
TAB_LABELS = {"mine": "Của tôi", "unit": "Của đơn vị", "waiting": "Chờ bút phê", "done": "Đã xong"}
STATE_LABELS = {"overdue": "Quá hạn", "due_soon": "Sắp đến hạn"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _document(request: HttpRequest, pk: int) -> IncomingDocument:
    try:
        return access_incoming(_user(request), pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    try:
        return access.access_assignment(_user(request), pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _back(document_pk: int) -> HttpResponse:
    return redirect(reverse("registry:incoming_detail", args=[document_pk]) + "#xu-ly")


def _run(request: HttpRequest, success: str, action: Callable[[], Any]) -> None:
    """Call one service; its Vietnamese error (if any) becomes the message, nothing is half-written."""
    try:
        action()
    except VanphongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


# --- inbox -------------------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Văn bản cần xử lý: tabs Của tôi / Của đơn vị / Chờ bút phê / Đã xong, filters, paginated in the DB."""
    user = _user(request)
    is_router = selectors.is_router(user)
    counts = selectors.tab_counts(user)
    tab = request.GET.get("tab", "")
    if tab not in selectors.TABS or (tab == "waiting" and not is_router):
        # By default the first tab with something in it: mine, then my unit's, then waiting for my bút phê.
        tab = next((k for k in ("mine", "unit", "waiting") if counts.get(k)), "mine")
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    if tab == "waiting":
        qs: Any = selectors.awaiting_instruction(user)
        if q:
            qs = qs.filter(Q(subject__icontains=q) | Q(number_symbol__icontains=q))
    else:
        qs = selectors.inbox_for(user, tab=tab, q=q, kind=kind, state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    tabs = [
        {"key": k, "label": label, "count": counts.get(k)}
        for k, label in TAB_LABELS.items()
        if k != "waiting" or is_router
    ]
    context = {
        "page_obj": page,
        "tab": tab,
        "tabs": tabs,
        "q": q,
        "kind": kind,
        "state": state,
        "kinds": AssignmentKind.choices,
        "states": list(STATE_LABELS.items()),
        "querystring_without_page": params.urlencode(),
    }
    template = "routing/_inbox_results.html" if getattr(request, "htmx", False) else "routing/inbox.html"
    return render(request, template, context)


# --- đề xuất, bút phê --------------------------------------------------------------------------------------


@login_required
@require_GET
def line_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One more blank recipient row for the bút phê / đề xuất form (HTMX)."""
    document = _document(request, pk)
    units, people = selectors.target_choices(document)
    context = {
        "row": {"kind": AssignmentKind.SUPPORT},
        "units": units,
        "people": people,
        "kinds": AssignmentKind.choices,
    }
    return render(request, "routing/_line_row.html", context)


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = TextForm(request.POST)

    def act() -> None:
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        services.routing_propose(
            actor=_user(request),
            document=document,
            lines=parse_lines(request.POST),
            text=form.cleaned_data["text"],
        )

    _run(request, "Đã gửi ý kiến đề xuất tới lãnh đạo.", act)
    return _back(document.pk)


@login_required
@require_POST
def instruct(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = TextForm(request.POST)

    def act() -> None:
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        services.routing_instruct(
            actor=_user(request),
            document=document,
            lines=parse_lines(request.POST),
            text=form.cleaned_data["text"],
        )

    _run(request, "Đã cho ý kiến phân phối; đơn vị, cá nhân được giao đã nhận thông báo.", act)
    return _back(document.pk)


# --- one assignment ----------------------------------------------------------------------------------------


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    _run(
        request,
        "Đã xác nhận đã xem.",
        lambda: services.assignment_mark_read(actor=_user(request), assignment=a),
    )
    return _back(a.document_id)


@login_required
@require_POST
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    form = HandoverForm(request.POST, people=selectors.unit_people(a.unit))

    def act() -> None:
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        d = form.cleaned_data
        services.assignment_handover(
            actor=_user(request), assignment=a, user=d["user"], days=d["days"], deadline=d["deadline"],
            note=d["note"],
        )  # fmt: skip

    _run(request, "Đã giao cá nhân giải quyết.", act)
    return _back(a.document_id)


@login_required
@require_POST
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    form = ProgressForm(request.POST)

    def act() -> None:
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        services.assignment_progress(
            actor=_user(request),
            assignment=a,
            text=form.cleaned_data["text"],
            percent=form.cleaned_data["percent"],
        )

    _run(request, "Đã cập nhật tiến độ.", act)
    return _back(a.document_id)


def _reply(user: User, pk: int | None) -> OutgoingDocument | None:
    if pk is None:
        return None
    reply = outgoing_visible_to(user).filter(pk=pk).first()
    if reply is None:
        raise ValidationError("Không tìm thấy văn bản trả lời hoặc bạn không có quyền xem văn bản đó.")
    return reply


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    form = CloseForm(request.POST)

    def act() -> None:
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        d = form.cleaned_data
        services.assignment_close(
            actor=_user(request), assignment=a, result_kind=d["result_kind"], note=d["note"],
            reply=_reply(_user(request), d["reply"]) if d["result_kind"] == "reply" else None,
        )  # fmt: skip

    _run(request, "Đã báo hoàn thành giải quyết.", act)
    return _back(a.document_id)


@login_required
@require_POST
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    form = ReasonForm(request.POST)

    def act() -> None:
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        services.assignment_return(actor=_user(request), assignment=a, reason=form.cleaned_data["reason"])

    _run(request, "Đã trả lại văn bản cho lãnh đạo.", act)
    return _back(a.document_id)


@login_required
@require_POST
def redirect_(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    form = RedirectForm(request.POST)

    def act() -> None:
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        d = form.cleaned_data
        unit, user = parse_target(d["target"])
        services.assignment_redirect(
            actor=_user(request), assignment=a, reason=d["reason"], unit=unit, user=user, days=d["days"],
            deadline=d["deadline"],
        )  # fmt: skip

    _run(request, "Đã chuyển văn bản cho nơi giải quyết mới.", act)
    return _back(a.document_id)


# --- phiếu giải quyết văn bản đến ----------------------------------------------------------------------------


@login_required
@require_GET
def slip(request: HttpRequest, pk: int) -> HttpResponse:
    """Phiếu giải quyết văn bản đến (NĐ 30 Phụ lục IV mục VII): printable HTML, or ``?format=pdf``."""
    document = _document(request, pk)
    as_pdf = request.GET.get("format") == "pdf"
    context = slip_context(document)
    context["pdf"] = as_pdf
    html = render_to_string("routing/slip.html", context, request=request)
    if not as_pdf:
        return HttpResponse(html)
    from weasyprint import HTML  # heavy import, only for the PDF

    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"phieu-giai-quyet-{document.arrival_number}-{document.arrival_year}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
