"""The gate: consent and checklist, and "start procedure" (with an emergency override)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError
from vertebra.core.permissions import Capability, has_capability, require
from vertebra.patients.selectors import referral_get
from vertebra.patients.services import patient_read_audited
from vertebra.procedures import forms, record, selectors
from vertebra.procedures.checklist import procedure_gate
from vertebra.procedures.record_views.page import (
    show_errors,
)


@require(Capability.PROCEDURE_VIEW)
@require_http_methods(["GET", "POST"])
def procedure_start(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(public_id=referral_id)
    if referral is None:
        raise Http404
    actor = Actor.from_request(request)
    form = forms.StartForm(
        request.POST if request.method == "POST" else None,
        initial={"operator": request.user.pk} if request.user.role == "physician" else None,  # type: ignore[union-attr]
    )
    if request.method == "POST":
        if not has_capability(request.user, Capability.PROCEDURE_RECORD):
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                started = record.procedure_start(
                    actor=actor,
                    referral=referral,
                    operator=form.cleaned_data["operator"],
                    emergency_reason=form.cleaned_data["emergency_reason"],
                )
            except DomainError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, "Procedure started.")
                return redirect("procedures:procedure", started.public_id)
    else:
        patient_read_audited(
            actor=actor, patient=referral.patient, what="Opened the start of a procedure"
        )
    return render(
        request,
        "procedures/start.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "form": form,
            "gate": procedure_gate(referral),
            "consent": selectors.valid_consent(referral),
            "procedures": selectors.referral_procedures(referral),
        },
        status=422 if form.errors else 200,
    )
