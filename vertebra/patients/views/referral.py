"""Referrals: a new episode of care, its details, its status moves, and its retraction."""

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
    ReferralForm,
    StatusChangeForm,
)
from vertebra.patients.views.editing import (
    form_status,
    or_404,
    referral_or_404,
    retract_from_page,
    save_form,
)


@require(Capability.REFERRAL_CREATE)
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = or_404(selectors.patient_get(public_id=patient_id))
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        referral, _ = save_form(
            request,
            form,
            lambda actor, data, _v: services.referral_create(
                actor=actor, patient=patient, data=data
            ),
        )
        if referral is not None:
            messages.success(request, "Referral recorded.")
            return redirect("staff:patient_chart", patient_id=patient.public_id)
    return render(
        request,
        "patients/referral_form.html",
        {
            "form": form,
            "patient": patient,
            "title": "New referral",
            "nav": "patients",
        },
        status=form_status(form),
    )


@require(Capability.CLINICAL_EDIT)
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_or_404(referral_id)
    form = ReferralForm(request.POST or None, instance=referral)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_form(
            request,
            form,
            lambda actor, data, version: services.referral_update(
                actor=actor, referral=referral, expected_version=version, data=data
            ),
        )
        if saved is not None:
            messages.success(request, "Referral saved.")
            return redirect("staff:patient_chart", patient_id=referral.patient.public_id)
    return render(
        request,
        "patients/referral_form.html",
        {
            "form": form,
            "patient": referral.patient,
            "referral": referral,
            "title": "Edit referral",
            "conflict": conflict,
            "nav": "patients",
        },
        status=409 if conflict else form_status(form),
    )


@require(Capability.CLINICAL_EDIT)
@require_POST
def referral_status(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_or_404(referral_id)
    form = StatusChangeForm(request.POST)
    back = redirect("staff:patient_chart", patient_id=referral.patient.public_id)
    if not form.is_valid():
        messages.error(request, "Choose a status. Nothing was changed.")
        return back
    try:
        updated = services.referral_set_status(
            actor=Actor.from_request(request),
            referral=referral,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            by_hand=True,
        )
    except DomainError as exc:
        said = " ".join(text for texts in exc.field_errors().values() for text in texts)
        messages.error(request, f"{said} Nothing was changed.")
        return back
    messages.success(request, f"Referral is now {updated.get_status_display().lower()}.")
    return back


@require(Capability.RECORD_RETRACT)
@require_POST
def referral_retract(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_or_404(referral_id)
    return retract_from_page(
        request,
        referral,
        services.referral_enter_in_error,
        redirect("staff:patient_chart", patient_id=referral.patient.public_id),
        referral=referral,
    )
