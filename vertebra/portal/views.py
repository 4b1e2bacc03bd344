"""The patient portal. Every page shows only the logged-in patient's own record."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vertebra.core.actor import Actor
from vertebra.core.models import RecordStatus
from vertebra.core.permissions import Capability, require
from vertebra.patients.models import Patient, Referral
from vertebra.patients.services import patient_read_audited


def own_patient(request: HttpRequest) -> Patient | None:
    """The patient record linked to this login: the only one the portal ever reads."""
    return Patient.objects.filter(
        user_id=request.user.pk or 0, record_status=RecordStatus.ACTIVE
    ).first()


@require(Capability.PORTAL)
def home(request: HttpRequest) -> HttpResponse:
    patient = own_patient(request)
    referrals: list[Referral] = []
    if patient is not None:
        referrals = list(
            patient.referrals.filter(record_status=RecordStatus.ACTIVE)
            .prefetch_related("fractures")
            .order_by("-referral_date")
        )
        patient_read_audited(
            actor=Actor.from_request(request),
            patient=patient,
            what="Patient opened their portal record",
        )
    return render(request, "portal/home.html", {"patient": patient, "referrals": referrals})
