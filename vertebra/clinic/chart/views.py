"""The chart page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vertebra.clinic.chart.services import patient_chart_open
from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError
from vertebra.core.permissions import Capability, require
from vertebra.evaluation.services import EVALUABLE_STATUSES
from vertebra.patients.models import ReferralStatus
from vertebra.patients.services import ALLOWED_TRANSITIONS
from vertebra.patients.spine_svg import spine_svg


@require(Capability.PATIENT_VIEW)
def patient_chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    try:
        chart = patient_chart_open(actor=Actor.from_request(request), patient_public_id=patient_id)
    except DomainError as exc:
        raise Http404 from exc
    return render(
        request,
        "clinic/chart.html",
        {
            "chart": chart,
            "patient": chart.patient,
            "spine_svg": spine_svg(chart.fractured_levels),
            "nav": "patients",
            "statuses": ReferralStatus,
            "transitions": ALLOWED_TRANSITIONS,
            "evaluable_statuses": EVALUABLE_STATUSES,
        },
    )
