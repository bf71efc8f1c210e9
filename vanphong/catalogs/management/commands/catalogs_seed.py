"""Create missing catalogue entries (idempotent): ``manage.py catalogs_seed``."""

from typing import Any

from django.core.management.base import BaseCommand

from vanphong.catalogs.seed import seed_catalogs_audited


class Command(BaseCommand):
    help = "Tạo các mục danh mục còn thiếu (thể loại, độ khẩn, độ mật, thời hạn bảo quản, ngày nghỉ)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed_catalogs_audited()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in created.items()))
