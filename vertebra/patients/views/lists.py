"""The worklist and the patient search."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vertebra.core.permissions import Capability, require
from vertebra.patients import selectors
from vertebra.patients.models import ReferralStatus


@require(Capability.PATIENT_VIEW)
def worklist(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *ReferralStatus.values):
        status = None
    page = request.GET.get("page", "1")
    data = selectors.worklist(status=status, page=int(page) if page.isdigit() else 1)
    tabs = [(s.value, s.label, data.counts[s.value]) for s in ReferralStatus]
    return render(
        request, "patients/worklist.html", {"worklist": data, "tabs": tabs, "nav": "worklist"}
    )


@require(Capability.PATIENT_VIEW)
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    patients = list(selectors.patient_search(query=query))
    template = (
        "patients/_patient_rows.html"
        if getattr(request, "htmx", False)
        else "patients/patient_list.html"
    )
    return render(request, template, {"patients": patients, "q": query, "nav": "patients"})
