"""What every write to a procedure record goes through: the row lock, the refusal of a signed
record (RecordSigned) or one entered in error, and the audit event."""

from __future__ import annotations

from typing import Any

from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    RecordInactive,
    RecordSigned,
)
from vertebra.core.models import RecordStatus, Role, User
from vertebra.procedures.models import (
    ProcedureRecord,
    ProcedureStatus,
)

SIGNED_MESSAGE = "This procedure record is signed and never changes: add an addendum instead."


def patient_of(entry: Any) -> Any:
    procedure = entry if isinstance(entry, ProcedureRecord) else entry.procedure
    return procedure.patient


def refuse_closed(record: ProcedureRecord) -> None:
    if record.status == ProcedureStatus.SIGNED:
        raise RecordSigned(SIGNED_MESSAGE)
    if record.record_status != RecordStatus.ACTIVE:
        raise RecordInactive("This procedure record was entered in error and can't be changed.")


def lock_open(procedure_pk: int) -> ProcedureRecord:
    """Lock the record's row for the rest of the transaction; refuse a closed record."""
    record = (
        ProcedureRecord.objects.select_for_update(of=("self",))
        .select_related("patient")
        .get(pk=procedure_pk)
    )
    refuse_closed(record)
    return record


def audit_procedure(
    actor: Actor, action: str, record: ProcedureRecord, summary: str, changes: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="ProcedureRecord",
        object_id=record.public_id,
        patient=record.patient,
        summary=summary,
        changes=changes,
    )


def check_operator(operator: User | None) -> dict[str, list[str]]:
    if operator is None or operator.role != Role.PHYSICIAN or not operator.is_active:
        return {"operator": ["The operator is an active physician of the clinic."]}
    return {}
