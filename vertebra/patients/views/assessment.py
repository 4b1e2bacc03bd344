"""A referral's clinical assessment and its antithrombotics."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError
from vertebra.core.permissions import Capability, require
from vertebra.patients import selectors, services
from vertebra.patients.forms import (
    ASSESSMENT_SECTIONS,
    AnticoagulantForm,
    AssessmentForm,
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
def assessment_edit(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_or_404(referral_id)
    assessment = referral.assessment
    form = AssessmentForm(request.POST or None, instance=assessment)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_form(
            request,
            form,
            lambda actor, data, version: services.assessment_update(
                actor=actor, assessment=assessment, expected_version=version, data=data
            ),
        )
        if saved is not None:
            messages.success(request, "Clinical assessment saved.")
            return redirect("staff:patient_chart", patient_id=referral.patient.public_id)
    drugs = assessment.anticoagulants.filter(record_status="active")
    return render(
        request,
        "patients/assessment_form.html",
        {
            "form": form,
            "sections": form_sections(form, ASSESSMENT_SECTIONS),
            "referral": referral,
            "patient": referral.patient,
            "conflict": conflict,
            "drugs": drugs,
            "drug_form": AnticoagulantForm(),
            "nav": "patients",
        },
        status=409 if conflict else form_status(form),
    )


@require(Capability.CLINICAL_EDIT)
@require_POST
def anticoagulant_add(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_or_404(referral_id)
    form = AnticoagulantForm(request.POST)
    back = redirect("staff:assessment_edit", referral_id=referral.public_id)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label if f in form.fields else ''}: {e[0]}"
            for f, e in form.errors.items()
        )
        messages.error(request, f"Antithrombotic not saved: {errors}")
        return back
    try:
        services.anticoagulant_add(
            actor=Actor.from_request(request),
            assessment=referral.assessment,
            data=form.service_data(),
        )
    except DomainError as exc:
        messages.error(request, f"Antithrombotic not saved: {exc.message}")
        return back
    messages.success(request, "Antithrombotic recorded.")
    return back


@require(Capability.RECORD_RETRACT)
@require_POST
def anticoagulant_retract(request: HttpRequest, drug_id: str) -> HttpResponse:
    drug = or_404(selectors.anticoagulant_get(public_id=drug_id))
    return retract_from_page(
        request,
        drug,
        services.anticoagulant_enter_in_error,
        redirect("staff:assessment_edit", referral_id=drug.assessment.referral.public_id),
        drug=drug,
    )
