"""The fractured levels of a referral, with their imaging findings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.permissions import Capability, require
from vertebra.patients import selectors, services
from vertebra.patients.forms import (
    FRACTURE_SECTIONS,
    FractureForm,
)
from vertebra.patients.views.editing import (
    form_sections,
    form_status,
    or_404,
    referral_or_404,
    retract_from_page,
    save_form,
)


@require(Capability.CLINICAL_EDIT)
@require_http_methods(["GET", "POST"])
def fracture_create(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_or_404(referral_id)
    form = FractureForm(request.POST or None)
    if request.method == "POST":
        fracture, _ = save_form(
            request,
            form,
            lambda actor, data, _v: services.fracture_create(
                actor=actor, referral=referral, data=data
            ),
        )
        if fracture is not None:
            messages.success(request, f"Fracture at {fracture.level} recorded.")
            return redirect("staff:patient_chart", patient_id=referral.patient.public_id)
    return render(
        request,
        "patients/fracture_form.html",
        {
            "form": form,
            "sections": form_sections(form, FRACTURE_SECTIONS),
            "referral": referral,
            "patient": referral.patient,
            "title": "Add fractured level",
            "nav": "patients",
        },
        status=form_status(form),
    )


@require(Capability.CLINICAL_EDIT)
@require_http_methods(["GET", "POST"])
def fracture_edit(request: HttpRequest, fracture_id: str) -> HttpResponse:
    fracture = or_404(selectors.fracture_get(public_id=fracture_id))
    referral = fracture.referral
    form = FractureForm(request.POST or None, instance=fracture)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_form(
            request,
            form,
            lambda actor, data, version: services.fracture_update(
                actor=actor, fracture=fracture, expected_version=version, data=data
            ),
        )
        if saved is not None:
            messages.success(request, f"Fracture at {saved.level} saved.")
            return redirect("staff:patient_chart", patient_id=referral.patient.public_id)
    return render(
        request,
        "patients/fracture_form.html",
        {
            "form": form,
            "sections": form_sections(form, FRACTURE_SECTIONS),
            "referral": referral,
            "patient": referral.patient,
            "fracture": fracture,
            "title": f"Edit fracture at {fracture.level}",
            "conflict": conflict,
            "nav": "patients",
        },
        status=409 if conflict else form_status(form),
    )


@require(Capability.RECORD_RETRACT)
@require_POST
def fracture_retract(request: HttpRequest, fracture_id: str) -> HttpResponse:
    fracture = or_404(selectors.fracture_get(public_id=fracture_id))
    return retract_from_page(
        request,
        fracture,
        services.fracture_enter_in_error,
        redirect("staff:patient_chart", patient_id=fracture.referral.patient.public_id),
        fracture=fracture,
    )
