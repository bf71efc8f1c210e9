"""The parameters of the results page (and of ``GET /api/search/``): reading them, turning them into a
``SearchQuery``, and writing them back as links — each facet value, chip and page link keeps the others.

Parameters: ``q``, the facets (``kind``, ``doc_type``, ``issuer``, ``unit``, ``year``, ``secrecy``, ``status``;
repeatable, values of one facet combine with OR), ``date_from`` / ``date_to`` (dd/mm/yyyy), ``sort``, ``page``.
The "not secret" value of ``secrecy`` is written ``khong-mat`` (the index keeps it as an empty label).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms

from .base import FACETS, SORTS, SearchQuery, SearchResult
from .services_saved import QUERY_PARAMS
from .sources import all_sources

PAGE_SIZE = 20
MAX_PAGE = 500  # 10 000 results deep: enough for a person, bounded for the index
MAX_TEXT = 300
MAX_VALUES = 20  # per facet
VISIBLE_VALUES = 8  # per facet group before "Xem thêm"
NOT_SECRET = "khong-mat"  # noqa: S105 — the "not secret" value of the secrecy facet, not a password
UNAVAILABLE = (
    "Chỉ mục tìm kiếm chưa sẵn sàng nên chưa tìm được văn bản. "
    "Xin báo quản trị hệ thống chạy lệnh `vanphong search reindex`, rồi thử lại sau ít phút."
)

FACET_LABELS = {
    "kind": "Loại",
    "doc_type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "unit": "Đơn vị",
    "year": "Năm",
    "secrecy": "Độ mật",
    "status": "Trạng thái",
}
SORT_LABELS = {"relevance": "Liên quan nhất", "date_desc": "Mới nhất", "date_asc": "Cũ nhất"}
assert tuple(FACET_LABELS) == FACETS and tuple(SORT_LABELS) == SORTS  # kept in step with base.py

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
DATE_ERROR = "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2026."


class VietDateField(forms.DateField):
    """A date typed the Vietnamese way (ngày/tháng/năm). (The registry has the same field; search sits below
    the registry and cannot import it.)"""

    input_formats = DATE_FORMATS
    default_error_messages = {"invalid": DATE_ERROR}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "size": 10, "inputmode": "numeric"}
            ),
        )
        super().__init__(**kwargs)


class ValuesField(forms.Field):
    """A repeatable parameter (``?year=2024&year=2025``): trimmed, de-duplicated, at most ``MAX_VALUES``;
    ``numeric`` drops values that are not whole numbers (a stale or hand-made link never breaks the page)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, numeric: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        self.numeric = numeric
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        out: list[str] = []
        for v in value:
            v = str(v).strip()[:200]
            if v and v not in out and (not self.numeric or (v.isdigit() and len(v) < 10)):
                out.append(v)
        return out[:MAX_VALUES]


@dataclass
class FacetLink:
    value: str  # as written in the link (``khong-mat`` for "not secret")
    label: str
    count: int | None
    checked: bool
    url: str  # the query string with this value toggled


@dataclass
class FacetGroup:
    name: str
    label: str
    values: list[FacetLink] = field(default_factory=list)
    more: list[FacetLink] = field(default_factory=list)  # behind "Xem thêm"

    @property
    def checked_count(self) -> int:
        return sum(1 for v in self.values if v.checked)


@dataclass
class Chip:
    label: str
    url: str  # the query string without this filter


@dataclass
class Pager:
    page: int
    pages: int | None  # None when the total is a lower bound
    prev_url: str
    next_url: str

    @property
    def shown(self) -> bool:
        return bool(self.prev_url or self.next_url)


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True, label="Từ khóa")
    kind = ValuesField()
    doc_type = ValuesField()
    issuer = ValuesField()
    unit = ValuesField(numeric=True)
    year = ValuesField(numeric=True)
    secrecy = ValuesField()
    status = ValuesField()
    date_from = VietDateField(required=False, label="Từ ngày")
    date_to = VietDateField(required=False, label="Đến ngày")
    sort = forms.ChoiceField(required=False, choices=[("", ""), *SORT_LABELS.items()], label="Sắp xếp")
    page = forms.IntegerField(required=False, min_value=1)

    def clean_q(self) -> str:
        return " ".join(str(self.cleaned_data.get("q") or "").split())[:MAX_TEXT]

    def clean_page(self) -> int:
        return min(self.cleaned_data.get("page") or 1, MAX_PAGE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "“Đến ngày” phải sau “Từ ngày”.")
            data.pop("date_to", None)
        return data

    # --- what was asked ---------------------------------------------------------------------------------

    def value(self, name: str) -> Any:
        """The clean value of one parameter; an invalid one counts as absent (the page still answers)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name)

    @property
    def text(self) -> str:
        return self.value("q") or ""

    @property
    def page_number(self) -> int:
        return self.value("page") or 1

    @property
    def sort_value(self) -> str:
        return self.value("sort") or ("relevance" if self.text else "date_desc")

    def selected(self, facet: str) -> list[str]:
        return list(self.value(facet) or [])

    @property
    def has_filters(self) -> bool:
        return any(self.selected(f) for f in FACETS) or bool(self.value("date_from") or self.value("date_to"))

    def wants_number_jump(self) -> bool:
        """Only a bare query (no filter, sort or page): a number typed into the box opens the document."""
        return bool(self.text) and not (
            self.has_filters or self.value("sort") or self.data.get("page") or self.data.get("list")
        )

    def to_query(self, *, page_size: int = PAGE_SIZE, facets: bool = True) -> SearchQuery:
        def ints(name: str) -> tuple[int, ...]:
            return tuple(int(v) for v in self.selected(name))

        return SearchQuery(
            text=self.text,
            kinds=tuple(self.selected("kind")),
            doc_types=tuple(self.selected("doc_type")),
            issuers=tuple(self.selected("issuer")),
            unit_ids=ints("unit"),
            years=ints("year"),
            secrecy=tuple("" if v == NOT_SECRET else v for v in self.selected("secrecy")),
            statuses=tuple(self.selected("status")),
            date_from=self.value("date_from"),
            date_to=self.value("date_to"),
            sort=self.sort_value,
            offset=(self.page_number - 1) * page_size,
            limit=page_size,
            facets=facets,
        )

    # --- links ------------------------------------------------------------------------------------------

    def params(self) -> list[tuple[str, str]]:
        """The asked parameters, cleaned, in a stable order, without ``page``."""
        out: list[tuple[str, str]] = []
        for name in QUERY_PARAMS:
            v = self.value(name)
            if name in FACETS:
                out += [(name, x) for x in v or []]
            elif isinstance(v, date):
                out.append((name, v.strftime("%d/%m/%Y")))
            elif v:
                out.append((name, str(v)))
        return out

    @property
    def query_string(self) -> str:
        return urlencode(self.params())

    def link(
        self,
        *,
        drop: Iterable[tuple[str, str | None]] = (),
        add: Iterable[tuple[str, str]] = (),
        page: int | None = None,
    ) -> str:
        """``?…`` with the pairs of ``drop`` removed (value ``None``: every value of that name), ``add`` added."""
        dropped = list(drop)
        pairs = [
            (k, v)
            for k, v in self.params()
            if not any(k == dk and (dv is None or dv == v) for dk, dv in dropped)
        ]
        pairs += list(add)
        if page and page > 1:
            pairs.append(("page", str(page)))
        return "?" + urlencode(pairs)

    def facet_groups(self, result: SearchResult, labels: Mapping[tuple[str, str], str]) -> list[FacetGroup]:
        """Each facet with its values as checkable links; a checked value stays listed even without matches; a
        facet whose only value every hit shares is left out."""
        groups = []
        for name in FACETS:
            chosen = self.selected(name)
            links: list[FacetLink] = []
            for fv in result.facets.get(name, []):
                value = fv.value or (NOT_SECRET if name == "secrecy" else "")
                if not value:
                    continue
                links.append(self._facet_link(name, value, fv.label or value, fv.count, value in chosen))
            present = {link.value for link in links}
            for value in chosen:
                if value not in present:
                    links.append(self._facet_link(name, value, labels.get((name, value), value), None, True))
            if not links or (len(links) == 1 and not links[0].checked and links[0].count == result.total):
                continue  # one value every hit shares: it cannot narrow anything
            if name == "year":
                links.sort(key=lambda link: -int(link.value) if link.value.isdigit() else 0)
            visible, more = links[:VISIBLE_VALUES], links[VISIBLE_VALUES:]
            visible += [v for v in more if v.checked]
            groups.append(FacetGroup(name, FACET_LABELS[name], visible, [v for v in more if not v.checked]))
        return groups

    def _facet_link(self, name: str, value: str, label: str, count: int | None, checked: bool) -> FacetLink:
        url = self.link(drop=[(name, value)]) if checked else self.link(add=[(name, value)])
        return FacetLink(value, label, count, checked, url)

    def chips(self, labels: Mapping[tuple[str, str], str]) -> list[Chip]:
        """The active filters, each removable."""
        out = []
        for name in FACETS:
            for value in self.selected(name):
                label = labels.get((name, value), value)
                out.append(Chip(f"{FACET_LABELS[name]}: {label}", self.link(drop=[(name, value)])))
        for name, prefix in (("date_from", "Từ ngày"), ("date_to", "Đến ngày")):
            if d := self.value(name):
                out.append(Chip(f"{prefix} {d:%d/%m/%Y}", self.link(drop=[(name, None)])))
        return out

    def pager(self, result: SearchResult, *, page_size: int = PAGE_SIZE) -> Pager:
        page = self.page_number
        pages = max(1, -(-result.total // page_size)) if result.total_exact else None
        last = min(pages or MAX_PAGE, MAX_PAGE)
        more = page < last and (pages is not None or len(result.hits) == page_size)
        return Pager(
            page=page,
            pages=pages,
            prev_url=self.link(page=page - 1) if page > 1 else "",
            next_url=self.link(page=page + 1) if more else "",
        )


def facet_labels(
    result: SearchResult, unit_names: Mapping[int, str] | None = None
) -> dict[tuple[str, str], str]:
    """What each (facet, value) is called: from the results, else the source's name, else the unit's name."""
    labels: dict[tuple[str, str], str] = {("secrecy", NOT_SECRET): "Không mật"}
    labels |= {("kind", s.kind): s.label for s in all_sources()}
    labels |= {("unit", str(pk)): name for pk, name in (unit_names or {}).items()}
    for name, values in result.facets.items():
        for fv in values:
            value = fv.value or (NOT_SECRET if name == "secrecy" else "")
            if value:
                labels[(name, value)] = fv.label or value
    return labels
