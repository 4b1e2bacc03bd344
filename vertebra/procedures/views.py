"""Consent pages: record a signed consent for a referral, read it, print it, withdraw it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError, ValidationFailed
from vertebra.core.pdf import pdf_response
from vertebra.core.permissions import Capability, has_capability, require
from vertebra.patients.selectors import referral_get
from vertebra.patients.services import patient_read_audited
from vertebra.procedures import checklist, selectors, services
from vertebra.procedures.forms import ConsentForm, WithdrawForm
from vertebra.procedures.models import ChecklistItem, FoodKind, ItemStatus


def _consent(consent_id: str) -> Any:
    consent = selectors.consent_get(consent_id)
    if consent is None:
        raise Http404
    return consent


@require(Capability.CONSENT_VIEW)
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(public_id=referral_id)
    information = selectors.current_information()
    if referral is None or information is None:
        raise Http404
    can_record = has_capability(request.user, Capability.CONSENT_RECORD)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not can_record:
        return render(request, "403.html", status=403)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent = services.consent_sign(
                actor=Actor.from_request(request),
                referral=referral,
                information=information,
                risks_discussed=data["risks_discussed"],
                questions=data["questions"],
                typed_name=data["typed_name"],
                patient_confirmed=data["patient_confirmed"],
                details=form.details(),
            )
        except DomainError as exc:
            for field, errors in exc.field_errors().items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("procedures:consent", consent.public_id)
    else:
        patient_read_audited(
            actor=Actor.from_request(request),
            patient=referral.patient,
            what="Opened the consent page of a referral",
        )
    return render(
        request,
        "procedures/consent_form.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "information": information,
            "form": form,
            "consents": selectors.referral_consents(referral),
            "can_record": can_record,
        },
        status=422 if form.errors else 200,
    )


@require(Capability.CONSENT_VIEW)
def consent_detail(request: HttpRequest, consent_id: str) -> HttpResponse:
    consent = _consent(consent_id)
    patient_read_audited(
        actor=Actor.from_request(request), patient=consent.patient, what="Opened a consent"
    )
    return render(
        request,
        "procedures/consent_detail.html",
        {
            "consent": consent,
            "patient": consent.patient,
            "withdraw_form": WithdrawForm(initial={"version": consent.version}),
        },
    )


@require(Capability.CONSENT_RECORD)
@require_POST
def consent_withdraw(request: HttpRequest, consent_id: str) -> HttpResponse:
    consent = _consent(consent_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the consent is withdrawn.")
    else:
        try:
            services.consent_withdraw(
                actor=Actor.from_request(request),
                consent_id=consent.pk,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The consent is marked withdrawn.")
    return redirect("procedures:consent", consent.public_id)


@require(Capability.CONSENT_VIEW)
def consent_pdf(request: HttpRequest, consent_id: str) -> HttpResponse:
    consent = _consent(consent_id)
    patient_read_audited(
        actor=Actor.from_request(request), patient=consent.patient, what="Printed a consent"
    )
    filename = f"consent-{consent.patient.mrn}-{consent.signed_at:%Y%m%d-%H%M}.pdf"
    return pdf_response(
        request,
        "procedures/consent_pdf.html",
        {"consent": consent, "patient": consent.patient},
        filename,
    )


# --- the pre-procedure checklist ------------------------------------------------------------


class FastingForm(forms.Form):
    """The times of the last clear liquid and the last food (§4.1a [ASAFAST2017])."""

    clear_liquid_at = forms.DateTimeField(
        label="Last clear liquid", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    food_at = forms.DateTimeField(
        label="Last food", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    food_kind = forms.ChoiceField(label="The last food was", choices=FoodKind.choices)


@require(Capability.CONSENT_VIEW)
@require_http_methods(["GET", "POST"])
def checklist_page(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(public_id=referral_id)
    if referral is None:
        raise Http404
    actor = Actor.from_request(request)
    if request.method == "POST":
        if not has_capability(request.user, Capability.CLINICAL_EDIT):
            return render(request, "403.html", status=403)
        try:
            checklist.checklist_start(actor=actor, referral=referral)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Checklist started from the latest evaluation.")
        return redirect("procedures:checklist", referral.public_id)
    current = referral.checklists.prefetch_related("items__checked_by").first()
    patient_read_audited(
        actor=actor, patient=referral.patient, what="Opened the pre-procedure checklist"
    )
    return render(
        request,
        "procedures/checklist.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "checklist": current,
            "readiness": checklist.readiness(current) if current else None,
            "hold": checklist.hold_check(referral),
            "statuses": [s for s in ItemStatus if s != ItemStatus.UNKNOWN],
            "fasting_form": FastingForm(),
            "can_mark_against_rule": has_capability(request.user, Capability.HOLD_OVERRIDE),
        },
    )


def _item_post(request: HttpRequest, item_id: str, action: Any) -> HttpResponse:
    try:
        item = ChecklistItem.objects.select_related("checklist__referral").get(public_id=item_id)
    except (ChecklistItem.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    version = request.POST.get("version", "")
    try:
        if not version.isdigit():
            raise ValidationFailed({"version": ["Reload the page and try again."]})
        action(Actor.from_request(request), item, int(version))
    except DomainError as exc:
        messages.error(
            request,
            f"{item.key}: "
            + " ".join(error for errors in exc.field_errors().values() for error in errors),
        )
    return redirect("procedures:checklist", item.checklist.referral.public_id)


@require(Capability.CLINICAL_EDIT)
@require_POST
def checklist_item_set(request: HttpRequest, item_id: str) -> HttpResponse:
    return _item_post(
        request,
        item_id,
        lambda actor, item, version: checklist.checklist_item_set(
            actor=actor,
            item_id=item.pk,
            expected_version=version,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        ),
    )


@require(Capability.CLINICAL_EDIT)
@require_POST
def checklist_fasting(request: HttpRequest, item_id: str) -> HttpResponse:
    form = FastingForm(request.POST)

    def record(actor: Actor, item: ChecklistItem, version: int) -> None:
        if not form.is_valid():
            raise ValidationFailed(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            )
        checklist.checklist_fasting_record(
            actor=actor,
            item_id=item.pk,
            expected_version=version,
            clear_liquid_at=form.cleaned_data["clear_liquid_at"],
            food_at=form.cleaned_data["food_at"],
            food_kind=form.cleaned_data["food_kind"],
        )

    return _item_post(request, item_id, record)


@require(Capability.OVERRIDES_VIEW)
def checklist_overrides(request: HttpRequest) -> HttpResponse:
    """Every physician's checklist override, for the quality lead."""
    return render(
        request,
        "procedures/checklist_overrides.html",
        {"overrides": checklist.checklist_overrides()},
    )


@require(Capability.REFERRAL_DECIDE)
@require_POST
def checklist_item_override(request: HttpRequest, item_id: str) -> HttpResponse:
    return _item_post(
        request,
        item_id,
        lambda actor, item, version: checklist.checklist_item_override(
            actor=actor,
            item_id=item.pk,
            expected_version=version,
            reason=request.POST.get("reason", ""),
        ),
    )
