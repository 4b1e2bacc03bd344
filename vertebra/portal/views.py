"""The patient portal. Every page shows only the logged-in patient's own record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError, ValidationFailed
from vertebra.core.models import RecordStatus
from vertebra.core.pdf import pdf_response
from vertebra.core.permissions import Capability, require
from vertebra.patients.models import Patient, Referral
from vertebra.patients.services import patient_read_audited
from vertebra.procedures import documents
from vertebra.procedures import selectors as procedure_selectors
from vertebra.scheduling import selectors, selfbooking
from vertebra.scheduling.notices import calendar_file
from vertebra.scheduling.setup import self_booking_policy
from vertebra.scheduling.slots import wall_label


def own_patient(request: HttpRequest) -> Patient | None:
    """The patient record linked to this login: the only one the portal ever reads."""
    return Patient.objects.filter(
        user_id=request.user.pk or 0, record_status=RecordStatus.ACTIVE
    ).first()


@require(Capability.PORTAL)
def home(request: HttpRequest) -> HttpResponse:
    patient = own_patient(request)
    referrals: list[Referral] = []
    if patient is not None:
        referrals = list(
            patient.referrals.filter(record_status=RecordStatus.ACTIVE)
            .prefetch_related("fractures")
            .order_by("-referral_date")
        )
        patient_read_audited(
            actor=Actor.from_request(request),
            patient=patient,
            what="Patient opened their portal record",
        )
    procedures = procedure_selectors.patient_signed_procedures(patient.pk) if patient else []
    return render(
        request,
        "portal/home.html",
        {"patient": patient, "referrals": referrals, "procedures": procedures},
    )


@require(Capability.PORTAL)
def discharge_pdf(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The patient's own discharge instructions; anyone else's answer as if they did not exist."""
    patient = _own_or_404(request)
    procedure = procedure_selectors.procedure_get(procedure_id)
    if procedure is None or procedure.patient_id != patient.pk or not procedure.is_signed:
        raise Http404("No such procedure.")
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=patient,
        what="Patient printed their discharge instructions",
    )
    return pdf_response(
        request,
        "procedures/discharge_pdf.html",
        documents.document_context(procedure),
        documents.filename("discharge", procedure),
    )


# --- appointments: the patient's own, booked within the clinic's rules ------------------------


def _own_or_404(request: HttpRequest) -> Patient:
    patient = own_patient(request)
    if patient is None:
        raise Http404
    return patient


@require(Capability.PORTAL)
def appointments(request: HttpRequest) -> HttpResponse:
    patient = _own_or_404(request)
    actor = Actor.from_request(request)
    patient_read_audited(actor=actor, patient=patient, what="Patient opened their appointments")
    code = request.GET.get("type", "")
    offered: list[Any] = []
    error = ""
    if code:
        try:
            offered = selfbooking.offered_slots(patient, code)
        except DomainError as exc:
            error = exc.message
    zone = selectors.clinic_zone()
    days: dict[Any, list[Any]] = {}
    for slot in offered:
        days.setdefault(slot.start.astimezone(zone).date(), []).append(
            {"slot": slot, "label": wall_label(slot.start, zone)}
        )
    moving = None
    if request.GET.get("move"):
        try:
            moving = selfbooking.own_appointment(patient, request.GET["move"])
        except (DomainError, ValidationError):
            moving = None
    return render(
        request,
        "portal/appointments.html",
        {
            "patient": patient,
            "appointments": selectors.patient_appointments(patient),
            "types": selfbooking.bookable_types(),
            "code": code,
            "days": list(days.items()),
            "error": error,
            "moving": moving,
            "policy": self_booking_policy(),
        },
    )


def _portal_action(request: HttpRequest, action: Any, done: str) -> HttpResponse:
    patient = _own_or_404(request)
    try:
        action(Actor.from_request(request), patient)
    except ValidationError:
        messages.error(request, "That appointment could not be found.")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("portal:appointments")


def _when(request: HttpRequest) -> dt.datetime:
    """The time the patient chose. The page offers times with their UTC offset; a time without
    one is read as clinic wall-clock time, and one far from today (year 1, year 9999) is not a
    time the page offered, and would overflow the arithmetic that checks it."""
    offered = {"starts_at": ["Choose one of the times offered."]}
    try:
        value = dt.datetime.fromisoformat(request.POST.get("starts_at", ""))
    except ValueError as exc:
        raise ValidationFailed(offered) from exc
    if selectors.day_out_of_reach(value.date()):
        raise ValidationFailed(offered)
    if value.tzinfo is None:
        value = value.replace(tzinfo=selectors.clinic_zone())
    return value


def _version(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    if not value.isdigit():
        raise ValidationFailed({"version": ["Reload the page and try again."]})
    return int(value)


@require(Capability.PORTAL)
@require_POST
def appointment_book(request: HttpRequest) -> HttpResponse:
    return _portal_action(
        request,
        lambda actor, patient: selfbooking.appointment_book_by_patient(
            actor=actor,
            patient=patient,
            code=request.POST.get("type", ""),
            starts_at=_when(request),
        ),
        "Your appointment is booked. You will receive a confirmation by e-mail.",
    )


@require(Capability.PORTAL)
@require_POST
def appointment_move(request: HttpRequest, appointment_id: str) -> HttpResponse:
    return _portal_action(
        request,
        lambda actor, patient: selfbooking.appointment_reschedule_by_patient(
            actor=actor,
            patient=patient,
            public_id=appointment_id,
            version=_version(request),
            starts_at=_when(request),
        ),
        "Your appointment has moved.",
    )


@require(Capability.PORTAL)
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: str) -> HttpResponse:
    return _portal_action(
        request,
        lambda actor, patient: selfbooking.appointment_cancel_by_patient(
            actor=actor,
            patient=patient,
            public_id=appointment_id,
            version=_version(request),
            reason=request.POST.get("reason", "").strip(),
        ),
        "Your appointment is cancelled.",
    )


@require(Capability.PORTAL)
def appointment_ics(request: HttpRequest, appointment_id: str) -> HttpResponse:
    patient = _own_or_404(request)
    try:
        item = selfbooking.own_appointment(patient, appointment_id)
    except (DomainError, ValidationError) as exc:
        raise Http404 from exc
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=patient,
        what="Patient downloaded an appointment's calendar file",
    )
    content, filename = calendar_file(item)
    response = HttpResponse(content, content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
