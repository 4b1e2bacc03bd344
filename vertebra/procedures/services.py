"""Consent: recording a signed consent and its withdrawal, each audited in its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.errors import EditConflict, NotFound, TransitionNotAllowed, ValidationFailed
from vertebra.core.models import Role, User
from vertebra.core.permissions import Capability, ensure
from vertebra.patients.models import Referral
from vertebra.patients.search import normalise
from vertebra.procedures.models import (
    Consent,
    ConsentRisk,
    ConsentStatus,
    PatientInformation,
    SedationLevel,
)
from vertebra.procedures.rules.checks import LEVELS


@dataclass(frozen=True)
class ConsentDetails:
    """What was explained (issue 14 §6): the level(s), the sedation, the alternatives, who
    explained the risks, and the patient's capacity and any interpreter. The staff page requires
    every item; a caller that leaves one out gets it shown as "not recorded" on the consent."""

    levels: tuple[str, ...] = ()
    sedation_planned: str = ""
    alternatives_discussed: str = ""
    explained_by: User | None = None
    has_capacity: bool | None = None
    interpreter_used: bool | None = None
    interpreter_name: str = ""


def consent_explainer_roles() -> list[str]:
    """A physician always may explain the risks; the clinic may allow other roles (a setting)."""
    return [
        Role.PHYSICIAN,
        *(r for r in settings.VERTEBRA_CONSENT_EXPLAINER_ROLES if r != Role.PHYSICIAN),
    ]


def _details_problems(details: ConsentDetails) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if unknown := [level for level in details.levels if level not in LEVELS]:
        errors["levels"] = [f"Unknown level: {', '.join(unknown)}."]
    if details.sedation_planned and details.sedation_planned not in SedationLevel.values:
        errors["sedation_planned"] = ["Choose the anaesthesia or sedation from the list."]
    explainer = details.explained_by
    if explainer is not None and (
        not explainer.is_active or explainer.role not in consent_explainer_roles()
    ):
        allowed = ", ".join(consent_explainer_roles())
        errors["explained_by"] = [
            f"The risks are explained by a clinician of the role(s): {allowed}."
        ]
    if details.has_capacity is False:
        errors["has_capacity"] = [
            "A patient without capacity cannot sign this consent: follow the clinic's process "
            "for a patient who lacks capacity."
        ]
    if details.interpreter_used and not details.interpreter_name.strip():
        errors["interpreter_name"] = ["Name the interpreter and the language."]
    return errors


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
    details: ConsentDetails | None = None,
) -> Consent:
    """Record the patient's signed consent, witnessed by the staff member recording it."""
    ensure(actor, Capability.CONSENT_RECORD)
    details = details or ConsentDetails()
    patient = referral.patient
    chosen = set(risks_discussed)
    errors: dict[str, list[str]] = _details_problems(details)
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
            levels=[level for level in LEVELS if level in details.levels],
            sedation_planned=details.sedation_planned,
            alternatives_discussed=details.alternatives_discussed.strip(),
            explained_by=details.explained_by,
            has_capacity=details.has_capacity,
            interpreter_used=details.interpreter_used,
            interpreter_name=details.interpreter_name.strip() if details.interpreter_used else "",
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
                "levels": [None, consent.levels],
                "sedation_planned": [None, consent.sedation_planned or None],
                "explained_by": [
                    None,
                    details.explained_by.username if details.explained_by else None,
                ],
                "has_capacity": [None, consent.has_capacity],
                "interpreter": [None, consent.interpreter_name or consent.interpreter_used],
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
