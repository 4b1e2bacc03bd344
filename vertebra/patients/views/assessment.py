"""A referral's clinical assessment and its antithrombotics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError
from vertebra.core.permissions import Capability, require
from vertebra.patients import selectors, services
from vertebra.patients.forms import (
    AnticoagulantForm,
    AssessmentForm,
)
from vertebra.patients.views.editing import (
    apply_domain_error,
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
    """The assessment and a new antithrombotic are one HTML form, so adding a drug never loses
    what was typed in the assessment: either button saves the assessment and, when a drug name
    is typed, adds the drug; "Add antithrombotic" then comes back here for the next one. When
    either part is refused, both are shown again as typed and nothing is written."""
    referral = referral_or_404(referral_id)
    assessment = referral.assessment
    patient = referral.patient
    data = request.POST or None
    onset = selectors.referral_first_onset(referral=referral)
    form = AssessmentForm(data, instance=assessment, patient=patient, onset=onset)
    adding = request.method == "POST" and request.POST.get("action") == "add_drug"
    wants_drug = adding or bool(request.POST.get("drug-drug", "").strip())
    drug_form = AnticoagulantForm(data if wants_drug else None, prefix="drug")
    conflict = None
    if request.method == "POST" and (not wants_drug or drug_form.is_valid()):
        saved, conflict = save_form(
            request,
            form,
            lambda actor, data, version: services.assessment_update(
                actor=actor, assessment=assessment, expected_version=version, data=data
            ),
        )
        if saved is not None and wants_drug:
            try:
                services.anticoagulant_add(
                    actor=Actor.from_request(request),
                    assessment=saved,
                    data=drug_form.service_data(),
                )
            except DomainError as exc:
                apply_domain_error(drug_form, exc)
                saved = None
                messages.info(request, "Clinical assessment saved; the antithrombotic was not.")
                form = AssessmentForm(
                    instance=assessment_fresh(referral), patient=patient, onset=onset
                )
        if saved is not None:
            messages.success(
                request,
                "Clinical assessment saved"
                + (" and antithrombotic recorded." if wants_drug else "."),
            )
            if adding:
                return redirect("staff:assessment_edit", referral_id=referral.public_id)
            return redirect("staff:patient_chart", patient_id=patient.public_id)
    elif request.method == "POST":
        form.is_valid()  # show the assessment's own errors too
    drugs = assessment.anticoagulants.filter(record_status="active")
    return render(
        request,
        "patients/assessment_form.html",
        {
            "form": form,
            "sections": form_sections(form, form.sections()),
            "referral": referral,
            "patient": patient,
            "conflict": conflict,
            "drugs": drugs,
            "drug_form": drug_form,
            "nav": "patients",
        },
        status=409 if conflict else max(form_status(form), form_status(drug_form)),
    )


def assessment_fresh(referral: Any) -> Any:
    return selectors.referral_get(public_id=referral.public_id).assessment  # type: ignore[union-attr]


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
