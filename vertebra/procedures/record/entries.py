"""The entries of an in-progress record: adverse events, drugs given, vital signs, and their
retraction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from vertebra.audit.records import create_record, only_fields, retract_record, update_record
from vertebra.core.actor import Actor
from vertebra.core.models import ClinicalRecord
from vertebra.core.permissions import Capability, ensure
from vertebra.procedures.models import (
    AdverseEvent,
    CementLeak,
    Medication,
    ProcedureLevel,
    ProcedureRecord,
    VitalSigns,
)
from vertebra.procedures.record.fields import (
    EVENT_FIELDS,
    MEDICATION_FIELDS,
    VITALS_FIELDS,
)
from vertebra.procedures.record.guard import (
    lock_open,
    patient_of,
)


def _add_entry(
    actor: Actor,
    procedure: ProcedureRecord,
    model: type[ClinicalRecord],
    fields: tuple[str, ...],
    data: Mapping[str, Any],
    summary: str,
    checks_: Any = None,
) -> Any:
    ensure(actor, Capability.PROCEDURE_RECORD)
    values = only_fields(data, fields)
    with transaction.atomic():
        record = lock_open(procedure.pk)
        entry = model(procedure=record, **values)  # type: ignore[misc]
        return create_record(
            entry,
            actor=actor,
            fields=fields,
            patient_of=patient_of,
            summary=summary,
            checks=checks_,
        )


def adverse_event_add(
    *, actor: Actor, procedure: ProcedureRecord, data: Mapping[str, Any]
) -> AdverseEvent:
    """An adverse event graded on the SIR scale [SIRAE2017]; "no adverse event" is cleared."""

    def described(event: AdverseEvent) -> dict[str, list[str]]:
        if event.kind == "other" and not event.description.strip():
            return {"description": ["Describe the event."]}
        return {}

    with transaction.atomic():
        event = _add_entry(
            actor, procedure, AdverseEvent, EVENT_FIELDS, data, "Adverse event recorded", described
        )
        record = event.procedure
        if record.no_adverse_events is not False:
            update_record(
                ProcedureRecord,
                pk=record.pk,
                actor=actor,
                expected_version=record.version,
                changes={"no_adverse_events": False},
                patient_of=patient_of,
                summary="Adverse events: present",
            )
    return event  # type: ignore[no-any-return]


def medication_add(
    *, actor: Actor, procedure: ProcedureRecord, data: Mapping[str, Any]
) -> Medication:
    return _add_entry(  # type: ignore[no-any-return]
        actor, procedure, Medication, MEDICATION_FIELDS, data, "Drug given recorded"
    )


def vitals_add(*, actor: Actor, procedure: ProcedureRecord, data: Mapping[str, Any]) -> VitalSigns:
    def some_value(vitals: VitalSigns) -> dict[str, list[str]]:
        if all(getattr(vitals, f) is None for f in VITALS_FIELDS[1:]):
            return {"__all__": ["Enter at least one observation."]}
        return {}

    return _add_entry(  # type: ignore[no-any-return]
        actor, procedure, VitalSigns, VITALS_FIELDS, data, "Vital signs recorded", some_value
    )


ENTRY_MODELS: dict[str, type[ClinicalRecord]] = {
    "level": ProcedureLevel,
    "leak": CementLeak,
    "adverse-event": AdverseEvent,
    "medication": Medication,
    "vitals": VitalSigns,
}


def entry_procedure(entry: ClinicalRecord) -> ProcedureRecord:
    if isinstance(entry, CementLeak):
        return entry.level.procedure
    return entry.procedure  # type: ignore[attr-defined,no-any-return]


def entry_retract(*, actor: Actor, entry: ClinicalRecord, reason: str) -> ClinicalRecord:
    """Mark an entry of an in-progress record entered in error (never deleted)."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    with transaction.atomic():
        record = lock_open(entry_procedure(entry).pk)
        return retract_record(
            type(entry),
            pk=entry.pk,
            actor=actor,
            reason=reason,
            patient_of=lambda _entry: record.patient,
            summary=f"{str(type(entry)._meta.verbose_name).capitalize()} entered in error",
        )
