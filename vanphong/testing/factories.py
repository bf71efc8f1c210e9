"""Factories shared by tests: units and users with roles, no network, no fixtures files."""

from __future__ import annotations

import itertools
from typing import Any

from vanphong.accounts.models import User
from vanphong.accounts.services import user_create
from vanphong.org.models import Unit, UnitLevel
from vanphong.org.services import central_unit_ensure, unit_create

_seq = itertools.count(1)


def make_province(name: str | None = None, stats_code: str | None = None) -> Unit:
    n = next(_seq)
    return unit_create(
        actor=None,
        name=name or f"Tỉnh ủy Thử nghiệm {n}",
        short_name="TU",
        stats_code=stats_code or f"9{n:03d}",
        level=UnitLevel.PROVINCE,
        parent=central_unit_ensure(),
    )


def make_unit(parent: Unit, name: str | None = None, level: str = UnitLevel.DEPARTMENT, **kw: Any) -> Unit:
    return unit_create(actor=None, parent=parent, name=name or f"Phòng {next(_seq)}", level=level, **kw)


def make_user(unit: Unit, roles: list[str] | None = None, username: str | None = None, **kw: Any) -> User:
    n = next(_seq)
    kw.setdefault("full_name", f"Người Dùng {n}")
    return user_create(
        actor=None,
        username=username or f"user{n}",
        unit=unit,
        password="Mat-khau-thu-1",
        roles=roles or [],
        check_password=False,
        **kw,
    )


def login(client: Any, user: User, *, two_factor: bool = True) -> Any:
    """Log a test client in, as if the password and (when required) the code step had passed."""
    client.force_login(user)
    session = client.session
    session["vp_otp_ok"] = two_factor
    session.save()
    return client
