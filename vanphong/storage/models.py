"""Content-addressed blobs: one row per distinct byte sequence actually stored by the backend."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Blob(models.Model):
    """Bytes identified by their SHA-256. Identical bytes are stored once, whoever uploads them.

    A row is written only after the backend holds the complete file, so a crash can leave a file without a row
    (an orphan, removed by ``storage gc``) but never a row without a file.
    """

    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, primary_key=True)
    size = models.BigIntegerField(_("kích thước (byte)"))
    content_type = models.CharField(_("kiểu nội dung"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("thời điểm lưu"), default=timezone.now, db_index=True)
    encrypted = models.BooleanField(_("đã mã hóa"), default=False)
    # Encrypted blobs: the backend holds the ciphertext under its own SHA-256 (``stored_sha256``), and the data
    # key wrapped under master key ``key_id`` (``storage.crypto``). Empty for plaintext blobs.
    stored_sha256 = models.CharField(_("mã băm bản mã"), max_length=64, blank=True, db_index=True)
    stored_size = models.BigIntegerField(_("kích thước bản mã (byte)"), null=True, blank=True)
    key_id = models.CharField(_("mã khóa chủ"), max_length=64, blank=True, db_index=True)
    wrapped_key = models.BinaryField(_("khóa dữ liệu đã bọc"), blank=True, default=b"")

    class Meta:
        verbose_name = _("tệp lưu trữ")
        verbose_name_plural = _("tệp lưu trữ")

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} B)"

    @property
    def storage_name(self) -> str:
        """The name the backend stores this blob's bytes under (the ciphertext's hash when encrypted)."""
        return self.stored_sha256 if self.encrypted else self.sha256
