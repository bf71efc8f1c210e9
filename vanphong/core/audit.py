"""The audit trail: every service write records who did what to which object, before/after, when, from where.

``audit_log`` must be called inside the service's transaction so that the change and its trace commit or roll
back together. Records are hash-chained: each stores the previous record's hash, so editing, deleting or
inserting a row directly in the database breaks the chain and ``audit_verify`` names the first bad record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from . import context
from .models import AuditChainHead, AuditRecord

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_label", "unit_id", "unit_label", "action",
    "object_type", "object_id", "object_label", "before", "after", "ip", "prev_hash",
)  # fmt: skip


def json_safe(value: Any) -> Any:
    """Round-trip through JSON so the stored value is exactly the hashed value."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Concrete field values of a model instance (FKs as ids), JSON-safe, for before/after."""
    data: dict[str, Any] = {}
    wanted = set(fields) if fields is not None else None
    for f in instance._meta.concrete_fields:
        if wanted is not None and f.name not in wanted:
            continue
        if f.name in {"password"}:
            continue
        data[f.attname if f.is_relation else f.name] = f.value_from_object(instance)
    for f in instance._meta.many_to_many:
        if wanted is not None and f.name not in wanted:
            continue
        if instance.pk:
            data[f.name] = sorted(o.pk for o in getattr(instance, f.name).all())
    return json_safe(data)


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(values: dict[str, Any]) -> str:
    payload = {k: values[k] for k in HASHED_FIELDS}
    payload["at"] = _canonical_time(payload["at"])
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unit: Any = None,
) -> AuditRecord:
    """Append one record to the chain, in the caller's transaction.

    ``actor`` is a user (or ``None`` for the system); ``unit`` defaults to the actor's unit, else the object's
    unit (or the object itself when it is a unit), so the security officer of that subtree sees the record.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)[:300]
    if unit is None and actor is not None:
        unit = getattr(actor, "unit", None)
    if unit is None and obj is not None:
        unit = getattr(obj, "unit", None)
        if unit is None and obj._meta.label_lower == "org.unit":
            unit = obj
    with transaction.atomic(savepoint=False):  # a failed record fails the caller's whole transaction
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        values: dict[str, Any] = {
            "seq": head.last_seq + 1,
            "at": timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "actor_label": (actor.get_username() if actor is not None else "hệ thống")[:200],
            "unit_id": getattr(unit, "pk", None),
            "unit_label": str(unit)[:300] if unit is not None else "",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_label": object_label[:300],
            "before": json_safe(before),
            "after": json_safe(after),
            "ip": context.current().ip or "",
            "prev_hash": head.last_hash,
        }
        record = AuditRecord(**values, hash=compute_hash(values))
        record.save(force_insert=True)
        head.last_seq = record.seq
        head.last_hash = record.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return record


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    bad_seq: int | None = None
    reason: str = ""


def audit_verify(*, progress: Any = None) -> VerifyResult:
    """Re-compute the chain. The first record whose hash, link or sequence is wrong is reported."""
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    qs = AuditRecord.objects.order_by("seq").values(*HASHED_FIELDS, "hash")
    for row in qs.iterator(chunk_size=2000):
        if row["seq"] != expected_seq:
            return VerifyResult(
                False, count, row["seq"], f"record {expected_seq} is missing before {row['seq']}"
            )
        if row["prev_hash"] != prev_hash:
            return VerifyResult(False, count, row["seq"], "link to the previous record is broken")
        if compute_hash(row) != row["hash"]:
            return VerifyResult(False, count, row["seq"], "content does not match its hash (altered)")
        prev_hash = row["hash"]
        expected_seq += 1
        count += 1
        if progress is not None and count % 5000 == 0:
            progress(count)
    head = AuditChainHead.objects.filter(id=1).first()
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else GENESIS
    if last_seq != count or last_hash != prev_hash:
        return VerifyResult(
            False,
            count,
            count + 1 if last_seq > count else last_seq,
            f"chain head says {last_seq} records, found {count} (records removed at the end)",
        )
    return VerifyResult(True, count)
