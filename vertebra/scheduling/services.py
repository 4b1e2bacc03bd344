"""Booking: every write to appointments and booked time, each audited in its transaction.

The double-booking guarantee: the availability check and the insert of the booked-time rows
run in one transaction. On SQLite that transaction is IMMEDIATE (it holds the database's write
lock from BEGIN), so two bookings cannot interleave. On PostgreSQL two bookings can both pass
the check, but the exclusion constraint lets only one commit; the other's IntegrityError
becomes "no longer available" and its transaction rolls back whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    EditConflict,
    Forbidden,
    NotFound,
    SlotUnavailable,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import RecordStatus
from vertebra.core.permissions import Capability, ensure, has_capability
from vertebra.evaluation.models import FinalChoice, FinalDecision
from vertebra.evaluation.selectors import antithrombotic_hold
from vertebra.patients.models import Patient, Referral, ReferralStatus
from vertebra.patients.services import referral_set_status
from vertebra.scheduling import slots
from vertebra.scheduling.models import (
    HOLDS_TIME,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookedBy,
    BookedTime,
    Notice,
    NoticeKind,
    NoticeStatus,
    Resource,
)
from vertebra.scheduling.selectors import (
    STEP,
    calendars,
    clinic_zone,
    local_label,
    patient_busy,
    slot_request,
)
from vertebra.scheduling.setup import self_booking_policy

NO_LONGER_AVAILABLE = "That time is no longer available: choose another slot."


# --- booking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingRequest:
    patient: Patient
    appointment_type: AppointmentType
    starts_at: dt.datetime
    referral: Referral | None = None
    clinician: Resource | None = None
    notes: str = ""
    overbook_reason: str = ""
    decision_override_reason: str = ""
    hold_override_reason: str = ""


def has_decision_to_treat(patient: Patient, referral: Referral | None) -> bool:
    decisions = FinalDecision.objects.filter(
        evaluation__patient=patient,
        choice=FinalChoice.PROCEED,
        evaluation__referral__record_status=RecordStatus.ACTIVE,
    )
    if referral is not None:
        decisions = decisions.filter(evaluation__referral=referral)
    return decisions.exists()


def hold_problem(request: BookingRequest) -> str | None:
    """Why this procedure may not start at its time under the antithrombotic hold of its
    referral's latest evaluation (clinical-reference §2.5, [ASRA2018]); None when it may, or
    when the type is not a procedure. No evaluation, or hold facts missing: a problem too (the
    hold could not be checked), never assumed safe."""
    if not request.appointment_type.requires_decision_to_treat:
        return None
    return antithrombotic_hold(referral=request.referral).problem(request.starts_at)


def _check_request(
    actor: Actor, request: BookingRequest, *, now: dt.datetime, moving: bool = False
) -> str | None:
    """Refuse bad input before anything is written. ``moving``: a reschedule, whose decision
    to treat (or its override) was checked when it was booked; its hold is checked again.
    Returns the hold problem the physician's override answers (None when there is none)."""
    errors: dict[str, list[str]] = {}
    procedure = request.appointment_type.requires_decision_to_treat
    kind_names = dict(Resource._meta.get_field("kind").choices or [])
    start = request.starts_at
    if timezone.is_naive(start):
        errors["starts_at"] = ["Give the time with its time zone."]
    elif start < now:
        errors["starts_at"] = ["That time has passed: choose a time in the future."]
    elif int(start.timestamp()) % int(STEP.total_seconds()):
        errors["starts_at"] = ["Appointments start on the quarter hour."]
    if not request.patient.is_active:
        errors["patient"] = ["This patient record was entered in error."]
    if not request.appointment_type.active:
        errors["appointment_type"] = ["This appointment type is no longer offered."]
    if request.referral is not None and (
        request.referral.patient_id != request.patient.pk or not request.referral.is_active
    ):
        errors["referral"] = ["Choose an active referral of this patient."]
    elif procedure and request.referral is None and not moving:
        # The hold, the decision and the referral's status all belong to the referral.
        errors["referral"] = [
            "A procedure is booked for a referral: choose the patient's referral."
        ]
    if request.clinician is not None and (
        request.clinician.kind not in request.appointment_type.required_kinds
        or not request.clinician.active
    ):
        needed = ", ".join(kind_names.get(k, k) for k in request.appointment_type.required_kinds)
        errors["clinician"] = [f"{request.clinician} can't serve this type (it needs: {needed})."]
    if request.overbook_reason.strip() or request.decision_override_reason.strip():
        ensure(actor, Capability.SCHEDULE_OVERRIDE)
    if (
        not moving
        and request.appointment_type.requires_decision_to_treat
        and not request.decision_override_reason.strip()
        and not has_decision_to_treat(request.patient, request.referral)
    ):
        errors["decision_override_reason"] = [
            "No decision to treat is recorded for this patient: record the decision first, or "
            "give the reason for booking without it."
        ]
    problem = None if "referral" in errors or "starts_at" in errors else hold_problem(request)
    if problem and not request.hold_override_reason.strip():
        errors["hold_override_reason"] = [problem]
    if problem and request.hold_override_reason.strip():
        ensure_hold_override(actor)
    if errors:
        raise ValidationFailed(errors)
    return problem


def ensure_hold_override(actor: Actor) -> None:
    if actor.user is not None and not has_capability(actor.user, Capability.HOLD_OVERRIDE):
        raise Forbidden(
            "Only a physician may book a procedure before its antithrombotic hold ends (or "
            "with the hold unchecked).",
            field="hold_override_reason",
        )


def _place(
    appointment: Appointment, request: BookingRequest, *, ignore: Appointment | None = None
) -> list[BookedTime]:
    """Choose the resources for ``request`` and build its booked-time rows (not saved).
    Raises when the time is outside availability or taken."""
    start = request.starts_at
    kinds = tuple(request.appointment_type.required_kinds)
    end = start + dt.timedelta(minutes=request.appointment_type.duration_minutes)
    blocked_until = end + dt.timedelta(minutes=request.appointment_type.buffer_minutes)
    busy = patient_busy(request.patient, start - dt.timedelta(days=1), blocked_until, ignore=ignore)
    asked = slot_request(request.appointment_type, start, start + STEP, busy)
    booked = calendars(kinds, start, blocked_until, preferred=request.clinician)
    free = slots.slot_at(asked, booked, start)
    overbooked_ids: set[int] = set()
    if free is None:
        # Say why: the patient's own time, the opening hours, or someone else's booking.
        if any(other.start < end and start < other.end for other in busy):
            raise SlotUnavailable("The patient already has an appointment at that time.")
        free = slots.slot_at(
            asked,
            calendars(kinds, start, blocked_until, preferred=request.clinician, ignore_booked=True),
            start,
        )
        if free is None:
            raise ValidationFailed(
                {"starts_at": ["That time is outside the availability of the resources it needs."]}
            )
        if not request.overbook_reason.strip():
            raise SlotUnavailable(NO_LONGER_AVAILABLE)
        overbooked_ids = {
            calendar.resource_id
            for calendar in booked
            if calendar.resource_id in free.resource_ids
            and any(other.start < blocked_until and start < other.end for other in calendar.busy)
        }
    rows = [
        BookedTime(
            appointment=appointment,
            resource_id=resource_id,
            starts_at=start,
            blocked_until=blocked_until,
            overbooked=resource_id in overbooked_ids,
        )
        for resource_id in free.resource_ids
    ]
    rows.append(
        BookedTime(
            appointment=appointment,
            patient=request.patient,
            starts_at=start,
            blocked_until=end,
        )
    )
    return rows


def _audit(
    actor: Actor, action: str, appointment: Appointment, summary: str, changes: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="Appointment",
        object_id=appointment.public_id,
        patient=appointment.patient,
        summary=summary,
        changes=changes,
    )


def _save_rows(rows: list[BookedTime]) -> None:
    try:
        with (
            transaction.atomic()
        ):  # a savepoint: the constraint's error leaves a usable transaction
            BookedTime.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise SlotUnavailable(NO_LONGER_AVAILABLE) from exc


def _set_hold_override(appointment: Appointment, actor: Actor, reason: str) -> None:
    """The physician's hold override for the appointment's current time (cleared when the time
    needs none)."""
    appointment.hold_override_reason = reason.strip()
    appointment.hold_override_by = actor.user if reason.strip() else None
    appointment.hold_override_at = timezone.now() if reason.strip() else None


def _is_procedure(appointment: Appointment) -> bool:
    return bool(appointment.appointment_type.requires_decision_to_treat)


def _on_behalf(actor: Actor) -> Actor:
    """The referral's status follows the booking: the booking is the record that moves it (as
    the final decision moves it to "decided"), whoever booked (a scheduler may not move a
    referral by hand). The move is made by the system, its reason naming the person."""
    return Actor(user=None, client_address=actor.client_address)


def _referral_follows_booking(actor: Actor, appointment: Appointment) -> None:
    """Booking a procedure moves its referral from "decided" to "scheduled"."""
    referral = appointment.referral
    if not _is_procedure(appointment) or referral is None:
        return
    referral.refresh_from_db()
    if referral.status == ReferralStatus.DECIDED:
        referral_set_status(
            actor=_on_behalf(actor),
            referral=referral,
            to_status=ReferralStatus.SCHEDULED,
            reason=f"Procedure booked for {local_label(appointment.starts_at)} by {actor.username}",
        )


def _referral_follows_cancel(actor: Actor, appointment: Appointment) -> None:
    """Cancelling a referral's only procedure booking moves it back to "decided"."""
    referral = appointment.referral
    if not _is_procedure(appointment) or referral is None:
        return
    referral.refresh_from_db()
    others = Appointment.objects.filter(
        referral=referral,
        status__in=HOLDS_TIME,
        appointment_type__requires_decision_to_treat=True,
    ).exclude(pk=appointment.pk)
    if referral.status == ReferralStatus.SCHEDULED and not others.exists():
        referral_set_status(
            actor=_on_behalf(actor),
            referral=referral,
            to_status=ReferralStatus.DECIDED,
            reason=f"Procedure of {local_label(appointment.starts_at)} cancelled by "
            f"{actor.username}: {appointment.cancel_reason}",
        )


def appointment_book(
    *, actor: Actor, request: BookingRequest, booked_by: str = BookedBy.STAFF
) -> Appointment:
    """Book an appointment; pending when a patient books and the clinic wants to approve."""
    ensure(actor, Capability.PORTAL if booked_by == BookedBy.PATIENT else Capability.SCHEDULE_BOOK)
    problem = _check_request(actor, request, now=timezone.now())
    pending = booked_by == BookedBy.PATIENT and self_booking_policy().requires_approval
    duration = dt.timedelta(minutes=request.appointment_type.duration_minutes)
    try:
        with transaction.atomic():
            appointment = Appointment(
                patient=request.patient,
                referral=request.referral,
                appointment_type=request.appointment_type,
                starts_at=request.starts_at,
                ends_at=request.starts_at + duration,
                status=AppointmentStatus.PENDING if pending else AppointmentStatus.BOOKED,
                booked_by=booked_by,
                notes=request.notes.strip(),
                overbook_reason=request.overbook_reason.strip(),
                decision_override_reason=request.decision_override_reason.strip(),
            )
            _set_hold_override(appointment, actor, request.hold_override_reason if problem else "")
            rows = _place(appointment, request)
            appointment.save(force_insert=True)
            _save_rows(rows)
            _audit(
                actor,
                AuditAction.CREATE,
                appointment,
                f"Booked {request.appointment_type.name} for "
                f"{local_label(request.starts_at)}"
                + (" (overbooked)" if appointment.overbook_reason else ""),
                {
                    "appointment_type": [None, request.appointment_type.code],
                    "starts_at": [None, request.starts_at.isoformat()],
                    "status": [None, appointment.status],
                    "resources": [None, [row.resource_id for row in rows if row.resource_id]],
                    "booked_by": [None, booked_by],
                    "overbook_reason": [None, appointment.overbook_reason],
                    "decision_override_reason": [None, appointment.decision_override_reason],
                    "hold_override_reason": [None, appointment.hold_override_reason],
                    "hold_problem": problem,
                },
            )
            _referral_follows_booking(actor, appointment)
            if not pending:
                _queue_notices(appointment, NoticeKind.CONFIRMATION)
    except IntegrityError as exc:  # the check constraints: should be unreachable after checks
        raise ValidationFailed({"__all__": [f"The booking was refused: {exc}"]}) from exc
    return appointment


def _locked(appointment_id: int, expected_version: int) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "appointment_type", "referral")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFound("No such appointment.")
    if appointment.version != expected_version:
        raise EditConflict(
            current_version=appointment.version,
            current_values={
                "status": appointment.get_status_display(),
                "starts_at": local_label(appointment.starts_at),
            },
        )
    return appointment


def appointment_reschedule(
    *,
    actor: Actor,
    appointment_id: int,
    expected_version: int,
    starts_at: dt.datetime,
    clinician: Resource | None = None,
    overbook_reason: str = "",
    hold_override_reason: str = "",
    by_patient: bool = False,
) -> Appointment:
    """Move an appointment; a procedure's antithrombotic hold is checked again for the new
    time (an earlier override does not carry over to another time)."""
    ensure(actor, Capability.PORTAL if by_patient else Capability.SCHEDULE_BOOK)
    with transaction.atomic():
        appointment = _locked(appointment_id, expected_version)
        if appointment.status not in (AppointmentStatus.PENDING, AppointmentStatus.BOOKED):
            raise TransitionNotAllowed(
                f"A {appointment.get_status_display().lower()} appointment can't be rescheduled."
            )
        request = BookingRequest(
            patient=appointment.patient,
            appointment_type=appointment.appointment_type,
            starts_at=starts_at,
            referral=appointment.referral,
            clinician=clinician,
            overbook_reason=overbook_reason,
            hold_override_reason=hold_override_reason,
        )
        problem = _check_request(actor, request, now=timezone.now(), moving=True)
        old_override = appointment.hold_override_reason
        old_start = appointment.starts_at
        old_resources = sorted(
            appointment.booked.filter(active=True, resource__isnull=False).values_list(
                "resource_id", flat=True
            )
        )
        appointment.booked.filter(active=True).update(active=False)
        rows = _place(appointment, request, ignore=appointment)
        _save_rows(rows)
        appointment.starts_at = starts_at
        appointment.ends_at = starts_at + (appointment.ends_at - old_start)
        if overbook_reason.strip():
            appointment.overbook_reason = overbook_reason.strip()
        _set_hold_override(appointment, actor, hold_override_reason if problem else "")
        appointment.version += 1
        appointment.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            appointment,
            f"Rescheduled {appointment.appointment_type.name} from "
            f"{local_label(old_start)} to {local_label(starts_at)}",
            {
                "starts_at": [old_start.isoformat(), starts_at.isoformat()],
                "resources": [old_resources, [r.resource_id for r in rows if r.resource_id]],
                "version": [expected_version, appointment.version],
                "hold_override_reason": [old_override, appointment.hold_override_reason],
                "hold_problem": problem,
            },
        )
        if appointment.status == AppointmentStatus.BOOKED:
            _queue_notices(appointment, NoticeKind.RESCHEDULED)
    return appointment


def appointment_cancel(
    *,
    actor: Actor,
    appointment_id: int,
    expected_version: int,
    reason: str,
    by_patient: bool = False,
) -> Appointment:
    """Cancel with a reason; the time is freed at once (the rows stay, inactive)."""
    ensure(actor, Capability.PORTAL if by_patient else Capability.SCHEDULE_BOOK)
    if not reason.strip():
        raise ValidationFailed({"reason": ["Say why the appointment is cancelled."]})
    with transaction.atomic():
        appointment = _locked(appointment_id, expected_version)
        if appointment.status not in HOLDS_TIME:
            raise TransitionNotAllowed(
                f"A {appointment.get_status_display().lower()} appointment can't be cancelled."
            )
        was = appointment.status
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancel_reason = reason.strip()
        appointment.version += 1
        appointment.save()
        appointment.booked.filter(active=True).update(active=False)
        _audit(
            actor,
            AuditAction.STATUS_CHANGE,
            appointment,
            f"Cancelled {appointment.appointment_type.name} of "
            f"{local_label(appointment.starts_at)}",
            {"status": [was, "cancelled"], "reason": appointment.cancel_reason},
        )
        _referral_follows_cancel(actor, appointment)
        if was != AppointmentStatus.PENDING:
            _queue_notices(appointment, NoticeKind.CANCELLED)
    return appointment


# From each status, the statuses staff may set (cancellation has its own service).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AppointmentStatus.PENDING: (AppointmentStatus.BOOKED,),
    AppointmentStatus.BOOKED: (AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW),
    AppointmentStatus.ARRIVED: (AppointmentStatus.COMPLETED,),
}


def appointment_set_status(
    *, actor: Actor, appointment_id: int, expected_version: int, status: str
) -> Appointment:
    """Approve a pending booking, or mark arrived / completed / no-show (from its day on)."""
    ensure(actor, Capability.SCHEDULE_BOOK)
    with transaction.atomic():
        appointment = _locked(appointment_id, expected_version)
        was = appointment.status
        if status not in TRANSITIONS.get(was, ()):
            target = dict(AppointmentStatus.choices).get(status, status).lower()
            raise TransitionNotAllowed(
                f"A {appointment.get_status_display().lower()} appointment can't be marked "
                f"{target}."
            )
        today = timezone.now().astimezone(clinic_zone()).date()
        if status != AppointmentStatus.BOOKED and (
            appointment.starts_at.astimezone(clinic_zone()).date() > today
        ):
            raise TransitionNotAllowed("Arrival, completion and no-show are marked on the day.")
        appointment.status = status
        appointment.version += 1
        appointment.save()
        _audit(
            actor,
            AuditAction.STATUS_CHANGE,
            appointment,
            f"{appointment.appointment_type.name} of {local_label(appointment.starts_at)}: "
            f"{appointment.get_status_display().lower()}",
            {"status": [was, status]},
        )
        if was == AppointmentStatus.PENDING:
            _queue_notices(appointment, NoticeKind.CONFIRMATION)
    return appointment


# --- notices ------------------------------------------------------------------------------------


def _queue_notices(appointment: Appointment, kind: str) -> None:
    """The notice of this change now, and the reminder of this version before the start;
    notices of earlier versions still waiting are no longer needed."""
    now = timezone.now()
    Notice.objects.filter(
        appointment=appointment,
        status__in=(NoticeStatus.PENDING, NoticeStatus.FAILED),
        appointment_version__lt=appointment.version,
    ).update(status=NoticeStatus.OBSOLETE)
    Notice.objects.create(
        appointment=appointment, kind=kind, appointment_version=appointment.version, due_at=now
    )
    if kind == NoticeKind.CANCELLED:
        return
    remind_at = appointment.starts_at - dt.timedelta(hours=settings.VERTEBRA_REMINDER_LEAD_HOURS)
    if remind_at > now:
        Notice.objects.create(
            appointment=appointment,
            kind=NoticeKind.REMINDER,
            appointment_version=appointment.version,
            due_at=remind_at,
        )
