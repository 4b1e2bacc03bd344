"""Consent: recording a signed consent and its withdrawal, each audited in its transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.errors import EditConflict, NotFound, TransitionNotAllowed, ValidationFailed
from vertebra.core.permissions import Capability, ensure
from vertebra.patients.models import Referral
from vertebra.patients.search import normalise
from vertebra.procedures.models import Consent, ConsentRisk, ConsentStatus, PatientInformation


def _name_matches(typed: str, given: str, family: str) -> bool:
    """The typed signature is the patient's full name, either order, ignoring case, accents and
    extra spaces."""
    words = normalise(typed).split()
    return words in (normalise(f"{given} {family}").split(), normalise(f"{family} {given}").split())


def consent_sign(
    *,
    actor: Actor,
    referral: Referral,
    information: PatientInformation,
    risks_discussed: Iterable[str],
    questions: str,
    typed_name: str,
    patient_confirmed: bool,
) -> Consent:
    """Record the patient's signed consent, witnessed by the staff member recording it."""
    ensure(actor, Capability.CONSENT_RECORD)
    patient = referral.patient
    chosen = set(risks_discussed)
    errors: dict[str, list[str]] = {}
    if not referral.is_active or not patient.is_active:
        errors["__all__"] = ["This referral was entered in error: no consent can be recorded."]
    if unknown := chosen - set(ConsentRisk.values):
        errors["risks_discussed"] = [f"Unknown risk: {', '.join(sorted(unknown))}."]
    elif not chosen:
        errors["risks_discussed"] = ["Tick the risks that were discussed with the patient."]
    if not _name_matches(typed_name, patient.given_name, patient.family_name):
        errors["typed_name"] = [
            f"The patient types their full name as registered ({patient.given_name} "
            f"{patient.family_name})."
        ]
    if not patient_confirmed:
        errors["patient_confirmed"] = ["The patient confirms that they consent."]
    witness = actor.user
    if witness is None:
        errors["__all__"] = ["A consent is witnessed by a member of staff."]
    if errors or witness is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            patient=patient,
            referral=referral,
            information=information,
            risks_discussed=[value for value in ConsentRisk.values if value in chosen],
            questions=questions.strip(),
            patient_typed_name=" ".join(typed_name.split()),
            patient_confirmed=True,
            witness=witness,
            signed_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="Consent",
            object_id=consent.public_id,
            patient=patient,
            summary=f"Consent signed (information version {information.version})",
            changes={
                "information_version": [None, information.version],
                "risks_discussed": [None, consent.risks_discussed],
                "patient_typed_name": [None, consent.patient_typed_name],
                "witness": [None, actor.username],
            },
        )
    return consent


def consent_withdraw(
    *, actor: Actor, consent_id: int, expected_version: int, reason: str
) -> Consent:
    """Withdrawal with a reason; the consent stays, marked withdrawn (who, when, why)."""
    ensure(actor, Capability.CONSENT_RECORD)
    if not reason.strip():
        raise ValidationFailed({"reason": ["Say why the consent is withdrawn."]})
    with transaction.atomic():
        consent = Consent.objects.select_for_update().filter(pk=consent_id).first()
        if consent is None:
            raise NotFound("No such consent.")
        if consent.version != expected_version:
            raise EditConflict(
                current_version=consent.version, current_values={"status": consent.status}
            )
        if consent.status != ConsentStatus.VALID:
            raise TransitionNotAllowed("This consent is already withdrawn.")
        consent.status = ConsentStatus.WITHDRAWN
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = actor.user
        consent.withdrawal_reason = reason.strip()
        consent.version += 1
        consent.save()
        audit_record(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            object_type="Consent",
            object_id=consent.public_id,
            patient=consent.patient,
            summary="Consent withdrawn",
            changes={"status": ["valid", "withdrawn"], "reason": consent.withdrawal_reason},
        )
    return consent
