"""Users, roles, clearance (độ mật), two-factor secrets, lockout state and delegation (ủy quyền)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Clearance(models.IntegerChoices):
    """Độ mật a person may read. Ordered: a higher value includes every lower one (Luật BVBMNN 117/2025/QH15)."""

    NONE = 0, _("Không mật")
    MAT = 1, _("Mật")
    TOI_MAT = 2, _("Tối mật")
    TUYET_MAT = 3, _("Tuyệt mật")


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    SPECIALIST = "specialist", _("Chuyên viên")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo đơn vị")
    OFFICE_LEADER = "office_leader", _("Lãnh đạo văn phòng")
    COMMITTEE_LEADER = "committee_leader", _("Lãnh đạo cấp ủy")
    REPORTER = "reporter", _("Cán bộ báo cáo")
    ARCHIVIST = "archivist", _("Lưu trữ viên")
    ADMIN = "admin", _("Quản trị")
    SECURITY = "security", _("An ninh thông tin")


# Roles whose holders must use two-factor authentication.
TWO_FACTOR_ROLES = frozenset(
    {Role.UNIT_LEADER, Role.OFFICE_LEADER, Role.COMMITTEE_LEADER, Role.ADMIN, Role.SECURITY}
)


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=150)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    position = models.ForeignKey(
        "org.Position", verbose_name=_("chức vụ"), null=True, blank=True, on_delete=models.PROTECT
    )
    clearance = models.PositiveSmallIntegerField(
        _("độ mật được tiếp cận"), choices=Clearance.choices, default=Clearance.NONE
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed = models.BooleanField(_("đã bật xác thực hai lớp"), default=False)
    totp_last_step = models.BigIntegerField(default=0)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(_("khóa đến"), null=True, blank=True)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["full_name", "username"]
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """A role held by a user within a unit scope (a province admin administers only its subtree)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("phạm vi"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="accounts_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.unit})"


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def active(self, on: date) -> DelegationQuerySet:
        return self.filter(start__lte=on, end__gte=on, revoked_at__isnull=True)


class Delegation(models.Model):
    """Ủy quyền: ``grantor`` lets ``grantee`` act in ``role`` within ``unit`` from ``start`` to ``end``."""

    grantor = models.ForeignKey(
        User, verbose_name=_("người ủy quyền"), on_delete=models.PROTECT, related_name="delegations_given"
    )
    grantee = models.ForeignKey(
        User,
        verbose_name=_("người được ủy quyền"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("phạm vi"), on_delete=models.PROTECT)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("ủy quyền")
        verbose_name_plural = _("ủy quyền")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="delegation_period")
        ]

    def __str__(self) -> str:
        return f"{self.grantor} → {self.grantee}: {self.get_role_display()} ({self.start}–{self.end})"


class ApiToken(models.Model):
    """A personal API token. Only the public ``prefix`` and an HMAC of the secret are stored, never the token.

    The token reads ``vp_<prefix>_<secret>``; it is shown once, when issued (``vanphong user token``). It acts
    as its user, through the same access funnel as the pages, until it expires or is revoked.
    """

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    prefix = models.CharField(_("mã nhận diện"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"vp_{self.prefix}… ({self.user})"
