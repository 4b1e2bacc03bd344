"""Staff pages for patients and referrals. Thin: parse, check permission, call a service or
selector, render. Domain errors become messages next to the fields; nothing is half-saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError, EditConflict
from vertebra.core.permissions import Capability, require
from vertebra.patients import selectors, services
from vertebra.patients.forms import (
    ASSESSMENT_SECTIONS,
    FRACTURE_SECTIONS,
    AnticoagulantForm,
    AssessmentForm,
    FractureForm,
    PatientForm,
    ReferralForm,
    RetractForm,
    StatusChangeForm,
    VersionedForm,
)
from vertebra.patients.models import Referral, ReferralStatus


def _or_404(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def _apply_domain_error(form: Any, exc: DomainError) -> None:
    for field, errors in exc.field_errors().items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _save_form(
    request: HttpRequest,
    form: VersionedForm,
    save: Callable[[Actor, dict[str, Any], int], Any],
) -> tuple[Any, EditConflict | None]:
    """Run the service for a valid form; keep the user's input and explain any refusal."""
    if not form.is_valid():
        return None, None
    version = form.cleaned_data.get("version") or 0
    try:
        return save(Actor.from_request(request), form.service_data(), version), None
    except EditConflict as conflict:
        # Show what the other person saved; the next save applies the user's values on top.
        form.data = form.data.copy()  # type: ignore[attr-defined]
        form.data["version"] = str(conflict.current_version)  # type: ignore[index]
        form.add_error(None, conflict.message)
        return None, conflict
    except DomainError as exc:
        _apply_domain_error(form, exc)
        return None, None


# --- Worklist and search --------------------------------------------------------------------


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


# --- Patients -------------------------------------------------------------------------------


@require(Capability.PATIENT_EDIT)
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST":
        patient, _ = _save_form(
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
        status=_status(form),
    )


def _status(form: Any) -> int:
    return 422 if form.is_bound and form.errors else 200


@require(Capability.PATIENT_EDIT)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = _or_404(selectors.patient_get(public_id=patient_id))
    form = PatientForm(request.POST or None, instance=patient)
    conflict = None
    if request.method == "POST":
        saved, conflict = _save_form(
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
        status=409 if conflict else _status(form),
    )


def _retract(
    request: HttpRequest, obj: Any, service: Callable[..., Any], redirect_to: Any, **kwargs: Any
) -> HttpResponse:
    form = RetractForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the record was entered in error. Nothing was changed.")
        return redirect_to
    try:
        service(actor=Actor.from_request(request), reason=form.cleaned_data["reason"], **kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect_to
    messages.success(request, "Marked entered in error. The record is kept with the reason.")
    return redirect_to


@require(Capability.RECORD_RETRACT)
@require_POST
def patient_retract(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = _or_404(selectors.patient_get(public_id=patient_id))
    form = RetractForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the record was entered in error. Nothing was changed.")
        return redirect("staff:patient_chart", patient_id=patient.public_id)
    services.patient_enter_in_error(
        actor=Actor.from_request(request), patient=patient, reason=form.cleaned_data["reason"]
    )
    messages.success(request, f"{patient.display_name}'s record was marked entered in error.")
    return redirect("staff:patient_list")


# --- Referrals ------------------------------------------------------------------------------


@require(Capability.REFERRAL_CREATE)
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = _or_404(selectors.patient_get(public_id=patient_id))
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        referral, _ = _save_form(
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
        status=_status(form),
    )


def _referral(referral_id: str) -> Referral:
    return _or_404(selectors.referral_get(public_id=referral_id))  # type: ignore[no-any-return]


@require(Capability.CLINICAL_EDIT)
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = _referral(referral_id)
    form = ReferralForm(request.POST or None, instance=referral)
    conflict = None
    if request.method == "POST":
        saved, conflict = _save_form(
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
        status=409 if conflict else _status(form),
    )


@require(Capability.CLINICAL_EDIT)
@require_POST
def referral_status(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = _referral(referral_id)
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
    referral = _referral(referral_id)
    return _retract(
        request,
        referral,
        services.referral_enter_in_error,
        redirect("staff:patient_chart", patient_id=referral.patient.public_id),
        referral=referral,
    )


# --- Clinical assessment and antithrombotics ------------------------------------------------


@require(Capability.CLINICAL_EDIT)
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = _referral(referral_id)
    assessment = referral.assessment
    form = AssessmentForm(request.POST or None, instance=assessment)
    conflict = None
    if request.method == "POST":
        saved, conflict = _save_form(
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
            "sections": _sections(form, ASSESSMENT_SECTIONS),
            "referral": referral,
            "patient": referral.patient,
            "conflict": conflict,
            "drugs": drugs,
            "drug_form": AnticoagulantForm(),
            "nav": "patients",
        },
        status=409 if conflict else _status(form),
    )


def _sections(form: Any, sections: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Any]:
    return [(title, [form[name] for name in names]) for title, names in sections]


@require(Capability.CLINICAL_EDIT)
@require_POST
def anticoagulant_add(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = _referral(referral_id)
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
    drug = _or_404(selectors.anticoagulant_get(public_id=drug_id))
    return _retract(
        request,
        drug,
        services.anticoagulant_enter_in_error,
        redirect("staff:assessment_edit", referral_id=drug.assessment.referral.public_id),
        drug=drug,
    )


# --- Fractures ------------------------------------------------------------------------------


@require(Capability.CLINICAL_EDIT)
@require_http_methods(["GET", "POST"])
def fracture_create(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = _referral(referral_id)
    form = FractureForm(request.POST or None)
    if request.method == "POST":
        fracture, _ = _save_form(
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
            "sections": _sections(form, FRACTURE_SECTIONS),
            "referral": referral,
            "patient": referral.patient,
            "title": "Add fractured level",
            "nav": "patients",
        },
        status=_status(form),
    )


@require(Capability.CLINICAL_EDIT)
@require_http_methods(["GET", "POST"])
def fracture_edit(request: HttpRequest, fracture_id: str) -> HttpResponse:
    fracture = _or_404(selectors.fracture_get(public_id=fracture_id))
    referral = fracture.referral
    form = FractureForm(request.POST or None, instance=fracture)
    conflict = None
    if request.method == "POST":
        saved, conflict = _save_form(
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
            "sections": _sections(form, FRACTURE_SECTIONS),
            "referral": referral,
            "patient": referral.patient,
            "fracture": fracture,
            "title": f"Edit fracture at {fracture.level}",
            "conflict": conflict,
            "nav": "patients",
        },
        status=409 if conflict else _status(form),
    )


@require(Capability.RECORD_RETRACT)
@require_POST
def fracture_retract(request: HttpRequest, fracture_id: str) -> HttpResponse:
    fracture = _or_404(selectors.fracture_get(public_id=fracture_id))
    return _retract(
        request,
        fracture,
        services.fracture_enter_in_error,
        redirect("staff:patient_chart", patient_id=fracture.referral.patient.public_id),
        fracture=fracture,
    )
