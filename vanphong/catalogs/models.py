"""Rules as data: document types, issuer symbols, the authority matrix, terms, number books, urgency, secrecy,
retention periods, holidays and the yearly calendar exceptions.

Every catalogue entry carries ``source`` — the legal text it comes from, with the evidence mark used in
``docs/domain``: [V] read in the primary text, [S] secondary source, [U] unconfirmed (keep it editable).
The rules changed several times in 2025–2026, so nothing here is hard-coded in services.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanphong.accounts.models import Role


class CatalogEntry(models.Model):
    """Common fields of every catalogue entry."""

    source = models.CharField(
        _("căn cứ pháp lý"), max_length=500,
        help_text=_("Văn bản làm căn cứ, ví dụ “HD 36-HD/VPTW mục II.1.3.1.a [V]”. "
                    "[V] đã đối chiếu bản gốc, [S] nguồn thứ cấp, [U] chưa xác minh."),
    )  # fmt: skip
    active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class DocumentType(CatalogEntry):
    """Thể loại văn bản with its abbreviation in Party style (36-HD/VPTW) and State style (NĐ 30/2020)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên thể loại"), max_length=120)
    party_abbr = models.CharField(_("viết tắt (văn bản Đảng)"), max_length=10, blank=True)
    state_abbr = models.CharField(_("viết tắt (văn bản nhà nước)"), max_length=10, blank=True)
    rank = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("thể loại văn bản")
        verbose_name_plural = _("thể loại văn bản")

    def __str__(self) -> str:
        abbr = self.party_abbr or self.state_abbr
        return f"{self.name} ({abbr})" if abbr else self.name


class IssuerKind(models.TextChoices):
    """Kinds of issuing body, the rows of the authority matrix (66-QĐ/TW Điều 7; 399-QĐ/TW)."""

    CONGRESS = "congress", _("Đại hội đảng và các cơ quan của đại hội")
    BCH = "bch", _("Ban Chấp hành (cấp ủy)")
    BTV = "btv", _("Ban Thường vụ")
    INSPECTION = "inspection", _("Ủy ban kiểm tra")
    STAFF = "staff", _("Cơ quan tham mưu, giúp việc")
    PARTY_GROUP = "party_group", _("Đảng đoàn, ban cán sự đảng")
    STEERING = "steering", _("Ban chỉ đạo, tiểu ban, hội đồng")
    STATE = "state", _("Cơ quan nhà nước")


class IssuerSymbol(CatalogEntry):
    """Ký hiệu cơ quan ban hành: TU, VPTU, BTGTU, UBKTTU, ĐU …"""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="issuer_symbols"
    )
    symbol = models.CharField(_("ký hiệu"), max_length=20)
    issuer_kind = models.CharField(_("loại chủ thể ban hành"), max_length=20, choices=IssuerKind.choices)
    name = models.CharField(
        _("tên chủ thể ban hành"), max_length=200, blank=True, help_text=_("Ví dụ: Ban Thường vụ Tỉnh ủy.")
    )

    class Meta:
        ordering = ["symbol"]
        verbose_name = _("ký hiệu cơ quan ban hành")
        verbose_name_plural = _("ký hiệu cơ quan ban hành")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "symbol", "issuer_kind"], name="catalogs_issuer_symbol_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.symbol} — {self.name or self.get_issuer_kind_display()}"


class AuthorityRule(CatalogEntry):
    """One cell of the authority matrix: this kind of body may issue this type of document."""

    issuer_kind = models.CharField(_("loại chủ thể ban hành"), max_length=20, choices=IssuerKind.choices)
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("thể loại văn bản"),
        on_delete=models.PROTECT,
        related_name="authority_rules",
    )

    class Meta:
        ordering = ["issuer_kind", "document_type__rank"]
        verbose_name = _("thẩm quyền ban hành")
        verbose_name_plural = _("thẩm quyền ban hành")
        constraints = [
            models.UniqueConstraint(fields=["issuer_kind", "document_type"], name="catalogs_authority_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_issuer_kind_display()} → {self.document_type.name}"


class Term(CatalogEntry):
    """Nhiệm kỳ of a cấp ủy: from the day after the congress closes to the closing day of the next congress.

    ``end`` may be empty for the current term. Terms of one unit never overlap.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("cấp ủy"), on_delete=models.PROTECT, related_name="terms"
    )
    name = models.CharField(_("tên nhiệm kỳ"), max_length=120, help_text=_("Ví dụ: Nhiệm kỳ 2025–2030."))
    start = models.DateField(_("bắt đầu"))
    end = models.DateField(_("kết thúc"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "-start"]
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = _("nhiệm kỳ")

    def __str__(self) -> str:
        return self.name

    def contains(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)

    def clean(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValidationError({"end": _("Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.")})
        if self.unit_id is None:
            return
        others = Term.objects.filter(unit_id=self.unit_id).exclude(pk=self.pk)
        if self.end is not None:
            others = others.filter(start__lte=self.end)
        overlap = others.filter(Q(end__isnull=True) | Q(end__gte=self.start)).first()
        if overlap is not None:
            raise ValidationError(
                _("Nhiệm kỳ trùng thời gian với “%(other)s” của cùng cấp ủy.") % {"other": overlap.name}
            )


class NumberStyle(models.TextChoices):
    PARTY = "party", _("Văn bản Đảng (12-NQ/TU)")
    STATE = "state", _("Văn bản nhà nước (12/QĐ-UBND)")


class ResetRule(models.TextChoices):
    TERM = "term", _("Theo nhiệm kỳ (36-HD/VPTW)")
    YEAR = "year", _("Theo năm dương lịch (NĐ 30/2020)")


class SecretSequence(models.TextChoices):
    SHARED = "shared", _("Chung một dãy số với văn bản thường")
    SEPARATE = "separate", _("Dãy số riêng cho văn bản mật")


PARTY_TEMPLATE = "{n}-{type}/{issuer}"
STATE_TEMPLATE = "{n}/{type}-{issuer}"


class NumberBook(CatalogEntry):
    """Sổ văn bản đi: which issuer numbers which types, and when the number restarts from 01."""

    name = models.CharField(_("tên sổ"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT, related_name="number_books"
    )
    issuer_symbol = models.ForeignKey(
        IssuerSymbol,
        verbose_name=_("ký hiệu cơ quan ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Để trống thì dùng tên viết tắt của đơn vị."),
    )
    document_types = models.ManyToManyField(
        DocumentType, verbose_name=_("thể loại văn bản"), related_name="number_books"
    )
    type_abbr = models.CharField(
        _("viết tắt thể loại dùng chung"),
        max_length=10,
        blank=True,
        help_text=_("Khi nhiều thể loại dùng chung một dãy số (ví dụ Quyết định và Quy định cùng “QĐ”)."),
    )
    style = models.CharField(
        _("kiểu số, ký hiệu"), max_length=10, choices=NumberStyle.choices, default=NumberStyle.PARTY
    )
    reset = models.CharField(
        _("bắt đầu lại số 01"), max_length=10, choices=ResetRule.choices, default=ResetRule.TERM
    )
    secret_sequence = models.CharField(
        _("văn bản mật"), max_length=10, choices=SecretSequence.choices, default=SecretSequence.SHARED
    )
    symbol_template = models.CharField(
        _("mẫu số, ký hiệu"),
        max_length=60,
        blank=True,
        help_text=_(
            "Các trường {n}, {type}, {issuer}, {year}. Để trống: “{n}-{type}/{issuer}” (Đảng) hoặc "
            "“{n}/{type}-{issuer}” (nhà nước)."
        ),
    )

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("sổ văn bản")
        verbose_name_plural = _("sổ văn bản")

    def __str__(self) -> str:
        return self.name

    def template(self) -> str:
        if self.symbol_template:
            return self.symbol_template
        return PARTY_TEMPLATE if self.style == NumberStyle.PARTY else STATE_TEMPLATE

    def clean(self) -> None:
        template = self.template()
        try:
            template.format(n="01", type="NQ", issuer="TU", year=2026)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError(
                {"symbol_template": _("Mẫu chỉ được dùng các trường {n}, {type}, {issuer}, {year}.")}
            ) from exc
        if "{n}" not in template:
            raise ValidationError({"symbol_template": _("Mẫu phải có trường số {n}.")})


class NumberSequence(models.Model):
    """The last number taken in one book for one period (a term or a year), secret or not."""

    book = models.ForeignKey(NumberBook, on_delete=models.PROTECT, related_name="sequences")
    period_key = models.CharField(max_length=40)
    period_label = models.CharField(max_length=200, blank=True)
    secret = models.BooleanField(default=False)
    last_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dãy số")
        verbose_name_plural = _("dãy số")
        constraints = [
            models.UniqueConstraint(fields=["book", "period_key", "secret"], name="catalogs_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.book} · {self.period_label or self.period_key}{' · mật' if self.secret else ''}"


class Urgency(CatalogEntry):
    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=60)
    edxml_priority = models.PositiveSmallIntegerField(
        _("mã Priority edXML"),
        validators=[MaxValueValidator(4)],
        help_text=_("0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc (4 hỏa tốc hẹn giờ)."),
    )
    rank = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("độ khẩn")
        verbose_name_plural = _("độ khẩn")

    def __str__(self) -> str:
        return self.name


class SecrecyLevel(CatalogEntry):
    """Độ mật; ``rank`` equals ``accounts.Clearance`` (0 Không mật … 3 Tuyệt mật)."""

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("cấp"), unique=True, validators=[MaxValueValidator(3)])
    # How content of this level is handled (``catalogs.secrecy``); safe defaults for a level added by hand.
    internet_allowed = models.BooleanField(
        _("được lưu trên hệ thống nối mạng Internet"), default=False,
        help_text=_("Bỏ chọn: hệ thống triển khai ở chế độ “internet” từ chối lưu nội dung ở độ mật này."),
    )  # fmt: skip
    encrypt_at_rest = models.BooleanField(_("mã hóa tệp khi lưu"), default=True)
    digitise_allowed = models.BooleanField(
        _("được số hóa (nhận dạng chữ, xem trước)"), default=True,
        help_text=_("Bỏ chọn: không chạy OCR, không tạo bản xem trước cho văn bản ở độ mật này."),
    )  # fmt: skip
    handling_source = models.CharField(_("căn cứ của cách xử lý"), max_length=500, blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("độ mật")
        verbose_name_plural = _("độ mật")

    def __str__(self) -> str:
        return self.name


class RetentionPeriod(CatalogEntry):
    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    years = models.PositiveSmallIntegerField(
        _("số năm"), null=True, blank=True, help_text=_("Để trống nghĩa là vĩnh viễn hoặc tùy trường hợp.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("thời hạn bảo quản")
        verbose_name_plural = _("thời hạn bảo quản")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class CalendarKind(models.TextChoices):
    SOLAR = "solar", _("Dương lịch")
    LUNAR = "lunar", _("Âm lịch")


class HolidayRule(CatalogEntry):
    """A public holiday: anchor day (solar or lunar) + ``offset_days``, lasting ``length_days`` days.

    Example: Tết Nguyên đán = lunar 1/1, offset −1, length 5 (last day of the lunar year + mùng 1–4).
    """

    name = models.CharField(_("tên ngày nghỉ"), max_length=120)
    calendar = models.CharField(
        _("lịch"), max_length=10, choices=CalendarKind.choices, default=CalendarKind.SOLAR
    )
    month = models.PositiveSmallIntegerField(
        _("tháng"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("ngày"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    length_days = models.PositiveSmallIntegerField(
        _("số ngày nghỉ"), default=1, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    offset_days = models.SmallIntegerField(
        _("lệch so với ngày gốc"), default=0, validators=[MinValueValidator(-15), MaxValueValidator(15)]
    )
    compensate_weekend = models.BooleanField(
        _("nghỉ bù khi trùng ngày nghỉ hằng tuần"),
        default=True,
        help_text=_("BLLĐ 2019 Điều 111 khoản 3: nghỉ bù vào ngày làm việc kế tiếp."),
    )
    first_year = models.PositiveSmallIntegerField(_("áp dụng từ năm"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("áp dụng đến năm"), null=True, blank=True)

    class Meta:
        ordering = ["calendar", "month", "day"]
        verbose_name = _("ngày nghỉ lễ, tết")
        verbose_name_plural = _("ngày nghỉ lễ, tết")

    def __str__(self) -> str:
        return self.name

    def applies_to(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )

    def clean(self) -> None:
        limit = 30 if self.calendar == CalendarKind.LUNAR else 31
        if self.day and self.day > limit:
            raise ValidationError({"day": _("Ngày âm lịch không quá 30.")})
        if self.calendar == CalendarKind.SOLAR and self.month and self.day:
            try:
                date(2024, self.month, self.day)  # a leap year accepts 29/2
            except ValueError as exc:
                raise ValidationError({"day": _("Ngày không có trong tháng đã chọn.")}) from exc


class ExceptionKind(models.TextChoices):
    OFF = "off", _("Nghỉ (hoán đổi, nghỉ thêm)")
    WORK = "work", _("Làm việc (làm bù)")


class CalendarException(CatalogEntry):
    """A yearly official decision: a day off (hoán đổi) or a weekend working day (làm bù).

    When ``replaces_rule`` is set, the official schedule of that year replaces the rule's own days and
    compensation for the same year (the Prime Minister decides the Tết and 2/9 days each year).
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=ExceptionKind.choices)
    name = models.CharField(_("nội dung"), max_length=200)
    replaces_rule = models.ForeignKey(
        HolidayRule,
        verbose_name=_("thay cho cách tính của"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exceptions",
        help_text=_("Chọn khi lịch nghỉ chính thức trong năm thay cho cách tính tự động của ngày lễ này."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày hoán đổi, làm bù")
        verbose_name_plural = _("ngày hoán đổi, làm bù")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"


class ReviewStep(CatalogEntry):
    """One step of the review and approval flow of a draft (thẩm định, duyệt, ký), set by each body's quy chế
    làm việc. Steps without a document type apply to every type; a type's own steps are added to them.

    Steps with a unit replace the general flow for that unit and its subtree (the deepest unit with steps wins).
    Steps with the same ``order`` are asked in parallel; the next order starts when all of them agree.
    """

    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("thể loại văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_steps",
        help_text=_("Để trống: bước chung cho mọi thể loại."),
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị áp dụng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Để trống: mọi đơn vị. Chọn đơn vị thì các bước của đơn vị đó thay cho quy trình chung "
            "với văn bản của đơn vị và các đơn vị trực thuộc."
        ),
    )
    order = models.PositiveSmallIntegerField(
        _("thứ tự"), default=10, help_text=_("Các bước cùng thứ tự được cho ý kiến song song.")
    )
    name = models.CharField(_("tên bước"), max_length=120, help_text=_("Ví dụ: Thẩm định, Duyệt, Ký."))
    role = models.CharField(
        _("vai trò cho ý kiến"),
        max_length=30,
        choices=Role.choices,
        help_text=_("Người giữ vai trò này đối với đơn vị ban hành (hoặc đơn vị soạn thảo) cho ý kiến."),
    )

    class Meta:
        ordering = ["unit", "document_type__rank", "order", "pk"]
        verbose_name = _("bước thẩm định, duyệt")
        verbose_name_plural = _("quy trình thẩm định, duyệt")

    def __str__(self) -> str:
        scope = self.document_type.name if self.document_type else "mọi thể loại"
        return f"{self.order}. {self.name} — {self.get_role_display()} ({scope})"
