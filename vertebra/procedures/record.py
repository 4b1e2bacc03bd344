"""The procedure record's writes (clinical-reference §4.1–§4.4): start through the gate, fill
in while in progress, sign, add addenda. Each runs in one transaction with its audit event.

Every write first locks the record's row and refuses a signed one (RecordSigned) or one
entered in error, so two people saving at once never interleave and nothing reaches a signed
record; the database triggers of migration 0005 are the guarantee behind this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from vertebra.audit.models import AuditAction
from vertebra.audit.records import create_record, only_fields, retract_record, update_record
from vertebra.audit.services import audit_record, json_safe
from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    DuplicateRecord,
    EditConflict,
    Forbidden,
    NotReady,
    RecordInactive,
    RecordSigned,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import ClinicalRecord, RecordStatus, Role, User
from vertebra.core.permissions import Capability, ensure
from vertebra.patients.models import Fracture, Referral, ReferralStatus
from vertebra.patients.services import referral_set_status
from vertebra.procedures import selectors
from vertebra.procedures.checklist import procedure_gate
from vertebra.procedures.models import (
    AdverseEvent,
    CementLeak,
    ItemStatus,
    LeakageFinding,
    Medication,
    ProcedureAddendum,
    ProcedureLevel,
    ProcedureRecord,
    ProcedureStatus,
    VitalSigns,
)
from vertebra.procedures.rules import checks, dose
from vertebra.procedures.rules.record import sign_blockers

# A procedure starts once the physician has decided to treat (or for a second session).
STARTABLE = (ReferralStatus.DECIDED, ReferralStatus.SCHEDULED, ReferralStatus.TREATED)
# Fields of the record itself that the sections of the record page edit while in progress.
RECORD_FIELDS = (
    "operator",
    "team",
    "started_at",
    "ended_at",
    "position",
    "time_out_done",
    "sedation_level",
    "asa_class",
    "monitoring",
    "levels_reason",
    "no_adverse_events",
    "observation_start",
    "observation_end",
    "neuro_check",
    "neuro_note",
    "recovery_scale",
    "recovery_score",
    "discharged_at",
    "discharge_criteria_met",
    "disposition",
    "admission_reason",
    "follow_up_plan",
)
LEVEL_FIELDS = (
    "level",
    "approach",
    "side",
    "needle_gauge",
    "cavity_creation",
    "biopsy_taken",
    "cement_product",
    "cement_viscosity",
    "cement_lot",
    "cement_expiry",
    "volume_ml",
    "volume_confirmed",
    "leakage",
)
LEAK_FIELDS = ("leak_type", "location", "symptomatic", "action_taken")
EVENT_FIELDS = ("kind", "description", "sir_grade", "cirse_grade", "level", "treatment")
MEDICATION_FIELDS = ("kind", "agent", "concentration", "dose", "dose_unit", "route")
VITALS_FIELDS = (
    "taken_at",
    "systolic_mmhg",
    "diastolic_mmhg",
    "heart_rate_bpm",
    "spo2_percent",
    "respiratory_rate_per_min",
    "pain_nrs",
)
DOSE_FIELDS = {"fluoroscopy": "fluoroscopy_time_s", "kap": "kap_gy_cm2", "kar": "kar_mgy"}
SIGNED_MESSAGE = "This procedure record is signed and never changes: add an addendum instead."


def _patient_of(entry: Any) -> Any:
    procedure = entry if isinstance(entry, ProcedureRecord) else entry.procedure
    return procedure.patient


def _refuse_closed(record: ProcedureRecord) -> None:
    if record.status == ProcedureStatus.SIGNED:
        raise RecordSigned(SIGNED_MESSAGE)
    if record.record_status != RecordStatus.ACTIVE:
        raise RecordInactive("This procedure record was entered in error and can't be changed.")


def _lock_open(procedure_pk: int) -> ProcedureRecord:
    """Lock the record's row for the rest of the transaction; refuse a closed record."""
    record = (
        ProcedureRecord.objects.select_for_update(of=("self",))
        .select_related("patient")
        .get(pk=procedure_pk)
    )
    _refuse_closed(record)
    return record


def _audit(
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


def _check_operator(operator: User | None) -> dict[str, list[str]]:
    if operator is None or operator.role != Role.PHYSICIAN or not operator.is_active:
        return {"operator": ["The operator is an active physician of the clinic."]}
    return {}


# --- Start: the gate ------------------------------------------------------------------------


def procedure_start(
    *, actor: Actor, referral: Referral, operator: User | None, emergency_reason: str = ""
) -> ProcedureRecord:
    """Open the record of a session. Needs a valid consent and a ready checklist; otherwise
    only a physician may start, with an emergency override whose reason is kept with what it
    overrode."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    if (errors := _check_operator(operator)) or operator is None:
        raise ValidationFailed(errors)
    reason = emergency_reason.strip()
    with transaction.atomic():
        # Locking the referral serialises two starts of the same session.
        referral = (
            Referral.objects.select_for_update().select_related("patient").get(pk=referral.pk)
        )
        if not referral.is_active or not referral.patient.is_active:
            raise ValidationFailed({"__all__": ["This referral was entered in error."]})
        if referral.status not in STARTABLE:
            raise TransitionNotAllowed(
                f"The referral is {referral.get_status_display().lower()}: a procedure starts "
                "once the physician has decided to treat."
            )
        if ProcedureRecord.objects.filter(
            referral=referral, status=ProcedureStatus.IN_PROGRESS, record_status=RecordStatus.ACTIVE
        ).exists():
            raise DuplicateRecord("A procedure of this referral is already in progress: open it.")
        blocking = list(procedure_gate(referral).blocking)
        if blocking and not reason:
            raise NotReady("The procedure can't start yet:", blocking)
        if blocking:
            try:
                ensure(actor, Capability.PROCEDURE_SIGN)
            except Forbidden as exc:
                raise Forbidden("Only a physician may start with an emergency override.") from exc
        checklist = referral.checklists.order_by("-created_at", "-pk").first()
        time_out = checklist.items.filter(key="time_out").first() if checklist else None
        record = ProcedureRecord.objects.create(
            patient=referral.patient,
            referral=referral,
            consent=selectors.valid_consent(referral),
            checklist=checklist,
            gate_blocking=blocking,
            emergency_override_reason=reason if blocking else "",
            emergency_override_by=actor.user if blocking else None,
            operator=operator,
            started_at=timeutil.now(),
            time_out_done=_time_out_done(time_out.status if time_out else None),
        )
        changes: dict[str, Any] = {
            "operator": [None, operator.username],
            "consent": [None, str(record.consent.public_id) if record.consent else None],
            "checklist": [None, str(checklist.public_id) if checklist else None],
        }
        if blocking:
            changes["emergency_override"] = {"reason": reason, "overrode": blocking}
        _audit(
            actor,
            AuditAction.CREATE,
            record,
            "Procedure started" + (" with an emergency override" if blocking else ""),
            changes,
        )
    return record


def _time_out_done(item_status: str | None) -> bool | None:
    """The checklist's time-out item: met → done, not met → not done, otherwise unknown."""
    return {ItemStatus.MET.value: True, ItemStatus.NOT_MET.value: False}.get(item_status or "")


# --- While in progress --------------------------------------------------------------------


def _record_checks(record: ProcedureRecord) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, start, end in (
        ("ended_at", record.started_at, record.ended_at),
        ("observation_end", record.observation_start, record.observation_end),
    ):
        for problem in checks.check_interval(field, start, end):
            errors.setdefault(problem.field, []).append(problem.message)
    errors |= _check_operator(record.operator)
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
        _lock_open(procedure.pk)
        return update_record(
            ProcedureRecord,
            pk=procedure.pk,
            actor=actor,
            expected_version=expected_version,
            changes=values,
            patient_of=_patient_of,
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
        _lock_open(procedure.pk)
        return update_record(
            ProcedureRecord,
            pk=procedure.pk,
            actor=actor,
            expected_version=expected_version,
            changes=changes,
            patient_of=_patient_of,
            summary="Imaging guidance and dose recorded",
        )


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
        patient_of=_patient_of,
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
        record = _lock_open(procedure.pk)
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
            patient_of=_patient_of,
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
        record = _lock_open(level.procedure_id)
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
            patient_of=_patient_of,
            summary=f"Procedure level {merged['level']} edited",
        )


def leak_add(*, actor: Actor, level: ProcedureLevel, data: Mapping[str, Any]) -> CementLeak:
    """A leak at a level [YEOM2003]; the level's leakage becomes "present"."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    values = only_fields(data, LEAK_FIELDS)
    with transaction.atomic():
        record = _lock_open(level.procedure_id)
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
        record = _lock_open(procedure.pk)
        entry = model(procedure=record, **values)  # type: ignore[misc]
        return create_record(
            entry,
            actor=actor,
            fields=fields,
            patient_of=_patient_of,
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
                patient_of=_patient_of,
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
        record = _lock_open(entry_procedure(entry).pk)
        return retract_record(
            type(entry),
            pk=entry.pk,
            actor=actor,
            reason=reason,
            patient_of=lambda _entry: record.patient,
            summary=f"{str(type(entry)._meta.verbose_name).capitalize()} entered in error",
        )


def procedure_enter_in_error(
    *, actor: Actor, procedure: ProcedureRecord, reason: str
) -> ProcedureRecord:
    """An in-progress record opened by mistake (wrong patient, say). A signed one is never
    retracted: an addendum says what is wrong with it."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    with transaction.atomic():
        _lock_open(procedure.pk)
        return retract_record(
            ProcedureRecord,
            pk=procedure.pk,
            actor=actor,
            reason=reason,
            patient_of=_patient_of,
            summary="Procedure record entered in error",
        )


# --- Signing and addenda ------------------------------------------------------------------


def procedure_sign(
    *, actor: Actor, procedure: ProcedureRecord, expected_version: int
) -> ProcedureRecord:
    """The operator signs a complete record. What the record computes (codes, dose flag,
    warnings, the settings used) is kept with it as signed; the referral becomes treated."""
    ensure(actor, Capability.PROCEDURE_SIGN)
    with transaction.atomic():
        record = _lock_open(procedure.pk)
        if record.version != expected_version:
            raise EditConflict(current_version=record.version, current_values={})
        if actor.user is not None and actor.user.pk != record.operator_id:
            raise Forbidden(f"Only the operator, {record.operator}, signs this record.")
        view = selectors.procedure_view(record)
        if blockers := sign_blockers(view.facts):
            raise NotReady("The record can't be signed yet. Still to record:", blockers)
        record.status = ProcedureStatus.SIGNED
        record.signed_at = timeutil.now()
        record.signed_by = actor.user or record.operator
        record.signed_summary = json_safe(view.summary)
        record.version += 1
        # The signing UPDATE is the last one the database accepts for this row.
        record.save()
        _audit(
            actor,
            AuditAction.STATUS_CHANGE,
            record,
            "Procedure record signed",
            {
                "status": [ProcedureStatus.IN_PROGRESS, ProcedureStatus.SIGNED],
                "version": [record.version - 1, record.version],
                "codes": [code["code"] for code in view.summary["coding"]["procedure"]],
            },
        )
        referral = record.referral
        if referral.status in (ReferralStatus.DECIDED, ReferralStatus.SCHEDULED):
            referral_set_status(
                actor=actor,
                referral=referral,
                to_status=ReferralStatus.TREATED,
                reason="Procedure record signed",
            )
    return record


def addendum_add(
    *, actor: Actor, procedure: ProcedureRecord, reason: str, text: str
) -> ProcedureAddendum:
    """A correction or addition to a signed record: who, when, why; shown with the record."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["Say why the addendum is needed."]
    if not text.strip():
        errors["text"] = ["Write the addendum."]
    if errors:
        raise ValidationFailed(errors)
    if actor.user is None:
        raise ValidationFailed({"__all__": ["An addendum is written by a member of staff."]})
    with transaction.atomic():
        record = (
            ProcedureRecord.objects.select_for_update()
            .select_related("patient")
            .get(pk=procedure.pk)
        )
        if record.status != ProcedureStatus.SIGNED:
            raise TransitionNotAllowed(
                "The record is not signed yet: correct it directly; addenda follow signing."
            )
        addendum = ProcedureAddendum.objects.create(
            procedure=record, author=actor.user, reason=reason.strip(), text=text.strip()
        )
        _audit(
            actor,
            AuditAction.CREATE,
            record,
            "Addendum to a signed procedure record",
            {"addendum": str(addendum.public_id), "reason": addendum.reason, "text": addendum.text},
        )
    return addendum
