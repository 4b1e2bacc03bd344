"""Every write to patients, referrals, fractures and clinical assessments.

Each service takes keyword-only arguments, checks the actor's capability (behind the view's own
check), validates, writes in one transaction and records its audit event in that transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.audit.records import create_record, only_fields, retract_record, update_record
from vertebra.audit.services import audit_record
from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    DuplicateRecord,
    Forbidden,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import RecordStatus, system_user
from vertebra.core.permissions import Capability, ensure, has_capability
from vertebra.patients.models import (
    Anticoagulant,
    ClinicalAssessment,
    Fracture,
    Patient,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from vertebra.patients.search import search_text

PATIENT_FIELDS = ("mrn", "family_name", "given_name", "birth_date", "sex", "phone", "email")
REFERRAL_FIELDS = ("referring_clinician", "reason", "referral_date")
ANTICOAGULANT_FIELDS = ("drug", "last_dose_date", "last_dose_time", "intensity")
_RECORD_FIELDS = {
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "version",
    "record_status",
    "entered_in_error_reason",
}
ASSESSMENT_FIELDS = tuple(
    f.name
    for f in ClinicalAssessment._meta.concrete_fields
    if f.name not in _RECORD_FIELDS | {"referral"}
)
FRACTURE_FIELDS = tuple(
    f.name for f in Fracture._meta.concrete_fields if f.name not in _RECORD_FIELDS | {"referral"}
)


def _no_future(field: str, label: str) -> Callable[[Any], dict[str, list[str]]]:
    """A check (run with the model's validation) that a date is not after today in the clinic."""

    def check(instance: Any) -> dict[str, list[str]]:
        value = getattr(instance, field)
        if isinstance(value, dt.date) and value > timeutil.clinic_today():
            return {field: [f"{label} can't be in the future."]}
        return {}

    return check


# The candidate snapshot's age range (clinical-reference §2.1, parsed as 0–150): an older date
# of birth is a typing error, and the evaluation could not read it.
MAX_AGE_YEARS = 150


def _birth_date_checks(instance: Any) -> dict[str, list[str]]:
    errors = _no_future("birth_date", "Date of birth")(instance)
    born = instance.birth_date
    too_old = (
        not errors
        and isinstance(born, dt.date)
        and timeutil.age_in_years(born, timeutil.clinic_today()) > MAX_AGE_YEARS
    )
    if too_old:
        message = f"Date of birth is more than {MAX_AGE_YEARS} years ago: check the year."
        errors = {"birth_date": [message]}
    return errors


def _referral_date_checks(instance: Any) -> dict[str, list[str]]:
    """A referral is dated between the patient's birth and today: 0053-01-01 is a typing error
    (and the evaluation would read the patient's age at referral from it)."""
    errors = _no_future("referral_date", "Referral date")(instance)
    when = instance.referral_date
    born = instance.patient.birth_date
    if not errors and isinstance(when, dt.date) and isinstance(born, dt.date) and when < born:
        errors = {
            "referral_date": [
                f"Referral date can't be before the patient's date of birth ({born:%Y-%m-%d})."
            ]
        }
    return errors


def _fracture_date_checks(instance: Any) -> dict[str, list[str]]:
    """Onset and imaging dates are facts of the past; a future one is a typing error that the
    evaluation would take at its word (a recent fracture, a hold interval)."""
    errors: dict[str, list[str]] = {}
    for field, label in (("onset_date", "Onset date"), ("imaging_date", "Imaging date")):
        errors.update(_no_future(field, label)(instance))
    return errors


# --- Patients -------------------------------------------------------------------------------


def _refresh_search_text(patient: Patient) -> None:
    patient.mrn = patient.mrn.strip()
    patient.family_name = patient.family_name.strip()
    patient.given_name = patient.given_name.strip()
    patient.search_text = search_text(patient.family_name, patient.given_name, patient.mrn)


def _check_mrn_free(mrn: str, *, except_pk: int | None = None) -> None:
    clash = Patient.objects.filter(mrn__iexact=mrn.strip()).exclude(pk=except_pk or 0).first()
    if clash is not None:
        raise DuplicateRecord(
            f"MRN {clash.mrn} already belongs to another patient. Check the number, or open "
            "the existing record instead of creating a duplicate.",
            field="mrn",
        )


def patient_create(*, actor: Actor, data: Mapping[str, Any]) -> Patient:
    ensure(actor, Capability.PATIENT_EDIT)
    values = only_fields(data, PATIENT_FIELDS)
    patient = Patient(**values)
    _refresh_search_text(patient)
    return create_record(
        patient,
        actor=actor,
        fields=PATIENT_FIELDS,
        patient_of=lambda p: p,
        summary=f"Registered patient {patient.mrn}",
        exclude=("search_text",),
        checks=_birth_date_checks,
        conflicts=lambda p: _check_mrn_free(p.mrn),
    )


def patient_update(
    *, actor: Actor, patient: Patient, expected_version: int, data: Mapping[str, Any]
) -> Patient:
    ensure(actor, Capability.PATIENT_EDIT)
    values = only_fields(data, PATIENT_FIELDS)
    return update_record(
        Patient,
        pk=patient.pk,
        actor=actor,
        expected_version=expected_version,
        changes=values,
        patient_of=lambda p: p,
        summary="Edited demographics",
        derived=_refresh_search_text,
        checks=_birth_date_checks,
        conflicts=lambda p: _check_mrn_free(p.mrn, except_pk=p.pk),
    )


def patient_enter_in_error(*, actor: Actor, patient: Patient, reason: str) -> Patient:
    """Retract the patient and, in the same transaction, their referrals (which the worklist
    then no longer shows)."""
    ensure(actor, Capability.RECORD_RETRACT)
    with transaction.atomic():
        retracted = retract_record(
            Patient,
            pk=patient.pk,
            actor=actor,
            reason=reason,
            patient_of=lambda p: p,
            summary="Patient record marked entered in error",
        )
        for referral in patient.referrals.filter(record_status=RecordStatus.ACTIVE):
            retract_record(
                Referral,
                pk=referral.pk,
                actor=actor,
                reason=f"Patient record entered in error: {reason.strip()}",
                patient_of=lambda r: r.patient,
                summary="Referral retracted with its patient record",
            )
    return retracted


# --- Referrals ------------------------------------------------------------------------------

# Forward along the pathway; back one step when a plan changes; close from anywhere; reopen.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.REFERRED: (ReferralStatus.EVALUATING, ReferralStatus.CLOSED),
    ReferralStatus.EVALUATING: (
        ReferralStatus.DECIDED,
        ReferralStatus.REFERRED,
        ReferralStatus.CLOSED,
    ),
    # Decided → treated: a procedure done without a booking (an inpatient, say).
    ReferralStatus.DECIDED: (
        ReferralStatus.SCHEDULED,
        ReferralStatus.TREATED,
        ReferralStatus.EVALUATING,
        ReferralStatus.CLOSED,
    ),
    ReferralStatus.SCHEDULED: (
        ReferralStatus.TREATED,
        ReferralStatus.DECIDED,
        ReferralStatus.CLOSED,
    ),
    ReferralStatus.TREATED: (ReferralStatus.IN_FOLLOW_UP, ReferralStatus.CLOSED),
    ReferralStatus.IN_FOLLOW_UP: (ReferralStatus.CLOSED,),
    ReferralStatus.CLOSED: (ReferralStatus.REFERRED,),
}
_ORDER = list(ReferralStatus.values)


def transition_needs_reason(from_status: str, to_status: str) -> bool:
    """Closing, reopening and any step backwards must say why."""
    return to_status == ReferralStatus.CLOSED or _ORDER.index(to_status) < _ORDER.index(from_status)


# The records that normally make these moves: the physician's final decision on an evaluation
# ("decided") and the procedure record ("treated"). Made by hand instead, the move must say why,
# so that a status never claims a record nobody can find without an explanation beside it.
_RECORDED_MOVES = {
    ReferralStatus.DECIDED: (
        "Say why the referral is decided without a final decision recorded on an evaluation "
        "(recording the decision there moves it)."
    ),
    ReferralStatus.TREATED: (
        "Say why the referral is treated without a procedure record (completing the procedure "
        "record moves it)."
    ),
}


def referral_create(*, actor: Actor, patient: Patient, data: Mapping[str, Any]) -> Referral:
    ensure(actor, Capability.REFERRAL_CREATE)
    values = only_fields(data, REFERRAL_FIELDS)
    if not patient.is_active:
        raise ValidationFailed({"__all__": ["This patient record was entered in error."]})
    referral = Referral(patient=patient, status=ReferralStatus.REFERRED, **values)
    with transaction.atomic():
        create_record(
            referral,
            actor=actor,
            fields=(*REFERRAL_FIELDS, "status"),
            patient_of=lambda r: r.patient,
            summary=f"New referral from {referral.referring_clinician}",
            checks=_referral_date_checks,
        )
        ClinicalAssessment.objects.create(referral=referral)
    return referral


def referral_update(
    *, actor: Actor, referral: Referral, expected_version: int, data: Mapping[str, Any]
) -> Referral:
    ensure(actor, Capability.CLINICAL_EDIT)
    values = only_fields(data, REFERRAL_FIELDS)
    return update_record(
        Referral,
        pk=referral.pk,
        actor=actor,
        expected_version=expected_version,
        changes=values,
        patient_of=lambda r: r.patient,
        summary="Edited referral",
        checks=_referral_date_checks,
    )


def referral_set_status(
    *,
    actor: Actor,
    referral: Referral,
    to_status: str,
    reason: str = "",
    expected_version: int | None = None,
    by_hand: bool = False,
) -> Referral:
    """Move a referral along the pathway; the move is kept in its history and audited.
    ``by_hand``: a user's own move (the status control, the API), not one a record makes."""
    ensure(actor, Capability.CLINICAL_EDIT)
    if to_status not in ReferralStatus.values:
        raise ValidationFailed({"status": [f"Unknown status {to_status!r}."]})
    if (
        to_status == ReferralStatus.DECIDED
        and actor.user is not None
        and not has_capability(actor.user, Capability.REFERRAL_DECIDE)
    ):
        raise Forbidden("Only a physician records the decision to treat.", field="status")
    with transaction.atomic():
        current = Referral.objects.select_for_update().select_related("patient").get(pk=referral.pk)
        if current.record_status != RecordStatus.ACTIVE:
            raise ValidationFailed({"__all__": ["This referral was entered in error."]})
        if expected_version is not None and current.version != expected_version:
            raise TransitionNotAllowed(
                "The referral changed since you opened it: reload and try again.", field="status"
            )
        if to_status not in ALLOWED_TRANSITIONS[current.status]:
            allowed = ", ".join(
                ReferralStatus(s).label for s in ALLOWED_TRANSITIONS[current.status]
            )
            raise TransitionNotAllowed(
                f"A referral that is {current.get_status_display().lower()} can move to: "
                f"{allowed}.",
                field="status",
            )
        if transition_needs_reason(current.status, to_status) and not reason.strip():
            raise ValidationFailed({"reason": ["Say why (closing or moving back needs a reason)."]})
        if by_hand and to_status in _RECORDED_MOVES and not reason.strip():
            raise ValidationFailed({"reason": [_RECORDED_MOVES[ReferralStatus(to_status)]]})
        from_status = current.status
        current.status = to_status
        current.version += 1
        current.save(update_fields=["status", "version", "updated_at"])
        ReferralStatusChange.objects.create(
            referral=current,
            from_status=from_status,
            to_status=to_status,
            reason=reason.strip(),
            changed_by=actor.user or system_user(),
            changed_at=timeutil.now(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            object_type="Referral",
            object_id=current.public_id,
            patient=current.patient,
            summary=(
                f"Referral {ReferralStatus(from_status).label} → {ReferralStatus(to_status).label}"
            ),
            changes={
                "status": [from_status, to_status],
                "reason": reason.strip(),
                "version": [current.version - 1, current.version],
            },
        )
    return current


def referral_enter_in_error(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    ensure(actor, Capability.RECORD_RETRACT)
    return retract_record(
        Referral,
        pk=referral.pk,
        actor=actor,
        reason=reason,
        patient_of=lambda r: r.patient,
        summary="Referral marked entered in error",
    )


# --- Clinical assessment --------------------------------------------------------------------


def assessment_update(
    *,
    actor: Actor,
    assessment: ClinicalAssessment,
    expected_version: int,
    data: Mapping[str, Any],
) -> ClinicalAssessment:
    ensure(actor, Capability.CLINICAL_EDIT)
    values = only_fields(data, ASSESSMENT_FIELDS)
    return update_record(
        ClinicalAssessment,
        pk=assessment.pk,
        actor=actor,
        expected_version=expected_version,
        changes=values,
        patient_of=lambda a: a.referral.patient,
        summary="Updated clinical assessment",
    )


def anticoagulant_add(
    *, actor: Actor, assessment: ClinicalAssessment, data: Mapping[str, Any]
) -> Anticoagulant:
    ensure(actor, Capability.CLINICAL_EDIT)
    values = only_fields(data, ANTICOAGULANT_FIELDS)
    drug = Anticoagulant(assessment=assessment, **values)
    drug.drug = drug.drug.strip()
    return create_record(
        drug,
        actor=actor,
        fields=ANTICOAGULANT_FIELDS,
        patient_of=lambda d: d.assessment.referral.patient,
        summary=f"Recorded antithrombotic {drug.drug}",
        checks=_no_future("last_dose_date", "Last dose date"),
    )


def anticoagulant_enter_in_error(
    *, actor: Actor, drug: Anticoagulant, reason: str
) -> Anticoagulant:
    ensure(actor, Capability.RECORD_RETRACT)
    return retract_record(
        Anticoagulant,
        pk=drug.pk,
        actor=actor,
        reason=reason,
        patient_of=lambda d: d.assessment.referral.patient,
        summary=f"Antithrombotic {drug.drug} marked entered in error",
    )


# --- Fractures ------------------------------------------------------------------------------


def _check_level_free(fracture: Fracture) -> None:
    clash = (
        Fracture.objects.filter(
            referral_id=fracture.referral_id,
            level=fracture.level,
            record_status=RecordStatus.ACTIVE,
        )
        .exclude(pk=fracture.pk or 0)
        .exists()
    )
    if clash:
        raise ValidationFailed(
            {"level": [f"{fracture.level} is already recorded for this referral."]}
        )


def fracture_create(*, actor: Actor, referral: Referral, data: Mapping[str, Any]) -> Fracture:
    ensure(actor, Capability.CLINICAL_EDIT)
    values = only_fields(data, FRACTURE_FIELDS)
    fracture = Fracture(referral=referral, **values)
    return create_record(
        fracture,
        actor=actor,
        fields=FRACTURE_FIELDS,
        patient_of=lambda f: f.referral.patient,
        summary=f"Recorded fracture at {fracture.level}",
        checks=_fracture_date_checks,
        conflicts=_check_level_free,
    )


def fracture_update(
    *, actor: Actor, fracture: Fracture, expected_version: int, data: Mapping[str, Any]
) -> Fracture:
    ensure(actor, Capability.CLINICAL_EDIT)
    values = only_fields(data, FRACTURE_FIELDS)
    return update_record(
        Fracture,
        pk=fracture.pk,
        actor=actor,
        expected_version=expected_version,
        changes=values,
        patient_of=lambda f: f.referral.patient,
        summary=f"Edited fracture at {values.get('level', fracture.level)}",
        checks=_fracture_date_checks,
        conflicts=_check_level_free,
    )


def fracture_enter_in_error(*, actor: Actor, fracture: Fracture, reason: str) -> Fracture:
    ensure(actor, Capability.RECORD_RETRACT)
    return retract_record(
        Fracture,
        pk=fracture.pk,
        actor=actor,
        reason=reason,
        patient_of=lambda f: f.referral.patient,
        summary=f"Fracture at {fracture.level} marked entered in error",
    )


# --- Reads that are audited -----------------------------------------------------------------


def patient_read_audited(*, actor: Actor, patient: Patient, what: str) -> None:
    """Record a read of patient data outside the chart (API, portal, FHIR)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="Patient",
            object_id=patient.public_id,
            patient=patient,
            summary=what,
        )
