"""Patients booking, moving and cancelling their own appointments, within the clinic's rules
(which types, how far ahead, the minimum notice, optional approval)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vertebra.core.actor import Actor
from vertebra.core.errors import Forbidden, NotFound, ValidationFailed
from vertebra.patients.models import Patient
from vertebra.scheduling import services, slots
from vertebra.scheduling.models import Appointment, AppointmentType, BookedBy
from vertebra.scheduling.selectors import free_slots
from vertebra.scheduling.setup import self_booking_policy


def bookable_types() -> list[AppointmentType]:
    if not self_booking_policy().enabled:
        return []
    return list(AppointmentType.objects.filter(active=True, patient_bookable=True))


def window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The earliest and latest start a patient may choose now."""
    now = now or timezone.now()
    policy = self_booking_policy()
    return (
        now + dt.timedelta(hours=policy.min_notice_hours),
        now + dt.timedelta(days=policy.max_days_ahead),
    )


def _type(code: str) -> AppointmentType:
    for appointment_type in bookable_types():
        if appointment_type.code == code:
            return appointment_type
    raise ValidationFailed({"type": ["This appointment can't be booked online: call the clinic."]})


def offered_slots(patient: Patient, code: str, limit: int = 30) -> list[slots.Slot]:
    earliest, latest = window()
    return free_slots(_type(code), earliest=earliest, latest=latest, patient=patient, limit=limit)


def _check_time(starts_at: dt.datetime) -> None:
    earliest, latest = window()
    if starts_at < earliest:
        policy = self_booking_policy()
        raise ValidationFailed(
            {"starts_at": [f"Online bookings need {policy.min_notice_hours} hours' notice."]}
        )
    if starts_at >= latest:
        raise ValidationFailed({"starts_at": ["That is further ahead than online booking allows."]})


def own_appointment(patient: Patient, public_id: str) -> Appointment:
    appointment = (
        Appointment.objects.filter(public_id=public_id, patient=patient)
        .select_related("appointment_type", "patient")
        .first()
    )
    if appointment is None:  # someone else's, or none: the same answer
        raise NotFound("No such appointment.")
    return appointment


def _changeable(appointment: Appointment) -> None:
    if not appointment.appointment_type.patient_bookable:
        raise Forbidden("This appointment can only be changed by the clinic: please call us.")
    if appointment.starts_at < window()[0]:
        raise ValidationFailed(
            {"__all__": ["It is too close to the appointment to change it online: please call."]}
        )


def appointment_book_by_patient(
    *, actor: Actor, patient: Patient, code: str, starts_at: dt.datetime
) -> Appointment:
    appointment_type = _type(code)
    _check_time(starts_at)
    return services.appointment_book(
        actor=actor,
        request=services.BookingRequest(
            patient=patient, appointment_type=appointment_type, starts_at=starts_at
        ),
        booked_by=BookedBy.PATIENT,
    )


def appointment_reschedule_by_patient(
    *, actor: Actor, patient: Patient, public_id: str, version: int, starts_at: dt.datetime
) -> Appointment:
    appointment = own_appointment(patient, public_id)
    _changeable(appointment)
    _check_time(starts_at)
    return services.appointment_reschedule(
        actor=actor,
        appointment_id=appointment.pk,
        expected_version=version,
        starts_at=starts_at,
        by_patient=True,
    )


def appointment_cancel_by_patient(
    *, actor: Actor, patient: Patient, public_id: str, version: int, reason: str
) -> Appointment:
    appointment = own_appointment(patient, public_id)
    _changeable(appointment)
    return services.appointment_cancel(
        actor=actor,
        appointment_id=appointment.pk,
        expected_version=version,
        reason=reason or "Cancelled by the patient online",
        by_patient=True,
    )
