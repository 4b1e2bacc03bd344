"""Registering a patient, editing demographics, and retracting a patient record."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.permissions import Capability, require
from vertebra.patients import selectors, services
from vertebra.patients.forms import (
    PatientForm,
    RetractForm,
)
from vertebra.patients.views.editing import (
    form_status,
    or_404,
    save_form,
)


@require(Capability.PATIENT_EDIT)
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST":
        patient, _ = save_form(
            request,
            form,
            lambda actor, data, _v: services.patient_create(actor=actor, data=data),
        )
        if patient is not None:
            messages.success(request, f"Registered {patient.display_name} ({patient.mrn}).")
            return redirect("staff:patient_chart", patient_id=patient.public_id)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "title": "New patient", "nav": "patients"},
        status=form_status(form),
    )


@require(Capability.PATIENT_EDIT)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = or_404(selectors.patient_get(public_id=patient_id))
    form = PatientForm(request.POST or None, instance=patient)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_form(
            request,
            form,
            lambda actor, data, version: services.patient_update(
                actor=actor, patient=patient, expected_version=version, data=data
            ),
        )
        if saved is not None:
            messages.success(request, "Demographics saved.")
            return redirect("staff:patient_chart", patient_id=patient.public_id)
    return render(
        request,
        "patients/patient_form.html",
        {
            "form": form,
            "title": f"Edit {patient.display_name}",
            "patient": patient,
            "conflict": conflict,
            "nav": "patients",
        },
        status=409 if conflict else form_status(form),
    )


@require(Capability.RECORD_RETRACT)
@require_POST
def patient_retract(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = or_404(selectors.patient_get(public_id=patient_id))
    form = RetractForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the record was entered in error. Nothing was changed.")
        return redirect("staff:patient_chart", patient_id=patient.public_id)
    services.patient_enter_in_error(
        actor=Actor.from_request(request), patient=patient, reason=form.cleaned_data["reason"]
    )
    messages.success(request, f"{patient.display_name}'s record was marked entered in error.")
    return redirect("staff:patient_list")
