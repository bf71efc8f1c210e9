"""Panels of the home page. Each panel is a dict: title, template, context; shown when its role matches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from vanphong.accounts import access
from vanphong.accounts.models import Delegation, Role, User
from vanphong.catalogs.holidays import upcoming_days_off, working_calendar
from vanphong.core.lunar import solar_to_lunar
from vanphong.core.models import AuditRecord
from vanphong.jobs.selectors import job_counts
from vanphong.org.selectors import org_stats

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def _today_panel() -> dict[str, Any]:
    today = timezone.localdate()
    cal = working_calendar()
    lunar = solar_to_lunar(today)
    return {
        "template": "dashboards/panel_today.html",
        "title": "Hôm nay",
        "weekday": WEEKDAYS[today.weekday()],
        "today": today,
        "lunar": lunar,
        "is_working": cal.is_working_day(today),
        "deadline_5": cal.add_working_days(today, 5),
        "deadline_10": cal.add_working_days(today, 10),
        "upcoming": upcoming_days_off(today, limit=3),
    }


def home_panels(user: User) -> list[dict[str, Any]]:
    roles = access.role_codes(user)
    panels = [_today_panel()]
    today = timezone.localdate()
    delegated = Delegation.objects.active(today).filter(grantee=user).select_related("grantor", "unit")
    if delegated:
        panels.append(
            {
                "template": "dashboards/panel_delegations.html",
                "title": "Đang được ủy quyền",
                "items": list(delegated),
            }
        )
    if user.is_superuser or roles & {Role.ADMIN}:
        panels.append(
            {
                "template": "dashboards/panel_admin.html",
                "title": "Quản trị hệ thống",
                "stats": org_stats(),
                "users": access.users_manageable_by(user).count(),
                "locked": access.users_manageable_by(user).filter(locked_until__gt=timezone.now()).count(),
                "jobs": job_counts(),
            }
        )
    if access.can_read_audit(user):
        since = timezone.now() - timedelta(days=1)
        qs = AuditRecord.objects.filter(at__gte=since)
        panels.append(
            {
                "template": "dashboards/panel_security.html",
                "title": "An ninh thông tin — 24 giờ qua",
                "failed": qs.filter(action__in=["auth.login.failed", "auth.totp.failed"]).count(),
                "lockouts": qs.filter(action="auth.login.lockout").count(),
                "logins": qs.filter(action="auth.login").count(),
                "recent": list(AuditRecord.objects.defer("before", "after")[:8]),
            }
        )
    panels.append({"template": "dashboards/panel_work.html", "title": "Công việc của tôi", "roles": roles})
    return panels
