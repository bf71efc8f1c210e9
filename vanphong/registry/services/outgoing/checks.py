"""The format check against the catalogue, and the review and issue queues."""

from __future__ import annotations

import re

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from vanphong.accounts.access import effective_roles, role_scopes
from vanphong.accounts.models import Role, User
from vanphong.catalogs.models import (
    AuthorityRule,
    IssuerKind,
    IssuerSymbol,
    NumberBook,
    NumberStyle,
)
from vanphong.catalogs.selectors import authority_allows
from vanphong.catalogs.services import format_symbol

from ...access import outgoing_visible_to
from ...models import (
    OutgoingDocument,
    OutgoingReview,
    OutgoingStatus,
    ReviewDecision,
)
from ._base import BEFORE_ISSUE, ISSUABLE, SRC_AUTHORITY_DEFAULT, SRC_HD36, SRC_NĐ30, FormatWarning
from .issue import _no_book_message, books_for
from .permissions import _labelled

# --- format check -------------------------------------------------------------------------------------------

PARTY_SYMBOL_RE = re.compile(r"^\d{2,}-[^\s/-]+/[^\s/]+$")  # 01-NQ/TU, 14-QĐ/UBKTTW
STATE_SYMBOL_RE = re.compile(r"^\d{2,}/(\d{4}/)?[^\s/]+$")  # 01/QĐ-UBND, 30/2020/NĐ-CP, 12/UBND-VP
STATE_SIGNATURE_RE = re.compile(r"(^|\s)(TM|KT|TL|TUQ)\.", re.IGNORECASE)
SECRET_MARK_RE = re.compile(r"^\s*(TUYỆT MẬT|TỐI MẬT|MẬT)\s*$", re.MULTILINE)


def _issuer_kinds(document: OutgoingDocument, book: NumberBook | None) -> list[IssuerSymbol]:
    if book is not None and book.issuer_symbol is not None and book.issuer_symbol.active:
        return [book.issuer_symbol]
    return list(IssuerSymbol.objects.filter(unit_id=document.unit_id, active=True))


def _authority_warnings(document: OutgoingDocument, book: NumberBook | None) -> list[FormatWarning]:
    doc_type = document.document_type
    symbols = _issuer_kinds(document, book)
    if not symbols:
        return [FormatWarning(
            "issuer_kind_missing",
            f"{document.unit.name} chưa khai báo ký hiệu và loại chủ thể ban hành (danh mục “Ký hiệu cơ quan "
            "ban hành”), nên chưa kiểm tra được thẩm quyền ban hành thể loại này.",
            "document_type", source=SRC_AUTHORITY_DEFAULT,
        )]  # fmt: skip
    kinds = {s.issuer_kind for s in symbols}
    declared = set(
        AuthorityRule.objects.filter(issuer_kind__in=kinds, active=True).values_list("issuer_kind", flat=True)
    )
    if any(authority_allows(k, doc_type) for k in kinds & declared):
        return []
    undeclared = kinds - declared
    if undeclared:
        labels = ", ".join(str(IssuerKind(k).label) for k in sorted(undeclared))
        return [FormatWarning(
            "authority_undeclared",
            f"Chưa khai báo thẩm quyền ban hành cho “{labels}”: chưa kiểm tra được thể loại "
            f"“{doc_type.name}”.", "document_type", source=SRC_AUTHORITY_DEFAULT,
        )]  # fmt: skip
    source = (
        AuthorityRule.objects.filter(issuer_kind__in=kinds, active=True)
        .values_list("source", flat=True)
        .first()
        or SRC_AUTHORITY_DEFAULT
    )
    who = "; ".join(f"{s.name or s.get_issuer_kind_display()} ({s.symbol})" for s in symbols)
    return [FormatWarning(
        "type_not_allowed",
        f"Thể loại “{doc_type.name}” không thuộc thẩm quyền ban hành của {who} theo ma trận thẩm quyền. "
        "Chọn thể loại khác hoặc chủ thể ban hành khác.",
        "document_type", blocking=True, source=source,
    )]  # fmt: skip


def _book_warnings(document: OutgoingDocument, books: list[NumberBook]) -> list[FormatWarning]:
    if not books:
        return [FormatWarning("no_book", _no_book_message(document), "number_book", source=SRC_NĐ30)]
    out: list[FormatWarning] = []
    doc_type = document.document_type
    for book in books:
        party = book.style == NumberStyle.PARTY
        abbr = book.type_abbr or (doc_type.party_abbr if party else doc_type.state_abbr)
        issuer = book.issuer_symbol.symbol if book.issuer_symbol else book.unit.short_name
        try:
            sample = format_symbol(
                book.template(), n=1, type_abbr=abbr, issuer=issuer, year=timezone.localdate().year
            )
        except (KeyError, IndexError, ValueError):
            out.append(FormatWarning("book_template", f"Mẫu số, ký hiệu của sổ “{book.name}” không hợp lệ.",
                                     "number_book"))  # fmt: skip
            continue
        if party and abbr and abbr == doc_type.state_abbr and abbr != doc_type.party_abbr:
            out.append(FormatWarning(
                "state_abbr_in_party_book",
                f"Sổ “{book.name}” dùng chữ viết tắt kiểu nhà nước “{abbr}” (ví dụ “{sample}”); văn bản Đảng "
                f"viết tắt “{doc_type.party_abbr or '…'}” theo 36-HD/VPTW.", "number_book", source=SRC_HD36,
            ))  # fmt: skip
        if party and not PARTY_SYMBOL_RE.match(sample):
            out.append(FormatWarning(
                "party_symbol_form",
                f"Sổ “{book.name}” cho số, ký hiệu “{sample}” — văn bản Đảng viết dạng “01-NQ/TU” (gạch nối giữa "
                "số và tên loại, gạch chéo trước cơ quan ban hành), không theo kiểu nhà nước “01/QĐ-UBND”.",
                "number_book", source=SRC_HD36,
            ))  # fmt: skip
        elif not party and not STATE_SYMBOL_RE.match(sample):
            out.append(FormatWarning(
                "state_symbol_form",
                f"Sổ “{book.name}” cho số, ký hiệu “{sample}” — văn bản nhà nước viết dạng “01/QĐ-UBND”.",
                "number_book", source="NĐ 30/2020/NĐ-CP Phụ lục I",
            ))  # fmt: skip
    return out


def outgoing_format_check(document: OutgoingDocument) -> list[FormatWarning]:
    """What the draft lacks or gets wrong against the format rules (36-HD/VPTW, NĐ 30/2020). Only a type outside
    the issuing body's authority blocks; everything else is advice the drafter can read and fix."""
    warnings: list[FormatWarning] = []
    doc_type = document.document_type
    books = books_for(document)
    party = not books or any(b.style == NumberStyle.PARTY for b in books)
    warnings += _authority_warnings(document, books[0] if len(books) == 1 else None)
    warnings += _book_warnings(document, books)
    if not document.subject.strip():
        warnings.append(
            FormatWarning("subject_missing", "Chưa có trích yếu nội dung.", "subject", True, SRC_HD36)
        )
    if doc_type.code == "cong-van" and not document.subject.lstrip().startswith("V/v"):
        warnings.append(FormatWarning(
            "cong_van_vv", "Trích yếu công văn bắt đầu bằng “V/v” (về việc), ví dụ “V/v tổ chức hội nghị …”.",
            "subject", source=f"{SRC_HD36} mục thể thức (5b)",
        ))  # fmt: skip
    if not document.signer_id and not document.signer_name:
        warnings.append(FormatWarning("signer_missing", "Chưa chọn người ký (họ tên, chức vụ, chữ ký).",
                                      "signer", source=f"{SRC_HD36} mục 1.7"))  # fmt: skip
    if not document.signer_title:
        warnings.append(FormatWarning(
            "signer_title_missing",
            "Chưa ghi quyền hạn, chức vụ người ký (ví dụ “T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ”, “K/T CHÁNH VĂN PHÒNG”).",
            "signer_title", source=f"{SRC_HD36} mục 1.7.1",
        ))  # fmt: skip
    elif party and STATE_SIGNATURE_RE.search(document.signer_title):
        warnings.append(FormatWarning(
            "signer_title_state_form",
            f"“{document.signer_title}” viết kiểu nhà nước (TM., KT., TL.); văn bản Đảng viết T/M, K/T, T/L.",
            "signer_title", source=f"{SRC_HD36} mục 1.7.1",
        ))  # fmt: skip
    if not document.pk or not document.recipients.exists():
        warnings.append(FormatWarning("recipients_missing", "Chưa có nơi nhận.", "recipients",
                                      source=f"{SRC_HD36} mục thể thức (9)"))  # fmt: skip
    holder = document.file_copy_holder.strip().lstrip("-– ").strip()
    if not holder:
        warnings.append(FormatWarning(
            "file_copy_missing", "Chưa ghi nơi lưu bản chính (dòng cuối nơi nhận, ví dụ “Lưu Văn phòng Tỉnh ủy”).",
            "file_copy_holder", source=f"{SRC_HD36} mục thể thức (9)",
        ))  # fmt: skip
    elif not holder.casefold().startswith("lưu"):
        warnings.append(FormatWarning("file_copy_form", f"Dòng lưu “{holder}” nên bắt đầu bằng “Lưu”.",
                                      "file_copy_holder", source=f"{SRC_HD36} mục thể thức (9)"))  # fmt: skip
    text = document.text or ""
    upper = text.upper()
    if document.secrecy is not None and document.secrecy.rank != document.secrecy_rank:
        warnings.append(FormatWarning("secrecy_inconsistent", "Cấp độ mật không khớp với độ mật đã chọn.",
                                      "secrecy", True))  # fmt: skip
    if document.secrecy is not None and document.secrecy.rank > 0:
        if text and document.secrecy.name.upper() not in upper:
            warnings.append(FormatWarning(
                "secrecy_mark_missing",
                f"Văn bản độ mật “{document.secrecy.name}” nhưng tệp chưa có dấu “{document.secrecy.name.upper()}”.",
                "secrecy", source="Luật BVBMNN; 36-HD/VPTW mục thể thức (10a)",
            ))  # fmt: skip
    elif text and (mark := SECRET_MARK_RE.search(upper)):
        warnings.append(FormatWarning(
            "secrecy_not_set",
            f"Tệp có dấu “{mark.group(1)}” nhưng văn bản chưa chọn độ mật: chọn độ mật hoặc bỏ dấu trong tệp.",
            "secrecy", source="Luật BVBMNN; 36-HD/VPTW mục thể thức (10a)",
        ))  # fmt: skip
    urgency = document.urgency
    if urgency is not None and urgency.edxml_priority > 0 and text and urgency.name.upper() not in upper:
        warnings.append(FormatWarning(
            "urgency_mark_missing",
            f"Văn bản “{urgency.name}” nhưng tệp chưa có dấu “{urgency.name.upper()}”.",
            "urgency", source="NĐ 30/2020/NĐ-CP Phụ lục I; 36-HD/VPTW mục thể thức (10b)",
        ))  # fmt: skip
    if text and party and "ĐẢNG CỘNG SẢN VIỆT NAM" not in upper:
        warnings.append(FormatWarning("party_header_missing", "Tệp chưa có tiêu đề “ĐẢNG CỘNG SẢN VIỆT NAM”.",
                                      "file", source=f"{SRC_HD36} mục thể thức (1)"))  # fmt: skip
    if not document.draft_blob_id and not document.signed_blob_id:
        warnings.append(FormatWarning("file_missing", "Chưa có tệp dự thảo để người duyệt đọc.", "file"))
    if (
        document.reply_due_date
        and document.status in BEFORE_ISSUE
        and document.reply_due_date < timezone.localdate()
    ):
        warnings.append(FormatWarning("reply_due_past", f"Hạn trả lời {document.reply_due_date:%d/%m/%Y} đã qua.",
                                      "reply_due_date"))  # fmt: skip
    return warnings


# --- queues (user-scoped reads) --------------------------------------------------------------------------------


def outgoing_review_queue(user: User) -> QuerySet[OutgoingDocument]:
    """Documents in review whose current step waits for a role this user holds over the issuing unit or the
    drafting department (the tab “Chờ tôi cho ý kiến”)."""
    stage = (
        OutgoingReview.objects.filter(document=OuterRef("pk"), decision=ReviewDecision.PENDING)
        .order_by("order")
        .values("order")[:1]
    )
    qs = (
        OutgoingDocument.objects.select_related("unit", "document_type", "urgency", "secrecy", "signer")
        .filter(status=OutgoingStatus.IN_REVIEW)
        .annotate(stage=Subquery(stage))
    )
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for role, scope in effective_roles(user):
        q |= Q(reviews__role=role) & (
            Q(unit__path__startswith=scope.path)
            | (Q(drafted_by__unit__path__startswith=scope.path)
               & Q(drafted_by__unit__path__startswith=F("unit__path")))
        )  # fmt: skip
    return qs.filter(
        q,
        reviews__decision=ReviewDecision.PENDING,
        reviews__order=F("stage"),
        secrecy_rank__lte=user.clearance,
    ).distinct()


def outgoing_issue_queue(user: User) -> QuerySet[OutgoingDocument]:
    """Approved or signed documents of units where the user is văn thư (the tab “Chờ phát hành”)."""
    qs = outgoing_visible_to(user).filter(status__in=ISSUABLE)
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for scope in role_scopes(user, Role.CLERK):
        q |= Q(unit__path__startswith=scope.path)
    return qs.filter(q)


def outgoing_recipients_label(document: OutgoingDocument) -> str:
    """Nơi nhận as one line for registers and lists."""
    names = [r.name for r in document.recipients.all()]
    if document.file_copy_holder:
        names.append(document.file_copy_holder)
    return "; ".join(names)


def review_rounds(document: OutgoingDocument) -> list[tuple[int, list[OutgoingReview]]]:
    """Every review step grouped by round, newest round first (the timeline on the document page)."""
    rounds: dict[int, list[OutgoingReview]] = {}
    for r in _labelled(list(document.reviews.select_related("reviewer").order_by("round", "order", "pk"))):
        rounds.setdefault(r.round, []).append(r)
    return sorted(rounds.items(), reverse=True)
