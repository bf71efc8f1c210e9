"""Reads of the ingest app."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from vanphong.org.models import Unit

from .models import FieldCorrection

# the fields the registry compares when a clerk registers an intake, in the order of the form
CORRECTION_FIELDS = (
    "number_symbol",
    "issued_date",
    "issuer",
    "doc_type",
    "subject",
    "signer",
    "urgency",
    "secrecy",
)


@dataclass(frozen=True)
class FieldAccuracy:
    """How often the extractor's proposal for ``field`` was registered unchanged."""

    field: str
    total: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None


def correction_stats(unit: Unit | None = None) -> list[FieldAccuracy]:
    """Per-field accuracy of the proposals (``FieldCorrection.changed`` is False when proposal == final), for
    ``unit``'s intakes or all of them; the eight register fields first (zero when none yet), then any others."""
    qs = FieldCorrection.objects.all()
    if unit is not None:
        qs = qs.filter(intake__unit=unit)
    totals: dict[str, tuple[int, int]] = {
        r["field"]: (r["total"], r["correct"])
        for r in qs.values("field").annotate(total=Count("pk"), correct=Count("pk", filter=Q(changed=False)))
    }
    names = list(CORRECTION_FIELDS) + sorted(set(totals) - set(CORRECTION_FIELDS))
    return [FieldAccuracy(name, *totals.get(name, (0, 0))) for name in names]
