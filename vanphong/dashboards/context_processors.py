"""Navigation for the base layout, by role. Links to modules a role cannot use are not shown."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from vanphong.accounts.access import role_codes
from vanphong.accounts.models import Role

# (label, url name, roles that see it; empty = everyone)
NAV: list[tuple[str, str, frozenset[str]]] = [
    ("Trang chủ", "dashboards:home", frozenset()),
    ("Văn bản cần xử lý", "routing:inbox", frozenset()),
    ("Văn bản đến", "registry:incoming_list", frozenset()),
    ("Văn bản đi", "registry:outgoing_list", frozenset()),
    ("Tìm kiếm", "search:results", frozenset()),
    (
        "Sổ văn bản",
        "registry:register_index",
        frozenset({Role.CLERK, Role.OFFICE_LEADER, Role.COMMITTEE_LEADER, Role.ARCHIVIST}),
    ),
    ("Tổ chức, đơn vị", "org:unit_list", frozenset()),
    ("Người dùng", "accounts:user_list", frozenset({Role.ADMIN, Role.SECURITY})),
    ("Ủy quyền", "accounts:delegation_list", frozenset()),
    ("Danh mục, quy tắc", "catalogs:index", frozenset()),
    ("Lịch làm việc", "catalogs:workdays", frozenset()),
    ("An ninh", "security:desk", frozenset({Role.SECURITY})),
    ("Nhật ký hệ thống", "accounts:audit", frozenset({Role.SECURITY})),
    ("Tác vụ nền", "jobs:list", frozenset({Role.ADMIN, Role.SECURITY})),
    ("Tài khoản của tôi", "accounts:profile", frozenset()),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = role_codes(user)
    items: list[dict[str, Any]] = []
    for label, name, needed in NAV:
        if needed and not (user.is_superuser or roles & needed):
            continue
        try:
            url = str(reverse(name))
        except NoReverseMatch:  # a module not installed in this deployment
            continue
        items.append({"label": label, "url": url, "active": False})
    # The longest matching link is the active one (/danh-muc/lich-lam-viec/ is not also /danh-muc/).
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items, "user_roles": roles}
