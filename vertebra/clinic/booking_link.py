"""The composition's link between a procedure record and its booking (issue 14).

Procedures and scheduling are siblings (architecture.md §9); the clinic, above both, tells the
procedure record how to find a referral's booked procedure appointment
(procedures/record/booking.py). "Procedure appointment": a type that requires the decision to
treat; cancelled and no-show appointments are not the session."""

from __future__ import annotations

import datetime as dt

from vertebra.core.models import RecordStatus
from vertebra.patients.models import Referral
from vertebra.procedures.record.booking import BookedSession
from vertebra.scheduling.models import Appointment, AppointmentStatus


def procedure_booking(referral: Referral, at: dt.datetime) -> BookedSession | None:
    """The referral's procedure appointment whose start is nearest to `at`."""
    candidates = Appointment.objects.filter(
        referral=referral,
        appointment_type__requires_decision_to_treat=True,
        record_status=RecordStatus.ACTIVE,
    ).exclude(status__in=(AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW))
    nearest = min(candidates, key=lambda a: abs(a.starts_at - at), default=None)
    if nearest is None:
        return None
    return BookedSession(appointment_id=nearest.public_id, starts_at=nearest.starts_at)
