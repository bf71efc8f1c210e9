"""Unit directory and, for admins of a unit's subtree, create / edit / close and the tree import.

Every write goes through ``services`` (or ``importer``, which uses them). Admin rights come from
``accounts.access.can_administer_unit`` (superuser, or the admin role over the unit's subtree).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from vanphong.accounts.access import can_administer_unit, role_scopes
from vanphong.accounts.models import Role
from vanphong.core.exceptions import VanphongError

from . import services
from .forms import UNIT_FIELDS, ImportUploadForm, UnitCloseForm, UnitForm
from .importer import org_import
from .models import Unit, UnitLevel
from .selectors import org_stats, unit_search

IMPORT_SESSION_KEY = "vp_org_import"
IMPORT_TEMP_PREFIX = "vp-org-import-"


def _admin_scopes(user: Any) -> list[Unit]:
    """Units whose subtree the user administers (all provinces for a superuser)."""
    if user.is_superuser:
        return list(Unit.objects.filter(level=UnitLevel.PROVINCE).order_by("name"))
    return role_scopes(user, Role.ADMIN)


def _unit_for_admin(request: HttpRequest, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    if not can_administer_unit(request.user, unit):  # type: ignore[arg-type]
        raise PermissionDenied("Bạn không có quyền quản trị đơn vị này.")
    return unit


def _within_scopes(qs: QuerySet[Unit], user: Any) -> QuerySet[Unit]:
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for scope in role_scopes(user, Role.ADMIN):
        q |= Q(path__startswith=scope.path)
    return qs.filter(q)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """Directory of units: search by name or code, filter by level and by parent (province)."""
    q = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    parent = request.GET.get("parent", "")
    show_closed = request.GET.get("closed") == "1"
    qs = unit_search(
        q=q, level=level, parent=int(parent) if parent.isdigit() else None, include_closed=show_closed
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    provinces = Unit.objects.filter(level=UnitLevel.PROVINCE).order_by("name").only("id", "name")
    user: Any = request.user
    return render(
        request,
        "org/unit_list.html",
        {
            "page_obj": page,
            "levels": UnitLevel.choices,
            "provinces": provinces,
            "q": q,
            "level": level,
            "parent": parent,
            "show_closed": show_closed,
            "stats": org_stats(),
            "querystring_without_page": params.urlencode(),
            "can_import": user.is_superuser or bool(role_scopes(user, Role.ADMIN)),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    children = unit.children.annotate(n_children=Count("children")).order_by("level", "name")
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit.ancestors().exclude(pk=unit.pk),
            "children": children[:500],
            "children_count": children.count(),
            "predecessors": unit.predecessors.all(),
            "successors": unit.successors.all(),
            "user_count": unit.users.filter(is_active=True).count(),
            "can_admin": can_administer_unit(request.user, unit),  # type: ignore[arg-type]
            "can_have_children": bool(services.ALLOWED_CHILDREN.get(unit.level)),
        },
    )


def _form_fields(form: UnitForm) -> dict[str, Any]:
    return {f: form.cleaned_data[f] for f in UNIT_FIELDS if f in form.cleaned_data}


@login_required
def unit_create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    """A new unit directly under ``parent`` (a ban, phòng, đảng ủy trực thuộc, chi bộ, ...)."""
    parent = _unit_for_admin(request, parent_pk)
    form = UnitForm(
        request.POST or None, parents=Unit.objects.filter(pk=parent.pk), initial={"parent": parent}
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **_form_fields(form))
        except VanphongError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm đơn vị {unit.name}.")
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "parent": parent, "target": None})


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a unit; choosing another parent moves its whole subtree (inside the admin's scope)."""
    unit = _unit_for_admin(request, pk)
    province = unit.province()
    if province is None or province.pk == unit.pk:
        parents: QuerySet[Unit] = Unit.objects.filter(pk=unit.parent_id or 0)
    else:
        candidates = (
            Unit.objects.active()
            .filter(path__startswith=province.path)
            .exclude(path__startswith=unit.path)
            .exclude(level=UnitLevel.CELL)
        )
        parents = Unit.objects.filter(
            Q(pk__in=_within_scopes(candidates, request.user).values("pk")) | Q(pk=unit.parent_id)
        ).order_by("depth", "name")
    form = UnitForm(request.POST or None, instance=unit, parents=parents)
    if request.method == "POST" and form.is_valid():
        fields = _form_fields(form)
        try:
            new_parent = fields.get("parent")
            moved = new_parent is not None and new_parent.pk != unit.parent_id
            if moved and not can_administer_unit(request.user, new_parent):  # type: ignore[arg-type]
                raise VanphongError("Bạn không có quyền quản trị đơn vị cấp trên mới.")
            unit = services.unit_update(actor=request.user, unit=unit, **fields)
        except VanphongError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã lưu đơn vị {unit.name}.")
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "parent": unit.parent, "target": unit})


@login_required
def unit_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a unit (sáp nhập into a successor, or giải thể). History and documents are kept."""
    unit = _unit_for_admin(request, pk)
    scope = unit.province() if unit.level != UnitLevel.PROVINCE else unit.parent
    successors: QuerySet[Unit] = Unit.objects.active().exclude(path__startswith=unit.path)
    successors = successors.filter(path__startswith=scope.path) if scope is not None else successors.none()
    successors = _within_scopes(successors, request.user).filter(level=unit.level).order_by("name")
    form = UnitCloseForm(request.POST or None, successors=successors)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_close(
                actor=request.user,
                unit=unit,
                on=form.cleaned_data["on"],
                successor=form.cleaned_data["successor"],
            )
        except VanphongError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã đóng đơn vị {unit.name}.")
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_close.html", {"form": form, "unit": unit})


# ---------------------------------------------------------------------------------------------- import


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Pick the unit (usually the province) whose tree to import; straight through when there is one."""
    scopes = _admin_scopes(request.user)
    if not scopes:
        raise PermissionDenied("Chỉ quản trị viên mới được nhập cây tổ chức.")
    if len(scopes) == 1:
        return redirect("org:unit_import", pk=scopes[0].pk)
    return render(request, "org/unit_import_start.html", {"scopes": scopes})


def _pending(request: HttpRequest, root: Unit) -> dict[str, Any] | None:
    """The uploaded file waiting for confirmation: only our own temp files, only for this root."""
    data = request.session.get(IMPORT_SESSION_KEY)
    if not isinstance(data, dict) or data.get("root") != root.pk:
        return None
    path = Path(str(data.get("path", "")))
    if path.parent != Path(tempfile.gettempdir()) or not path.name.startswith(IMPORT_TEMP_PREFIX):
        return None
    return data if path.is_file() else None


def _discard(request: HttpRequest) -> None:
    data = request.session.pop(IMPORT_SESSION_KEY, None)
    if isinstance(data, dict) and data.get("path"):
        path = Path(str(data["path"]))
        if path.parent == Path(tempfile.gettempdir()) and path.name.startswith(IMPORT_TEMP_PREFIX):
            with contextlib.suppress(OSError):
                path.unlink()


@login_required
def unit_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → preview (dry run, errors per row) → confirm. The file lives in a temp file until then."""
    root = _unit_for_admin(request, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = ImportUploadForm()
    context: dict[str, Any] = {"root": root, "form": form, "report": None, "filename": ""}
    if action == "cancel":
        _discard(request)
        messages.info(request, "Đã hủy việc nhập.")
        return redirect("org:unit_import", pk=root.pk)
    if action == "upload":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            _discard(request)
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            fd, name = tempfile.mkstemp(prefix=IMPORT_TEMP_PREFIX, suffix=suffix)
            with os.fdopen(fd, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            request.session[IMPORT_SESSION_KEY] = {"path": name, "name": upload.name, "root": root.pk}
            report = org_import(
                path=Path(name), filename=upload.name, actor=request.user, dry_run=True, root=root
            )
            if not report.ok:
                _discard(request)
            context.update(report=report, filename=upload.name)
    elif action == "confirm":
        pending = _pending(request, root)
        if pending is None:
            messages.error(
                request, "Không còn tệp chờ nhập (phiên đã hết hạn hoặc đã nhập). Hãy tải tệp lên lại."
            )
            return redirect("org:unit_import", pk=root.pk)
        report = org_import(
            path=Path(pending["path"]), filename=pending["name"], actor=request.user, root=root
        )
        _discard(request)
        if report.ok:
            messages.success(
                request,
                f"Đã nhập tệp {pending['name']}: thêm {report.created}, cập nhật {report.updated}, "
                f"giữ nguyên {report.unchanged} đơn vị.",
            )
            return redirect("org:unit_detail", pk=root.pk)
        context.update(report=report, filename=pending["name"])
    return render(request, "org/unit_import.html", context)
