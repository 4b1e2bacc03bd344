"""The composition links a procedure record to its booked appointment (issue 14): the
procedure appointment of the referral nearest the start, never a cancelled one, never another
type; the hook is registered when the clinic app is ready."""

from __future__ import annotations

import datetime as dt

import pytest

from vertebra.clinic.booking_link import procedure_booking
from vertebra.patients.models import Referral
from vertebra.procedures.record import booking
from vertebra.scheduling.models import Appointment, AppointmentType

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 12, 7, 9, 40, tzinfo=dt.UTC)


def appointment_type(code: str, *, procedure: bool) -> AppointmentType:
    found, _ = AppointmentType.objects.get_or_create(
        code=code,
        defaults={"name": code, "duration_minutes": 60, "required_kinds": [],
                  "requires_decision_to_treat": procedure},
    )  # fmt: skip
    return found


def book(referral: Referral, kind: AppointmentType, hour: int, **extra: object) -> Appointment:
    starts = AT.replace(hour=hour, minute=0)
    return Appointment.objects.create(
        patient=referral.patient,
        referral=referral,
        appointment_type=kind,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        booked_by="staff",
        **extra,
    )


def test_the_clinic_registers_the_lookup() -> None:
    assert booking._lookup is procedure_booking


def test_the_nearest_procedure_appointment_not_cancelled_is_the_session(
    referral: Referral,
) -> None:
    assert procedure_booking(referral, AT) is None
    procedure = appointment_type("procedure", procedure=True)
    consultation = appointment_type("consultation", procedure=False)
    session = book(referral, procedure, 8)
    book(referral, consultation, 10)
    book(referral, procedure, 10, status="cancelled", cancel_reason="Patient unwell")
    found = procedure_booking(referral, AT)
    assert found == booking.BookedSession(session.public_id, session.starts_at)
