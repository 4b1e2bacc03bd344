"""The demo clinic's consents and checklists: for referrals decided "proceed", the nurse has
recorded the patient's consent and started the pre-procedure checklist (fictitious people)."""

from __future__ import annotations

from vertebra.core.actor import Actor
from vertebra.core.models import User
from vertebra.evaluation.models import FinalChoice, FinalDecision
from vertebra.patients.models import Referral
from vertebra.procedures import checklist, services
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import ConsentRisk, PatientInformation


def load_demo_consents(limit: int = 5) -> int:
    nurse = Actor(user=User.objects.get(username="nurse"))
    information = install_version_1(PatientInformation)
    referral_ids = FinalDecision.objects.filter(choice=FinalChoice.PROCEED).values_list(
        "evaluation__referral_id", flat=True
    )
    referrals = Referral.objects.filter(pk__in=referral_ids).select_related("patient")[:limit]
    for referral in referrals:
        services.consent_sign(
            actor=nurse,
            referral=referral,
            information=information,  # type: ignore[arg-type]
            risks_discussed=ConsentRisk.values,
            questions="How long will I stay? A few hours; most people go home the same day.",
            typed_name=f"{referral.patient.given_name} {referral.patient.family_name}",
            patient_confirmed=True,
        )
        checklist.checklist_start(actor=nurse, referral=referral)
    return len(referrals)
