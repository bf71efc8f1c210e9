"""Foundation figures: org load, audit append and verify rates, working-day arithmetic, storage put/verify.

Run with `make bench` (SQLite in a temporary folder) or `DATABASE_URL=postgres://... make bench`.
Prints one line per figure; nothing here asserts a time.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="vanphong-bench-"))
os.environ.setdefault("VANPHONG_DATA_DIR", str(TMP))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

N_AUDIT = int(os.environ.get("BENCH_AUDIT_RECORDS", "20000"))


def timed(label: str, fn, n: int | None = None, unit: str = "ops") -> object:
    t0 = time.perf_counter()
    result = fn()
    dt = time.perf_counter() - t0
    rate = f", {n / dt:,.0f} {unit}/s" if n else ""
    print(f"{label}: {dt * 1000:,.1f} ms{rate}")
    return result


def main() -> None:
    print(f"database: {connection.vendor}; audit records: {N_AUDIT}")
    call_command("migrate", verbosity=0)
    from vanphong.catalogs.holidays import working_calendar
    from vanphong.core.audit import audit_log, audit_verify
    from vanphong.org.selectors import org_stats
    from vanphong.org.services import divisions_load

    timed("org load-divisions (34 + 3,321 units)", divisions_load, 3355, "units")
    timed("org stats", org_stats)

    def append() -> None:
        for i in range(N_AUDIT):
            with transaction.atomic():
                audit_log(
                    actor=None,
                    action="bench.event",
                    object_type="bench",
                    object_id=i,
                    after={"i": i, "text": "Nghị quyết của Ban Chấp hành Đảng bộ tỉnh"},
                )

    timed(f"audit append x{N_AUDIT} (one transaction each)", append, N_AUDIT, "records")
    tracemalloc.start()
    result = timed("audit verify", audit_verify, N_AUDIT, "records")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"audit verify peak Python memory: {peak / 1e6:.1f} MB ({result})")

    cal = timed("working calendar build (cold)", working_calendar)
    days = [date(2025, 1, 1).toordinal() + i for i in range(1000)]

    def deadlines() -> None:
        for d in days:
            cal.add_working_days(date.fromordinal(d), 10)  # type: ignore[attr-defined]

    timed("add_working_days(+10) x1000", deadlines, 1000, "deadlines")

    from vanphong.storage.services import blob_put, storage_verify

    payloads = [os.urandom(200_000) for _ in range(200)]

    def put() -> None:
        for p in payloads:
            with transaction.atomic():
                blob_put(actor=None, data=p)

    timed("storage put 200 x 200 kB", put, 200, "blobs")
    timed("storage verify 200 blobs", storage_verify, 200, "blobs")


if __name__ == "__main__":
    main()
