"""The unit tree: Trung ương → tỉnh ủy/thành ủy → đảng ủy trực thuộc, ban, phòng → đảng ủy xã/phường → chi bộ.

Units are never deleted: a unit that merges or splits is closed (``valid_to``) and its successors point back
to it through ``predecessors``. ``path`` is a materialised path of ids ("/1/35/420/") for subtree queries.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ORGAN_ID_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


def validate_organ_id(value: str) -> None:
    """Mã định danh (QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025/QĐ-TTg): 13 characters, e.g. 000.00.01.A53."""
    if value and not ORGAN_ID_RE.match(value):
        raise ValidationError(
            _("Mã định danh phải có dạng 000.00.00.A00 (13 ký tự), ví dụ 000.00.01.A53."), code="organ_id"
        )


class UnitLevel(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Tỉnh ủy, thành ủy")
    AFFILIATED = "affiliated", _("Đảng ủy trực thuộc")
    DEPARTMENT = "department", _("Ban, văn phòng, phòng")
    COMMUNE = "commune", _("Đảng ủy xã, phường, đặc khu")
    CELL = "cell", _("Chi bộ")


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self, on: date | None = None) -> UnitQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )

    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(
        _("tên viết tắt"),
        max_length=30,
        blank=True,
        help_text=_("Dùng trong ký hiệu văn bản, ví dụ TU, VPTU, ĐU."),
    )
    organ_id = models.CharField(
        _("mã định danh"), max_length=13, blank=True, db_index=True, validators=[validate_organ_id]
    )
    stats_code = models.CharField(_("mã thống kê"), max_length=10, blank=True, db_index=True)
    level = models.CharField(_("cấp"), max_length=20, choices=UnitLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    valid_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self", verbose_name=_("đơn vị tiền thân"), symmetrical=False, blank=True, related_name="successors"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "stats_code"], condition=~Q(stats_code=""), name="org_unit_unique_stats_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit itself (read from ``path``, no query)."""
        return [int(x) for x in self.path.strip("/").split("/") if x] or ([self.pk] if self.pk else [])

    def ancestors(self) -> UnitQuerySet:
        return Unit.objects.filter(pk__in=self.ancestor_ids).order_by("depth")

    def is_within(self, other: Unit) -> bool:
        """True when ``self`` is ``other`` or lies in its subtree."""
        return bool(other.path) and self.path.startswith(other.path)

    def province(self) -> Unit | None:
        if self.level == UnitLevel.PROVINCE:
            return self
        return self.ancestors().filter(level=UnitLevel.PROVINCE).first()


class Position(models.Model):
    """Chức vụ: Bí thư, Phó Bí thư, Chánh Văn phòng, văn thư, chuyên viên, ..."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên chức vụ"), max_length=120)
    rank = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    is_leader = models.BooleanField(_("là lãnh đạo"), default=False)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")

    def __str__(self) -> str:
        return self.name
