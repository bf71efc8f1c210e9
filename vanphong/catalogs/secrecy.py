"""How classified content is handled, from the độ mật catalogue and the deployment mode.

The rules are data (``SecrecyLevel.internet_allowed / encrypt_at_rest / digitise_allowed`` with their source,
seeded from ``seed.SECRECY_HANDLING``); this module only reads them. The deployment mode is a setting:

- ``internet`` (default): the server is reachable from, or connected to, the Internet. Luật BVBMNN
  117/2025/QH15 Điều 5 forbids drafting or keeping state-secret documents on such machines, so content of a level
  that is not ``internet_allowed`` (Mật, Tối mật, Tuyệt mật) is refused before anything is stored.
- ``isolated``: a mạng LAN độc lập (or the Party's secure WAN with cơ yếu encryption): classified content is
  accepted, and stored encrypted where the level says ``encrypt_at_rest``.
"""

from __future__ import annotations

from django.conf import settings

from vanphong.core.exceptions import ValidationError

from .models import SecrecyLevel

INTERNET = "internet"
ISOLATED = "isolated"
MODES = {
    INTERNET: "Hệ thống nối mạng Internet",
    ISOLATED: "Mạng LAN độc lập",
}


def deployment_mode() -> str:
    mode = str(getattr(settings, "VANPHONG_DEPLOYMENT_MODE", INTERNET) or INTERNET).strip().lower()
    if mode not in MODES:
        raise ValueError(
            f"VANPHONG_DEPLOYMENT_MODE “{mode}” không hợp lệ: chọn “{INTERNET}” hoặc “{ISOLATED}”."
        )
    return mode


def _level(level: SecrecyLevel | int | None) -> SecrecyLevel | None:
    if level is None or isinstance(level, SecrecyLevel):
        return level
    if level <= 0:
        return None
    return SecrecyLevel.objects.filter(rank=level).first()


def storable(level: SecrecyLevel | int | None) -> bool:
    """Whether content of ``level`` may be stored by this deployment."""
    lvl = _level(level)
    return lvl is None or lvl.internet_allowed or deployment_mode() == ISOLATED


def ensure_storable(level: SecrecyLevel | int | None) -> None:
    """Raise a ``ValidationError`` the user can act on when this deployment may not hold ``level``'s content;
    callers check before they store anything."""
    lvl = _level(level)
    if lvl is None or storable(lvl):
        return
    raise ValidationError(
        f"Hệ thống này đang chạy ở chế độ nối mạng Internet nên không được lưu văn bản độ mật “{lvl.name}” "
        "(Luật Bảo vệ bí mật nhà nước số 117/2025/QH15, Điều 5: cấm soạn thảo, lưu giữ văn bản bí mật trên "
        "máy tính, thiết bị kết nối mạng Internet). Hãy vào sổ và xử lý văn bản này trên hệ thống mạng LAN "
        "độc lập hoặc theo quy trình văn bản giấy; chưa có gì được lưu.",
        code="secrecy_not_storable",
    )


def must_encrypt(level: SecrecyLevel | int | None) -> bool:
    lvl = _level(level)
    return lvl is not None and lvl.encrypt_at_rest


def may_digitise(level: SecrecyLevel | int | None) -> bool:
    """OCR and previews; Tuyệt mật is never digitised (HD 40-HD/VPTW)."""
    lvl = _level(level)
    return lvl is None or lvl.digitise_allowed
