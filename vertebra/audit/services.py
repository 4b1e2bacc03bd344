"""Writing audit events. Call audit_record inside the transaction of the change it records."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from vertebra.audit.chain import GENESIS_HASH, chain_hash
from vertebra.audit.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from vertebra.core.actor import Actor


def json_safe(value: Any) -> Any:
    """Values as they will read back from a JSON column on every database (so hashes verify)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal | uuid.UUID | dt.date | dt.time):
        return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    # The patients.Patient the event concerns. Audit sits below patients (every app writes audit
    # events), so it names no Patient type; the foreign key refuses any other model.
    patient: Model | None = None,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the hash chain. Must run inside the caller's transaction so the
    event and the change it describes commit or roll back together."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change")
    head = AuditChainHead.objects.select_for_update().filter(singleton=1).first()
    if head is None:
        # The first event of a database. Two first writers may race here: the insert that
        # loses is ignored (it waits for the winner's commit), then both lock the one row.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(singleton=1, last_sequence=0, last_hash=GENESIS_HASH)],
            ignore_conflicts=True,
        )
        head = AuditChainHead.objects.select_for_update().get(singleton=1)
    # Typed loosely above; the foreign key's descriptor refuses anything but a Patient.
    patient_row: Any = patient
    event = AuditEvent(
        sequence=head.last_sequence + 1,
        # Whole microseconds survive every database; the hash must read back identically.
        occurred_at=timezone.now().astimezone(dt.UTC),
        actor=actor.user,
        actor_username=actor.username,
        actor_role=actor.role,
        action=action,
        patient=patient_row,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:300],
        client_address=actor.client_address or "",
        changes=json_safe(dict(changes or {})),
        previous_hash=head.last_hash,
    )
    event.hash = chain_hash(head.last_hash, event.hashed_fields())
    event.save(force_insert=True)
    AuditChainHead.objects.filter(singleton=1).update(
        last_sequence=event.sequence, last_hash=event.hash
    )
    return event


def audit_standalone(**kwargs: Any) -> AuditEvent:
    """An event with no other change (a login, an export): its own short transaction."""
    with transaction.atomic():
        return audit_record(**kwargs)
