"""Log in (password, then a code for those who need two-factor), profile, users, delegation, audit page."""

from __future__ import annotations

import io
import logging
from datetime import datetime, time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanphong.core import ratelimit
from vanphong.core.exceptions import VanphongError
from vanphong.core.middleware import client_ip
from vanphong.core.models import AuditRecord
from vanphong.org.models import Unit

from . import access, services
from .forms import (
    AuditFilterForm,
    DelegationForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    UserFilterForm,
    UserForm,
)
from .middleware import OTP_OK
from .models import Delegation, Role, RoleAssignment, User

PENDING = "vp_pending_user"
security_log = logging.getLogger("vanphong.security")


def _querystring_without_page(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _finish_login(request: HttpRequest, user: User, *, two_factor: bool) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend="vanphong.accounts.backends.LockoutModelBackend")
    request.session[OTP_OK] = two_factor
    services.login_record(user=user, two_factor=two_factor)
    nxt = request.session.pop("vp_next", "") or settings.LOGIN_REDIRECT_URL
    return redirect(nxt if isinstance(nxt, str) and nxt.startswith("/") and not nxt.startswith("//") else "/")


def _login_limits(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    """Rate-limit keys of a login attempt: failures per client address and per user name (settings)."""
    return [
        (f"login:ip:{client_ip(request) or '-'}", settings.VANPHONG_LOGIN_RATE_IP),
        (f"login:user:{username.strip().casefold()}", settings.VANPHONG_LOGIN_RATE_USERNAME),
    ]


def _rate_limited(request: HttpRequest, template: str, context: dict[str, Any], limits: list[tuple[str, int]]
                  ) -> HttpResponse | None:  # fmt: skip
    """The page again with status 429 and ``Retry-After`` when one of ``limits`` is used up, else ``None``."""
    window = settings.VANPHONG_LOGIN_RATE_WINDOW_SECONDS
    blocked = [r for key, limit in limits if not (r := ratelimit.peek(key, limit, window)).allowed]
    if not blocked:
        return None
    wait = max(r.retry_after for r in blocked)
    security_log.warning(
        "rate limit on %s from %s: %s", request.path, client_ip(request), [k for k, _ in limits]
    )
    error = (
        "Đã nhập sai quá nhiều lần từ máy này hoặc cho tài khoản này. "
        f"Vui lòng thử lại sau {ratelimit.wait_text(wait)}."
    )
    response = render(request, template, {**context, "error": error}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _count_failure(limits: list[tuple[str, int]]) -> None:
    for key, limit in limits:
        ratelimit.hit(key, limit, settings.VANPHONG_LOGIN_RATE_WINDOW_SECONDS)


def login_view(request: HttpRequest) -> HttpResponse:
    """Password step. Failures are counted per address and per user name besides the account lockout; past the
    limit the page answers 429 without checking the password."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        limits = _login_limits(request, form.cleaned_data["username"])
        if limited := _rate_limited(request, "accounts/login.html", {"form": form}, limits):
            return limited
        outcome = services.login_attempt(
            request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if outcome.user is None:
            _count_failure(limits)
            error = outcome.error
        else:
            user = outcome.user
            ratelimit.reset(limits[1][0], settings.VANPHONG_LOGIN_RATE_WINDOW_SECONDS)
            request.session["vp_next"] = request.GET.get("next", "")
            if not access.requires_two_factor(user):
                return _finish_login(request, user, two_factor=False)
            request.session.cycle_key()
            request.session[PENDING] = user.pk
            if user.totp_confirmed:
                return redirect("accounts:otp")
            return redirect("accounts:otp_setup")
    return render(request, "accounts/login.html", {"form": form, "error": error})


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING)
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def otp_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or not user.totp_confirmed:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        limits = [(f"otp:user:{user.pk}", settings.VANPHONG_OTP_RATE)]
        context = {"form": form, "pending": user}
        if limited := _rate_limited(request, "accounts/otp.html", context, limits):
            return limited
        if services.totp_check(user=user, code=form.cleaned_data["code"]):
            return _finish_login(request, user, two_factor=True)
        _count_failure(limits)
        error = "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã mới nhất trên ứng dụng xác thực."
    return render(request, "accounts/otp.html", {"form": form, "error": error, "pending": user})


def otp_setup_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if user.totp_confirmed:
        return redirect("accounts:otp")
    secret = services.totp_begin(user=user)
    form = OtpForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(user=user, code=form.cleaned_data["code"]):
            messages.success(request, "Đã bật xác thực hai lớp cho tài khoản.")
            return _finish_login(request, user, two_factor=True)
        error = "Mã xác thực không đúng. Kiểm tra đồng hồ điện thoại và nhập mã mới nhất."
    buf = io.BytesIO()
    segno.make(services.totp_uri(user), micro=False).save(buf, kind="svg", scale=4, xmldecl=False)
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "error": error, "secret": secret, "qr_svg": buf.getvalue().decode(), "pending": user},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("accounts:login")


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_set(actor=user, user=user, password=form.cleaned_data["new_password"])
        except VanphongError as exc:
            form.add_error("new_password", exc.message)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, user)
            messages.success(request, "Đã đổi mật khẩu.")
            return redirect("accounts:profile")
    roles = access.effective_roles(user)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "roles": roles, "needs_2fa": access.requires_two_factor(user)},
    )


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    if not (viewer.is_superuser or access.role_scopes(viewer, Role.ADMIN, Role.SECURITY)):
        raise Http404
    form = UserFilterForm(request.GET or None)
    qs = access.users_visible_to(viewer)
    if form.is_valid():
        if q := form.cleaned_data.get("q"):
            qs = qs.filter(Q(full_name__icontains=q) | Q(username__icontains=q))
        if role := form.cleaned_data.get("role"):
            qs = qs.filter(role_assignments__role=role).distinct()
        if (active := form.cleaned_data.get("active")) in ("0", "1"):
            qs = qs.filter(is_active=active == "1")
    page = Paginator(qs.order_by("unit__path", "full_name"), 50).get_page(request.GET.get("page"))
    can_create = viewer.is_superuser or bool(access.role_scopes(viewer, Role.ADMIN))
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page_obj": page,
            "can_create": can_create,
            "querystring_without_page": _querystring_without_page(request),
        },
    )


def _admin_units(viewer: User) -> Any:
    if viewer.is_superuser:
        return Unit.objects.active()
    q = Q(pk__in=[])
    for scope in access.role_scopes(viewer, Role.ADMIN):
        q |= Q(path__startswith=scope.path)
    return Unit.objects.active().filter(q)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    try:
        target = access.access_user(viewer, pk)
    except VanphongError as exc:
        raise Http404(exc.message) from exc
    can_manage = access.users_manageable_by(viewer).filter(pk=pk).exists()
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "can_manage": can_manage,
            "assignments": RoleAssignment.objects.filter(user=target).select_related("unit"),
            "locked": bool(target.locked_until and target.locked_until > timezone.now()),
        },
    )


@login_required
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    target = None
    if pk is not None:
        try:
            target = access.access_user_for_change(viewer, pk)
        except VanphongError as exc:
            raise Http404(exc.message) from exc
    elif not (viewer.is_superuser or access.role_scopes(viewer, Role.ADMIN)):
        raise Http404
    initial = (
        {
            "roles": list(
                RoleAssignment.objects.filter(user=target, unit=target.unit).values_list("role", flat=True)
            )
        }
        if target
        else {}
    )
    form = UserForm(request.POST or None, instance=target, units=_admin_units(viewer), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in UserForm.Meta.fields}
        roles = form.cleaned_data["roles"]
        try:
            if target is None:
                if not form.cleaned_data["password"]:
                    raise VanphongError("Cần đặt mật khẩu ban đầu cho người dùng mới.")
                target = services.user_create(
                    actor=viewer, password=form.cleaned_data["password"], roles=roles, **data
                )
            else:
                target = services.user_update(actor=viewer, user=target, **data)
                if form.cleaned_data["password"]:
                    services.password_set(actor=viewer, user=target, password=form.cleaned_data["password"])
                assert target.unit is not None
                current = set(
                    RoleAssignment.objects.filter(user=target, unit=target.unit).values_list(
                        "role", flat=True
                    )
                )
                for role in set(roles) - current:
                    services.role_assign(actor=viewer, user=target, role=role, unit=target.unit)
                for ra in RoleAssignment.objects.filter(
                    user=target, unit=target.unit, role__in=current - set(roles)
                ):
                    services.role_revoke(actor=viewer, assignment=ra)
        except VanphongError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã lưu người dùng {target}.")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    try:
        target = access.access_user_for_change(viewer, pk)
        if request.POST.get("what") == "totp":
            services.totp_reset(actor=viewer, user=target)
            messages.success(
                request, "Đã đặt lại xác thực hai lớp; người dùng sẽ đăng ký lại ở lần đăng nhập tới."
            )
        else:
            services.account_unlock(actor=viewer, user=target)
            messages.success(request, "Đã mở khóa tài khoản.")
    except VanphongError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:user_detail", pk=pk)


@login_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    own_roles = RoleAssignment.objects.filter(user=viewer).select_related("unit")
    role_choices = sorted({(ra.role, ra.get_role_display()) for ra in own_roles})
    grantees = access.users_visible_to(viewer).exclude(pk=viewer.pk).filter(is_active=True)
    form = DelegationForm(request.POST or None, grantees=grantees, roles=role_choices)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        scope = next((ra.unit for ra in own_roles if ra.role == role), None)
        try:
            if scope is None:
                raise VanphongError("Bạn không giữ vai trò này.")
            services.delegation_create(
                actor=viewer,
                grantee=form.cleaned_data["grantee"],
                role=role,
                unit=scope,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["reason"],
            )
        except VanphongError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã ủy quyền.")
            return redirect("accounts:delegation_list")
    items = Delegation.objects.filter(Q(grantor=viewer) | Q(grantee=viewer)).select_related(
        "grantor", "grantee", "unit"
    )
    return render(
        request,
        "accounts/delegation_list.html",
        {"form": form, "items": items, "can_delegate": bool(role_choices)},
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    d = Delegation.objects.filter(Q(grantor=viewer) | Q(grantee=viewer), pk=pk).first()
    if d is None:
        raise Http404
    try:
        services.delegation_revoke(actor=viewer, delegation=d)
        messages.success(request, "Đã thu hồi ủy quyền.")
    except VanphongError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:delegation_list")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Nhật ký hệ thống, for the security officer: filters by user, unit, object, action and date."""
    viewer: User = request.user  # type: ignore[assignment]
    if not access.can_read_audit(viewer):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    qs = AuditRecord.objects.all()
    scopes = access.audit_unit_scopes(viewer)
    if scopes is not None:
        q = Q(pk__in=[])
        for s in scopes:
            q |= Q(path__startswith=s.path)
        qs = qs.filter(unit_id__in=Unit.objects.filter(q).values("pk"))
    if form.is_valid():
        d = form.cleaned_data
        if d["user"]:
            qs = qs.filter(actor_label__icontains=d["user"])
        if d["unit"]:
            qs = qs.filter(unit_label__icontains=d["unit"])
        if d["object_type"]:
            qs = qs.filter(object_type__icontains=d["object_type"])
        if d["object_id"]:
            qs = qs.filter(object_id=d["object_id"])
        if d["action"]:
            qs = qs.filter(action__icontains=d["action"])
        tz = timezone.get_current_timezone()
        if d["date_from"]:
            qs = qs.filter(at__gte=datetime.combine(d["date_from"], time.min, tzinfo=tz))
        if d["date_to"]:
            qs = qs.filter(at__lte=datetime.combine(d["date_to"], time.max, tzinfo=tz))
    page = Paginator(qs.defer("before", "after"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": _querystring_without_page(request),
        },
    )


@login_required
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    if not access.can_read_audit(viewer):
        raise Http404
    record = AuditRecord.objects.filter(seq=seq).first()
    if record is None:
        raise Http404
    scopes = access.audit_unit_scopes(viewer)
    if scopes is not None:
        unit = Unit.objects.filter(pk=record.unit_id).first() if record.unit_id else None
        if unit is None or not any(unit.is_within(s) for s in scopes):
            raise Http404
    return render(request, "accounts/audit_detail.html", {"r": record})
