"""Staff booking pages: today's list, calendars, finding a time, booking, the appointment, the
notices that need attention, and the calendar set-up. Thin: parse, check, call, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError
from vertebra.core.permissions import Capability, has_capability, require
from vertebra.evaluation.selectors import antithrombotic_hold
from vertebra.patients.models import Patient
from vertebra.patients.services import patient_read_audited
from vertebra.scheduling import forms, selectors, services, setup
from vertebra.scheduling.models import AppointmentType, AvailabilityTemplate, Resource
from vertebra.scheduling.notices import calendar_file
from vertebra.scheduling.selectors import clinic_today, local_label

# Calendars list clinicians first, then the rooms they work in.
KIND_ORDER = {"physician": 0, "nurse": 1, "procedure_suite": 2, "consult_room": 3, "equipment": 4}


def _patient(public_id: str | None) -> Patient | None:
    if not public_id:
        return None
    try:
        return Patient.objects.filter(public_id=public_id, record_status="active").first()
    except ValidationError:  # not a UUID
        return None


def _appointment(public_id: str) -> Any:
    appointment = selectors.appointment_get(public_id)
    if appointment is None:
        raise Http404
    return appointment


def _errors_to_form(form: Any, exc: DomainError) -> None:
    for field, errors in exc.field_errors().items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _slot_rows(found: list[Any]) -> list[dict[str, Any]]:
    zone = selectors.clinic_zone()
    days: dict[dt.date, list[Any]] = {}
    for slot in found:
        days.setdefault(slot.start.astimezone(zone).date(), []).append(
            {"slot": slot, "label": selectors.slots.wall_label(slot.start, zone)}
        )
    return [{"day": day, "slots": items} for day, items in days.items()]


# --- the day and the calendars --------------------------------------------------------------


def _day(request: HttpRequest) -> dt.date:
    day, problem = forms.day_asked(request.GET.get("date"), clinic_today())
    if problem:
        messages.error(request, problem)
    return day


@require(Capability.SCHEDULE_VIEW)
def today(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    start, end = selectors.day_bounds(day)
    return render(
        request,
        "scheduling/today.html",
        {
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "appointments": selectors.appointments_between(start, end),
            "zone": selectors.clinic_zone(),
            "nav": "schedule",
        },
    )


@require(Capability.SCHEDULE_VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    resources = sorted(
        Resource.objects.filter(active=True), key=lambda r: (KIND_ORDER.get(r.kind, 9), r.name)
    )
    asked = request.GET.get("resource")
    # The one asked for; else the user's own calendar; else the first clinician's.
    chosen = next((r for r in resources if str(r.public_id) == asked), None) or next(
        (r for r in resources if r.user_id == request.user.pk), resources[0] if resources else None
    )
    week = request.GET.get("view") == "week"
    day = _day(request)
    if week:
        day -= dt.timedelta(days=day.weekday())
    days = selectors.resource_calendar(chosen, day, 7 if week else 1) if chosen else []
    step = dt.timedelta(days=7 if week else 1)
    return render(
        request,
        "scheduling/calendar.html",
        {
            "resources": resources,
            "chosen": chosen,
            "week": week,
            "days": days,
            "day": day,
            "previous": day - step,
            "next": day + step,
            "zone": selectors.clinic_zone(),
            "nav": "calendar",
        },
    )


# --- finding a time and booking -------------------------------------------------------------


@require(Capability.SCHEDULE_VIEW)
def find(request: HttpRequest) -> HttpResponse:
    patient = _patient(request.GET.get("patient"))
    moving = selectors.appointment_get(request.GET.get("reschedule") or "")
    hold = None
    initial = {"type": moving.appointment_type.code} if moving else {}
    form = forms.FindForm(request.GET if "type" in request.GET else None, initial=initial)
    found: list[Any] = []
    chosen_type = moving.appointment_type if moving else None
    clinician = None
    if form.is_bound and form.is_valid():
        chosen_type = moving.appointment_type if moving else form.cleaned_data["type"]
        clinician = form.cleaned_data["clinician"]
        start_day = form.cleaned_data["start"] or clinic_today()
        earliest, _ = selectors.day_bounds(start_day)
        who = moving.patient if moving else patient
        if chosen_type.requires_decision_to_treat and who is not None:
            # A procedure: the search starts when the antithrombotic hold ends (§2.5).
            hold = antithrombotic_hold(
                referral=moving.referral if moving else selectors.open_referral(who)
            )
            if hold.earliest is not None and hold.earliest > earliest:
                earliest = hold.earliest
        if wrong := selectors.clinician_problem(chosen_type, clinician):
            # Searching would answer other clinicians' times, which booking then refuses.
            form.add_error("clinician", wrong)
        else:
            found = selectors.free_slots(
                chosen_type,
                earliest=earliest,
                latest=earliest + dt.timedelta(days=90),
                clinician=clinician,
                patient=moving.patient if moving else patient,
            )
    return render(
        request,
        "scheduling/find.html",
        {
            "form": form,
            "patient": moving.patient if moving else patient,
            "moving": moving,
            "chosen_type": chosen_type,
            "clinician": clinician,
            "days": _slot_rows(found),
            "searched": form.is_bound,
            "hold": hold,
            "nav": "schedule",
        },
    )


@require(Capability.SCHEDULE_BOOK)
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = _patient(patient_id)
    if patient is None:
        raise Http404
    appointment_type = AppointmentType.objects.filter(
        code=request.GET.get("type") or request.POST.get("type"), active=True
    ).first()
    if appointment_type is None:
        return redirect(f"/staff/schedule/find?patient={patient.public_id}")
    source = request.POST if request.method == "POST" else None
    referral = selectors.open_referral(patient)
    form = forms.BookForm(
        source,
        patient=patient,
        initial={
            "starts_at": request.GET.get("start"),
            "clinician": request.GET.get("clinician"),
            "referral": referral.public_id if referral else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.appointment_book(
                actor=Actor.from_request(request),
                request=services.BookingRequest(
                    patient=patient,
                    appointment_type=appointment_type,
                    starts_at=data["starts_at"],
                    referral=data["referral"],
                    clinician=data["clinician"],
                    notes=data["notes"],
                    overbook_reason=data["overbook_reason"],
                    decision_override_reason=data["decision_override_reason"],
                    hold_override_reason=data["hold_override_reason"],
                ),
            )
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, f"Booked: {appointment_type.name}, {local_label(appointment.starts_at)}."
            )
            return redirect("scheduling:appointment", appointment.public_id)
    starts_at = form.data.get("starts_at") if form.is_bound else request.GET.get("start")
    try:
        when = local_label(dt.datetime.fromisoformat(str(starts_at))) if starts_at else ""
    except (ValueError, OverflowError):
        when = ""
    return render(
        request,
        "scheduling/book.html",
        {
            "form": form,
            "patient": patient,
            "appointment_type": appointment_type,
            "when": when,
            "can_override": has_capability(request.user, Capability.SCHEDULE_OVERRIDE),
            "can_override_hold": has_capability(request.user, Capability.HOLD_OVERRIDE),
            "hold": (
                antithrombotic_hold(referral=referral)
                if appointment_type.requires_decision_to_treat
                else None
            ),
            "nav": "schedule",
        },
    )


# --- one appointment ------------------------------------------------------------------------


@require(Capability.SCHEDULE_VIEW)
def appointment(request: HttpRequest, appointment_id: str) -> HttpResponse:
    item = _appointment(appointment_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=item.patient,
        what=f"Opened the appointment of {local_label(item.starts_at)}",
    )
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": item,
            "when": local_label(item.starts_at),
            "until": selectors.slots.wall_label(item.ends_at, selectors.clinic_zone()),
            "resources": [b.resource for b in item.booked.all() if b.resource and b.active],
            "overbooked": [b.resource for b in item.booked.all() if b.overbooked and b.active],
            "transitions": services.TRANSITIONS.get(item.status, ()),
            "cancel_form": forms.CancelForm(initial={"version": item.version}),
            "is_today": item.starts_at.astimezone(selectors.clinic_zone()).date() <= clinic_today(),
            "nav": "schedule",
        },
    )


def _versioned_post(request: HttpRequest, form: Any, item: Any, action: Any) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            action(form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("scheduling:appointment", item.public_id)


@require(Capability.SCHEDULE_BOOK)
@require_POST
def appointment_status(request: HttpRequest, appointment_id: str) -> HttpResponse:
    item = _appointment(appointment_id)
    return _versioned_post(
        request,
        forms.StatusForm(request.POST),
        item,
        lambda data: services.appointment_set_status(
            actor=Actor.from_request(request),
            appointment_id=item.pk,
            expected_version=data["version"],
            status=data["status"],
        ),
    )


@require(Capability.SCHEDULE_BOOK)
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: str) -> HttpResponse:
    item = _appointment(appointment_id)
    return _versioned_post(
        request,
        forms.CancelForm(request.POST),
        item,
        lambda data: services.appointment_cancel(
            actor=Actor.from_request(request),
            appointment_id=item.pk,
            expected_version=data["version"],
            reason=data["reason"],
        ),
    )


@require(Capability.SCHEDULE_BOOK)
@require_POST
def appointment_reschedule(request: HttpRequest, appointment_id: str) -> HttpResponse:
    item = _appointment(appointment_id)
    return _versioned_post(
        request,
        forms.RescheduleForm(request.POST),
        item,
        lambda data: services.appointment_reschedule(
            actor=Actor.from_request(request),
            appointment_id=item.pk,
            expected_version=data["version"],
            starts_at=data["starts_at"],
            overbook_reason=data["overbook_reason"],
            hold_override_reason=data["hold_override_reason"],
        ),
    )


def ics_response(item: Any) -> HttpResponse:
    content, filename = calendar_file(item)
    response = HttpResponse(content, content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require(Capability.SCHEDULE_VIEW)
def appointment_ics(request: HttpRequest, appointment_id: str) -> HttpResponse:
    item = _appointment(appointment_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=item.patient,
        what="Downloaded an appointment's calendar file",
    )
    return ics_response(item)


@require(Capability.SCHEDULE_VIEW)
def patient_appointments(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = _patient(patient_id)
    if patient is None:
        raise Http404
    patient_read_audited(
        actor=Actor.from_request(request), patient=patient, what="Listed the patient's appointments"
    )
    return render(
        request,
        "scheduling/patient_appointments.html",
        {
            "patient": patient,
            "appointments": selectors.patient_appointments(patient),
            "zone": selectors.clinic_zone(),
            "nav": "schedule",
        },
    )


@require(Capability.SCHEDULE_VIEW)
def notices(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scheduling/notices.html",
        {"notices": selectors.notices_needing_attention(), "nav": "schedule"},
    )


# --- set-up ---------------------------------------------------------------------------------


@require(Capability.SCHEDULE_SETUP)
@require_http_methods(["GET", "POST"])
def setup_page(request: HttpRequest) -> HttpResponse:
    policy = setup.self_booking_policy()
    post = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if post else None
    resource_form = forms.ResourceForm(post if which == "resource" else None, prefix="resource")
    template_form = forms.TemplateForm(post if which == "template" else None, prefix="template")
    exception_form = forms.ExceptionForm(post if which == "exception" else None, prefix="exception")
    policy_form = forms.PolicyForm(
        post if which == "policy" else None,
        initial={
            "enabled": policy.enabled,
            "max_days_ahead": policy.max_days_ahead,
            "min_notice_hours": policy.min_notice_hours,
            "requires_approval": policy.requires_approval,
        },
        prefix="policy",
    )
    editing = AppointmentType.objects.filter(code=request.GET.get("type", "")).first()
    type_form = forms.TypeForm(
        post if which == "type" else None,
        prefix="type",
        initial=(
            {
                "appointment_type": editing.code,
                "duration_minutes": editing.duration_minutes,
                "buffer_minutes": editing.buffer_minutes,
                "required_kinds": editing.required_kinds,
                "patient_bookable": editing.patient_bookable,
                "active": editing.active,
            }
            if editing
            else {}
        ),
    )
    bound = {
        "type": type_form,
        "resource": resource_form,
        "template": template_form,
        "exception": exception_form,
        "policy": policy_form,
    }.get(which or "")
    if bound is not None and bound.is_valid():
        actor = Actor.from_request(request)
        data = bound.cleaned_data
        try:
            if which == "resource":
                setup.resource_create(actor=actor, kind=data["kind"], name=data["name"])
            elif which == "template":
                setup.availability_template_add(actor=actor, **data)
            elif which == "exception":
                setup.availability_exception_add(actor=actor, **data)
            elif which == "type":
                chosen = data.pop("appointment_type")
                setup.appointment_type_update(actor=actor, appointment_type=chosen, changes=data)
            else:
                setup.self_booking_policy_update(actor=actor, changes=data)
        except DomainError as exc:
            _errors_to_form(bound, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("scheduling:setup")
    return render(
        request,
        "scheduling/setup.html",
        {
            "resources": selectors.resources_with_setup(),
            "resource_form": resource_form,
            "template_form": template_form,
            "exception_form": exception_form,
            "policy_form": policy_form,
            "type_form": type_form,
            "types": AppointmentType.objects.order_by("name"),
            "nav": "setup",
        },
    )


@require(Capability.SCHEDULE_SETUP)
@require_POST
def template_end(request: HttpRequest, template_id: str) -> HttpResponse:
    try:
        template = AvailabilityTemplate.objects.filter(public_id=template_id).first()
    except ValidationError:
        template = None
    if template is None:
        raise Http404
    try:
        last_day = dt.date.fromisoformat(request.POST.get("last_day", ""))
        setup.availability_template_end(
            actor=Actor.from_request(request), template=template, last_day=last_day
        )
    except ValueError:
        messages.error(request, "Give the last day the window applies (YYYY-MM-DD).")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The window ends on that day.")
    return redirect("scheduling:setup")
