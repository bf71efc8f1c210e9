"""Reads of the catalogues: the registry of catalogue pages and the lookups other apps use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Count, QuerySet

from vanphong.org.models import Unit

from .models import (
    AuthorityRule,
    CalendarException,
    DocumentType,
    HolidayRule,
    IssuerSymbol,
    NumberBook,
    RetentionPeriod,
    ReviewStep,
    SecrecyLevel,
    Term,
    Urgency,
)


@dataclass(frozen=True)
class Catalog:
    """One catalogue page: its model, the columns of its table and the related rows to fetch with it."""

    slug: str
    label: str
    model: type[models.Model]
    columns: tuple[str, ...]
    description: str = ""
    select_related: tuple[str, ...] = field(default_factory=tuple)
    prefetch: tuple[str, ...] = field(default_factory=tuple)

    def queryset(self) -> QuerySet:
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        return qs

    def headers(self) -> list[str]:
        return [str(getattr(self.model._meta.get_field(c), "verbose_name", c)) for c in self.columns]


CATALOGS: dict[str, Catalog] = {
    c.slug: c
    for c in [
        Catalog(
            "the-loai",
            "Thể loại văn bản",
            DocumentType,
            ("code", "name", "party_abbr", "state_abbr", "rank"),
            "Tên loại và chữ viết tắt theo kiểu Đảng (36-HD/VPTW) và nhà nước (NĐ 30/2020).",
        ),
        Catalog(
            "ky-hieu",
            "Ký hiệu cơ quan ban hành",
            IssuerSymbol,
            ("symbol", "name", "issuer_kind", "unit"),
            "TU, VPTU, BTGTU, UBKTTU, ĐU …",
            select_related=("unit",),
        ),
        Catalog(
            "tham-quyen",
            "Thẩm quyền ban hành",
            AuthorityRule,
            ("issuer_kind", "document_type"),
            "Loại chủ thể nào được ban hành thể loại nào (66-QĐ/TW Điều 7).",
            select_related=("document_type",),
        ),
        Catalog(
            "nhiem-ky",
            "Nhiệm kỳ",
            Term,
            ("unit", "name", "start", "end"),
            "Nhiệm kỳ cấp ủy — sổ văn bản Đảng đánh số lại từ 01 mỗi nhiệm kỳ.",
            select_related=("unit",),
        ),
        Catalog(
            "so-van-ban",
            "Sổ văn bản",
            NumberBook,
            ("name", "unit", "document_types", "style", "reset", "secret_sequence"),
            "Đơn vị, thể loại, cách đánh số và thời điểm bắt đầu lại từ số 01.",
            select_related=("unit", "issuer_symbol"),
            prefetch=("document_types",),
        ),
        Catalog(
            "quy-trinh-duyet",
            "Quy trình thẩm định, duyệt",
            ReviewStep,
            ("document_type", "unit", "order", "name", "role"),
            "Các bước thẩm định, duyệt dự thảo văn bản đi theo thể loại (quy chế làm việc của từng cơ quan). "
            "Bước để trống thể loại áp dụng cho mọi thể loại; bước cùng thứ tự cho ý kiến song song.",
            select_related=("document_type", "unit"),
        ),
        Catalog("do-khan", "Độ khẩn", Urgency, ("code", "name", "edxml_priority", "rank")),
        Catalog("do-mat", "Độ mật", SecrecyLevel, ("code", "name", "rank")),
        Catalog("thoi-han-bao-quan", "Thời hạn bảo quản", RetentionPeriod, ("code", "name", "years")),
        Catalog(
            "ngay-le",
            "Ngày nghỉ lễ, tết",
            HolidayRule,
            ("name", "calendar", "day", "month", "length_days", "offset_days", "compensate_weekend"),
            "Quy tắc tính ngày nghỉ; Tết và Giỗ Tổ theo âm lịch.",
        ),
        Catalog(
            "hoan-doi",
            "Ngày hoán đổi, làm bù",
            CalendarException,
            ("date", "kind", "name", "replaces_rule"),
            "Lịch nghỉ chính thức hằng năm (hoán đổi ngày làm việc).",
            select_related=("replaces_rule",),
        ),
    ]
}


def catalog_or_none(slug: str) -> Catalog | None:
    return CATALOGS.get(slug)


def catalog_summaries() -> list[dict[str, object]]:
    """Every catalogue with its entry counts and the distinct sources cited (for the index page)."""
    out = []
    for c in CATALOGS.values():
        mgr = c.model._default_manager
        counts = mgr.aggregate(total=Count("pk"), active=Count("pk", filter=models.Q(active=True)))
        sources = list(
            mgr.filter(active=True).values("source").annotate(n=Count("pk")).order_by("-n", "source")[:3]
        )
        out.append({"catalog": c, "total": counts["total"], "active": counts["active"], "sources": sources})
    return out


def authority_allows(issuer_kind: str, document_type: DocumentType) -> bool:
    """Whether a body of ``issuer_kind`` may issue ``document_type`` (the authority matrix)."""
    return AuthorityRule.objects.filter(
        issuer_kind=issuer_kind, document_type=document_type, active=True
    ).exists()


def document_type_by_abbr(abbr: str, *, style: str = "party") -> DocumentType | None:
    """The document type whose abbreviation (Party or State style) is ``abbr``, active ones first."""
    lookup = "party_abbr" if style == "party" else "state_abbr"
    return DocumentType.objects.filter(**{lookup: abbr}).order_by("-active", "rank").first()


def active_terms(unit_id: int, on: date) -> QuerySet[Term]:
    return Term.objects.filter(unit_id=unit_id, active=True, start__lte=on).filter(
        models.Q(end__isnull=True) | models.Q(end__gte=on)
    )


def number_books_for_unit(unit_id: int) -> QuerySet[NumberBook]:
    return NumberBook.objects.filter(unit_id=unit_id, active=True).prefetch_related("document_types")


def review_flow(document_type: DocumentType, unit: Unit) -> list[ReviewStep]:
    """The active review steps for a draft of ``document_type`` issued by ``unit``, in order.

    General steps (no type) and the type's own steps together. When steps are declared for the unit or one of
    its ancestors, those of the deepest such unit replace the steps declared for every unit.
    """
    ancestors = unit.ancestor_ids
    steps = list(
        ReviewStep.objects.filter(active=True)
        .filter(models.Q(document_type__isnull=True) | models.Q(document_type=document_type))
        .filter(models.Q(unit__isnull=True) | models.Q(unit_id__in=ancestors))
        .select_related("document_type", "unit")
    )
    scoped = [s for s in steps if s.unit_id is not None]
    if scoped:
        deepest = max(scoped, key=lambda s: s.unit.depth if s.unit else -1).unit_id
        steps = [s for s in steps if s.unit_id == deepest]
    else:
        steps = [s for s in steps if s.unit_id is None]
    return sorted(steps, key=lambda s: (s.order, s.pk))
