"""The levels treated and their cement leaks (clinical-reference §4.2): each level checked
against the referral's fractures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from vertebra.audit.records import create_record, only_fields, update_record
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    RecordInactive,
    ValidationFailed,
)
from vertebra.core.models import RecordStatus
from vertebra.core.permissions import Capability, ensure
from vertebra.patients.models import Fracture
from vertebra.procedures.models import (
    CementLeak,
    LeakageFinding,
    ProcedureLevel,
    ProcedureRecord,
)
from vertebra.procedures.record.fields import (
    LEAK_FIELDS,
    LEVEL_FIELDS,
)
from vertebra.procedures.record.guard import (
    lock_open,
    patient_of,
)
from vertebra.procedures.rules import checks


def _level_problems(
    record: ProcedureRecord, values: Mapping[str, Any], *, except_pk: int | None
) -> dict[str, list[str]]:
    """§4.2 entry checks for one level among the session's others."""
    others = [
        level
        for level in record.levels.filter(record_status=RecordStatus.ACTIVE).order_by("position")
        if level.pk != except_pk
    ]
    entries = [checks.LevelEntry(level.level, None) for level in others]
    entries.append(checks.LevelEntry(values.get("level", ""), values.get("volume_ml")))
    problems = checks.check_levels(
        entries,
        levels_reason=record.levels_reason,
        volumes_confirmed=bool(values.get("volume_confirmed")),
    )
    errors: dict[str, list[str]] = {}
    for problem in problems:
        field = problem.field.rsplit(".", 1)[-1]
        message = problem.message[0].upper() + problem.message[1:] + "."
        if problem.kind == checks.CONFIRM:
            message += " Tick the confirmation to keep it."
        errors.setdefault(field, []).append(message)
    return errors


def _fracture_at(record: ProcedureRecord, level: str) -> Fracture | None:
    return Fracture.objects.filter(
        referral_id=record.referral_id, level=level, record_status=RecordStatus.ACTIVE
    ).first()


def _set_levels_reason(actor: Actor, record: ProcedureRecord, reason: str | None) -> None:
    if reason is None or reason.strip() == record.levels_reason:
        return
    update_record(
        ProcedureRecord,
        pk=record.pk,
        actor=actor,
        expected_version=record.version,
        changes={"levels_reason": reason.strip()},
        patient_of=patient_of,
        summary="Reason for more than 3 levels recorded",
    )
    record.refresh_from_db()


def level_add(
    *,
    actor: Actor,
    procedure: ProcedureRecord,
    data: Mapping[str, Any],
    levels_reason: str | None = None,
) -> ProcedureLevel:
    """Add the next level treated; the session's order of levels is the order of entry."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    values = only_fields(data, LEVEL_FIELDS)
    with transaction.atomic():
        record = lock_open(procedure.pk)
        _set_levels_reason(actor, record, levels_reason)
        if errors := _level_problems(record, values, except_pk=None):
            raise ValidationFailed(errors)
        position = record.levels.aggregate(last=Max("position"))["last"]
        level = ProcedureLevel(
            procedure=record,
            position=0 if position is None else position + 1,
            fracture=_fracture_at(record, values.get("level", "")),
            **values,
        )
        return create_record(
            level,
            actor=actor,
            fields=LEVEL_FIELDS,
            patient_of=patient_of,
            summary=f"Procedure level {level.level} recorded",
        )


def level_update(
    *,
    actor: Actor,
    level: ProcedureLevel,
    expected_version: int,
    data: Mapping[str, Any],
    levels_reason: str | None = None,
) -> ProcedureLevel:
    ensure(actor, Capability.PROCEDURE_RECORD)
    values = only_fields(data, LEVEL_FIELDS)
    with transaction.atomic():
        record = lock_open(level.procedure_id)
        _set_levels_reason(actor, record, levels_reason)
        merged = {field: getattr(level, field) for field in LEVEL_FIELDS} | values
        errors = _level_problems(record, merged, except_pk=level.pk)
        has_leaks = level.leaks.filter(record_status=RecordStatus.ACTIVE).exists()
        if has_leaks and merged.get("leakage") != LeakageFinding.PRESENT:
            errors.setdefault("leakage", []).append(
                "Leaks are recorded at this level: mark them entered in error first."
            )
        if errors:
            raise ValidationFailed(errors)
        if "level" in values:
            values["fracture"] = _fracture_at(record, values["level"])
        return update_record(
            ProcedureLevel,
            pk=level.pk,
            actor=actor,
            expected_version=expected_version,
            changes=values,
            patient_of=patient_of,
            summary=f"Procedure level {merged['level']} edited",
        )


def leak_add(*, actor: Actor, level: ProcedureLevel, data: Mapping[str, Any]) -> CementLeak:
    """A leak at a level [YEOM2003]; the level's leakage becomes "present"."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    values = only_fields(data, LEAK_FIELDS)
    with transaction.atomic():
        record = lock_open(level.procedure_id)
        level = ProcedureLevel.objects.select_for_update().get(pk=level.pk)
        if not level.is_active:
            raise RecordInactive("This level was entered in error.")
        leak = create_record(
            CementLeak(level=level, **values),
            actor=actor,
            fields=LEAK_FIELDS,
            patient_of=lambda _leak: record.patient,
            summary=f"Cement leak at {level.level} recorded",
        )
        if level.leakage != LeakageFinding.PRESENT:
            update_record(
                ProcedureLevel,
                pk=level.pk,
                actor=actor,
                expected_version=level.version,
                changes={"leakage": LeakageFinding.PRESENT},
                patient_of=lambda _level: record.patient,
                summary=f"Leakage at {level.level}: present",
            )
    return leak
