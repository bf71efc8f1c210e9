"""The security officer's desk (/an-ninh/): failed logins and lockouts, alerts, access to classified items, the
audit-chain and storage fixity checks (run as background jobs), and incidents with their four steps.

Only security officers (and superusers) see it; anyone else gets 404, as for the audit trail. Every read is
scoped to the officer's units (``access``); every write goes through ``services`` (or ``jobs.services``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vanphong.core.exceptions import VanphongError
from vanphong.jobs import services as job_services

from . import selectors
from .access import (
    access_alert,
    access_incident,
    alerts_visible_to,
    can_use_desk,
    incident_units,
    incidents_visible_to,
)
from .forms import AdvanceForm, IncidentForm
from .models import STAGE_ORDER, IncidentStage
from .services import alert_acknowledge, incident_advance, incident_create

ALERTS_SHOWN = 30
INCIDENTS_SHOWN = 20


def _officer(request: HttpRequest) -> Any:
    if not can_use_desk(request.user):
        raise Http404
    return request.user


def _checks_context() -> dict[str, Any]:
    checks = selectors.integrity_checks()
    return {"checks": checks, "checks_active": any(c.active for c in checks)}


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """Bàn làm việc an ninh thông tin: every section on one page, most urgent first."""
    user = _officer(request)
    alerts = list(
        alerts_visible_to(user)
        .select_related("user", "acknowledged_by")
        .order_by("acknowledged_at", "-created_at", "-pk")[:ALERTS_SHOWN]
    )
    incidents = list(
        incidents_visible_to(user).select_related("unit").order_by("-detected_at", "-pk")[:INCIDENTS_SHOWN]
    )
    context = {
        "alerts": alerts,
        "open_alerts": sum(1 for a in alerts if a.acknowledged_at is None),
        "failed": selectors.failed_logins(user),
        "failed_count": selectors.failed_login_count(user),
        "locked": selectors.locked_users(user),
        "events": selectors.access_events(user),
        "incidents": incidents,
        "open_incidents": sum(1 for i in incidents if not i.closed),
        **_checks_context(),
    }
    return render(request, "security/desk.html", context)


@login_required
@require_POST
def alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    alert = access_alert(user, pk)
    try:
        alert = alert_acknowledge(actor=user, alert=alert)
    except VanphongError as exc:
        if not getattr(request, "htmx", False):
            messages.error(request, exc.message)
        alert.refresh_from_db()
    if getattr(request, "htmx", False):
        return render(request, "security/_alert_row.html", {"a": alert})
    messages.success(request, "Đã xác nhận cảnh báo.")
    return redirect("security:desk")


@login_required
def checks(request: HttpRequest) -> HttpResponse:
    """HTMX partial: the last integrity checks, polled while one is running."""
    _officer(request)
    return render(request, "security/_checks.html", _checks_context())


@login_required
@require_POST
def check_run(request: HttpRequest) -> HttpResponse:
    """Start the audit-chain or the storage check in the background (it may take long on a large office)."""
    user = _officer(request)
    name = request.POST.get("name", "")
    if name not in selectors.CHECKS:
        raise Http404
    htmx = getattr(request, "htmx", False)
    try:
        spec = job_services.job_enqueue(actor=user, name=name)
    except VanphongError as exc:
        messages.error(request, exc.message)  # shown on the next full page, also after an HTMX click
    else:
        if not htmx:
            messages.success(request, f"Đã bắt đầu «{spec.label}». Kết quả hiện ở mục Kiểm tra toàn vẹn.")
    if htmx:
        return render(request, "security/_checks.html", _checks_context())
    return redirect(f"{reverse('security:desk')}#kiem-tra")


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    units = incident_units(user)
    open_alerts = alerts_visible_to(user).filter(acknowledged_at__isnull=True)
    form = IncidentForm(request.POST or None, units=units, alerts=open_alerts)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            incident = incident_create(
                actor=user,
                title=d["title"],
                description=d["description"],
                severity=d["severity"],
                unit=d["unit"],
                detected_at=d["detected_at"],
                alerts=list(d["alerts"]),
            )
        except VanphongError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Đã ghi nhận sự cố.")
            return redirect("security:incident_detail", pk=incident.pk)
    return render(request, "security/incident_form.html", {"form": form})


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident: the four steps with their notes, related alerts, the form for the next step, its audit trail."""
    user = _officer(request)
    incident = access_incident(user, pk)
    labels = dict(IncidentStage.choices)
    reached = STAGE_ORDER.index(incident.stage)
    steps = [
        {"code": IncidentStage.DETECTED, "label": labels[IncidentStage.DETECTED], "done": True,
         "note": incident.description, "at": incident.detected_at, "by": incident.reported_by},
        {"code": IncidentStage.CONTAINED, "label": labels[IncidentStage.CONTAINED], "done": reached >= 1,
         "note": incident.containment_notes, "at": incident.contained_at, "by": incident.contained_by},
        {"code": IncidentStage.RESOLVED, "label": labels[IncidentStage.RESOLVED], "done": reached >= 2,
         "note": incident.resolution_notes, "at": incident.resolved_at, "by": incident.resolved_by},
        {"code": IncidentStage.LESSONS, "label": labels[IncidentStage.LESSONS], "done": reached >= 3,
         "note": incident.lessons_notes, "at": incident.lessons_at, "by": incident.lessons_by},
    ]  # fmt: skip
    next_stage = incident.next_stage
    return render(
        request,
        "security/incident_detail.html",
        {
            "incident": incident,
            "steps": steps,
            "next_label": labels.get(next_stage or "", ""),
            "form": AdvanceForm(initial={"stage": incident.stage}) if next_stage else None,
            "alerts": list(incident.alerts.select_related("user")),
            "history": selectors.incident_history(incident),
        },
    )


@login_required
@require_POST
def incident_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    incident = access_incident(user, pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cần ghi nội dung của bước này.")
    else:
        try:
            incident = incident_advance(
                actor=user,
                incident=incident,
                note=form.cleaned_data["note"],
                expected_stage=form.cleaned_data["stage"],
            )
        except VanphongError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Đã chuyển sự cố sang bước «{incident.get_stage_display()}».")
    return redirect("security:incident_detail", pk=incident.pk)
