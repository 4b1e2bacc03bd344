"""`{% patient_banner %}`: the patient banner on every patient page, one line in each template.
It takes the page's `patient` and, when the page is about one referral, its `referral`."""

from __future__ import annotations

from typing import Any

from django import template

from vertebra.clinic.chart.banner import patient_banner as read_banner
from vertebra.patients.models import Patient, Referral

register = template.Library()


@register.inclusion_tag("clinic/_patient_banner.html", takes_context=True)
def patient_banner(context: Any) -> dict[str, Any]:
    patient = context.get("patient")
    if not isinstance(patient, Patient):
        return {"banner": None}
    referral = context.get("referral")
    if not isinstance(referral, Referral):
        # A page about an evaluation or a consent: the banner of its referral.
        about = context.get("evaluation") or context.get("consent")
        referral = getattr(about, "referral", None)
    return {"banner": read_banner(patient=patient, referral=referral)}
