"""Filling in the record itself while in progress (times, team, imaging, the dose), and
retracting a record opened by mistake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from vertebra.audit.records import only_fields, retract_record, update_record
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    ValidationFailed,
)
from vertebra.core.models import RecordStatus
from vertebra.core.permissions import Capability, ensure
from vertebra.procedures.models import (
    ProcedureRecord,
)
from vertebra.procedures.record.fields import (
    DOSE_FIELDS,
    RECORD_FIELDS,
)
from vertebra.procedures.record.guard import (
    check_operator,
    lock_open,
    patient_of,
)
from vertebra.procedures.rules import checks, dose


def _record_checks(record: ProcedureRecord) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, start, end in (
        ("ended_at", record.started_at, record.ended_at),
        ("observation_end", record.observation_start, record.observation_end),
    ):
        for problem in checks.check_interval(field, start, end):
            errors.setdefault(problem.field, []).append(problem.message)
    errors |= check_operator(record.operator)
    if (
        record.no_adverse_events
        and record.adverse_events.filter(record_status=RecordStatus.ACTIVE).exists()
    ):
        errors["no_adverse_events"] = [
            "Adverse events are recorded: mark them entered in error first."
        ]
    return errors


def procedure_update(
    *, actor: Actor, procedure: ProcedureRecord, expected_version: int, data: Mapping[str, Any]
) -> ProcedureRecord:
    """Change fields of an in-progress record (a section of the record page)."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    values = only_fields(data, RECORD_FIELDS)
    with transaction.atomic():
        lock_open(procedure.pk)
        return update_record(
            ProcedureRecord,
            pk=procedure.pk,
            actor=actor,
            expected_version=expected_version,
            changes=values,
            patient_of=patient_of,
            summary="Procedure record edited",
            checks=_record_checks,
        )


def procedure_set_imaging(
    *,
    actor: Actor,
    procedure: ProcedureRecord,
    expected_version: int,
    modality: str,
    doses: Mapping[str, tuple[str, str]],
) -> ProcedureRecord:
    """The guidance modality and the dose fields, each as (amount, unit): converted to the
    stored unit and kept with the conversion shown (§4.2). An empty amount clears a field."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    changes: dict[str, Any] = {"modality": modality}
    entered = dict(procedure.dose_as_entered)
    errors: dict[str, list[str]] = {}
    for name, (amount, unit) in doses.items():
        stored_field = DOSE_FIELDS[name]
        if not str(amount).strip():
            changes[stored_field] = None
            entered.pop(name, None)
            continue
        try:
            converted = dose.convert(name, amount, unit)
        except dose.DoseError as exc:
            errors[name] = [exc.message]
            continue
        changes[stored_field] = converted.value
        entered[name] = converted.shown
    if errors:
        raise ValidationFailed(errors)
    changes["dose_as_entered"] = entered
    with transaction.atomic():
        lock_open(procedure.pk)
        return update_record(
            ProcedureRecord,
            pk=procedure.pk,
            actor=actor,
            expected_version=expected_version,
            changes=changes,
            patient_of=patient_of,
            summary="Imaging guidance and dose recorded",
        )


def procedure_enter_in_error(
    *, actor: Actor, procedure: ProcedureRecord, reason: str
) -> ProcedureRecord:
    """An in-progress record opened by mistake (wrong patient, say). A signed one is never
    retracted: an addendum says what is wrong with it."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    with transaction.atomic():
        lock_open(procedure.pk)
        return retract_record(
            ProcedureRecord,
            pk=procedure.pk,
            actor=actor,
            reason=reason,
            patient_of=patient_of,
            summary="Procedure record entered in error",
        )
