"""Reading consents and the information texts."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from vertebra.patients.models import Referral
from vertebra.procedures.information import TOPIC
from vertebra.procedures.models import Consent, ConsentStatus, PatientInformation


def current_information() -> PatientInformation | None:
    return PatientInformation.objects.filter(topic=TOPIC).order_by("-version").first()


def consent_get(public_id: str) -> Consent | None:
    try:
        return (
            Consent.objects.select_related(
                "patient", "referral", "information", "witness", "withdrawn_by"
            )
            .filter(public_id=public_id)
            .first()
        )
    except ValidationError:
        return None


def referral_consents(referral: Referral) -> list[Consent]:
    return list(referral.consents.select_related("information", "witness").order_by("-signed_at"))


def valid_consent(referral: Referral) -> Consent | None:
    """The latest consent of the referral that is still valid (what a procedure needs)."""
    return referral.consents.filter(status=ConsentStatus.VALID).order_by("-signed_at").first()
