"""The registry's documents in the shared search index (issue 4): each văn bản đến / văn bản đi becomes a
``SearchRecord`` with the NĐ 30/2020 Phụ lục VI fields that apply, and ``acl`` tokens that restate
``registry.access`` one rule per token, so the index trims exactly as the pages do:

=====================  =====================================================  ==================================
token on the record    granted by                                             held by
=====================  =====================================================  ==================================
``reg:<unit>``         every unit from the root down to the register's unit   văn thư, lãnh đạo văn phòng,
                                                                              lãnh đạo cấp ủy, lưu trữ over it
``user:<id>``          incoming: a personal grant (routed to the person);     that user
                       outgoing: drafter, signer, every reviewer
``hand:<unit>``        incoming: every unit above (and incl.) a unit the      lãnh đạo đơn vị or văn thư of it
                       document was routed to
``lead:<unit>``        outgoing: every unit above (and incl.) the issuing     lãnh đạo đơn vị over it
                       unit
=====================  =====================================================  ==================================

``secrecy_rank`` is the document's độ mật; the viewer's clearance must cover it (checked in the query too).
Documents are announced with ``index_incoming`` / ``index_outgoing`` from the services, after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from vanphong.accounts.access import role_scopes
from vanphong.search.base import SearchRecord
from vanphong.search.services import search_index_later
from vanphong.search.sources import Source, register_source

from .access import REGISTER_ROLES, UNIT_HANDLER_ROLES
from .models import IncomingDocument, IncomingGrant, OutgoingDocument, OutgoingReview, OutgoingStatus

INCOMING, OUTGOING = "incoming", "outgoing"


def _ancestors(path: str) -> list[str]:
    return [x for x in path.strip("/").split("/") if x]


def index_incoming(ids: Iterable[int]) -> None:
    search_index_later(INCOMING, ids)


def index_outgoing(ids: Iterable[int]) -> None:
    search_index_later(OUTGOING, ids)


def _extra(pairs: list[tuple[str, Any]]) -> dict[str, str]:
    return {label: str(value) for label, value in pairs if value not in (None, "", 0)}


def incoming_records(ids: list[int]) -> list[SearchRecord]:
    docs = IncomingDocument.objects.filter(pk__in=ids).select_related(
        "unit", "document_type", "urgency", "secrecy"
    )
    grants: dict[int, set[str]] = {}
    for g in IncomingGrant.objects.filter(document_id__in=ids).select_related("unit"):
        tokens = grants.setdefault(g.document_id, set())
        if g.user_id:
            tokens.add(f"user:{g.user_id}")
        if g.unit is not None:
            tokens |= {f"hand:{a}" for a in _ancestors(g.unit.path)}
    out = []
    for d in docs:
        acl = {f"reg:{a}" for a in _ancestors(d.unit.path)} | grants.get(d.pk, set())
        arrived = timezone.localtime(d.arrived_at).date()
        out.append(
            SearchRecord(
                key=f"{INCOMING}:{d.pk}",
                kind=INCOMING,
                kind_label="Văn bản đến",
                object_id=d.pk,
                url=reverse("registry:incoming_detail", args=[d.pk]),
                title=d.subject,
                number_symbol=d.number_symbol,
                doc_type=d.document_type.name if d.document_type else "",
                issuer=d.issuer_name,
                signer=d.signer_name,
                unit_id=d.unit_id,
                unit_label=d.unit.name,
                doc_date=d.issued_date or arrived,
                secrecy_rank=d.secrecy_rank,
                secrecy_label=d.secrecy.name if d.secrecy else "",
                status=d.status,
                status_label=d.get_status_display(),
                body=d.text,
                extra=_extra(
                    [
                        ("Số đến", f"{d.arrival_number}/{d.arrival_year}"),
                        ("Ngày đến", f"{arrived:%d/%m/%Y}"),
                        ("Độ khẩn", d.urgency.name if d.urgency else ""),
                        ("Số trang", d.page_count),
                    ]
                ),
                acl=frozenset(acl),
            )
        )
    return out


def outgoing_records(ids: list[int]) -> list[SearchRecord]:
    docs = (
        OutgoingDocument.objects.filter(pk__in=ids)
        .exclude(status=OutgoingStatus.CANCELLED)
        .select_related("unit", "document_type", "urgency", "secrecy")
    )
    reviewers: dict[int, set[str]] = {}
    for doc_id, user_id in OutgoingReview.objects.filter(
        document_id__in=ids, reviewer__isnull=False
    ).values_list("document_id", "reviewer_id"):
        reviewers.setdefault(doc_id, set()).add(f"user:{user_id}")
    out = []
    for d in docs:
        ancestors = _ancestors(d.unit.path)
        acl = {f"reg:{a}" for a in ancestors} | {f"lead:{a}" for a in ancestors} | reviewers.get(d.pk, set())
        acl |= {f"user:{u}" for u in (d.drafted_by_id, d.signer_id) if u}
        out.append(
            SearchRecord(
                key=f"{OUTGOING}:{d.pk}",
                kind=OUTGOING,
                kind_label="Văn bản đi",
                object_id=d.pk,
                url=reverse("registry:outgoing_detail", args=[d.pk]),
                title=d.subject,
                number_symbol=d.number_symbol,
                doc_type=d.document_type.name if d.document_type else "",
                issuer=d.unit.name,
                signer=d.signer_name,
                unit_id=d.unit_id,
                unit_label=d.unit.name,
                doc_date=d.issued_date or timezone.localtime(d.created_at).date(),
                secrecy_rank=d.secrecy_rank,
                secrecy_label=d.secrecy.name if d.secrecy else "",
                status=d.status,
                status_label=d.get_status_display(),
                body=d.text,
                extra=_extra([("Độ khẩn", d.urgency.name if d.urgency else ""), ("Số bản", d.copies)]),
                acl=frozenset(acl),
            )
        )
    return out


def incoming_principals(user: Any) -> set[str]:
    tokens = {f"reg:{u.pk}" for u in role_scopes(user, *REGISTER_ROLES)}
    tokens |= {f"hand:{u.pk}" for u in role_scopes(user, *UNIT_HANDLER_ROLES)}
    tokens.add(f"user:{user.pk}")
    return tokens


def outgoing_principals(user: Any) -> set[str]:
    from vanphong.accounts.models import Role

    tokens = {f"reg:{u.pk}" for u in role_scopes(user, *REGISTER_ROLES)}
    tokens |= {f"lead:{u.pk}" for u in role_scopes(user, Role.UNIT_LEADER)}
    tokens.add(f"user:{user.pk}")
    return tokens


def register_sources() -> None:
    register_source(
        Source(
            kind=INCOMING,
            label="Văn bản đến",
            ids=lambda: IncomingDocument.objects.order_by("pk").values_list("pk", flat=True).iterator(),
            records=incoming_records,
            principals=incoming_principals,
        )
    )
    register_source(
        Source(
            kind=OUTGOING,
            label="Văn bản đi",
            ids=lambda: (
                OutgoingDocument.objects.exclude(status=OutgoingStatus.CANCELLED)
                .order_by("pk")
                .values_list("pk", flat=True)
                .iterator()
            ),
            records=outgoing_records,
            principals=outgoing_principals,
        )
    )
