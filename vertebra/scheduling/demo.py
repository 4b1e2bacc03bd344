"""The demo clinic's calendars: clinicians, rooms and the fluoroscopy suite with weekly hours,
one week of leave, and appointments over the coming days (fictitious people only)."""

from __future__ import annotations

import datetime as dt
import random

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError
from vertebra.core.models import Role, User
from vertebra.evaluation.models import FinalChoice, FinalDecision
from vertebra.patients.models import Patient
from vertebra.scheduling import services, setup
from vertebra.scheduling.defaults import install_default_types
from vertebra.scheduling.models import (
    AppointmentType,
    AvailabilityTemplate,
    Resource,
    SelfBookingPolicy,
)
from vertebra.scheduling.selectors import clinic_zone, free_slots

WEEKDAYS = range(5)


def _resource(kind: str, name: str, hours: tuple[int, int], days: range | tuple[int, ...],
              user: User | None = None) -> Resource:  # fmt: skip
    resource = Resource.objects.create(kind=kind, name=name, user=user)
    for weekday in days:
        AvailabilityTemplate.objects.create(
            resource=resource,
            weekday=weekday,
            start_time=dt.time(hours[0]),
            end_time=dt.time(hours[1]),
        )
    return resource


def load_demo_schedule(seed: int = 2026) -> int:
    """Create the calendars and book appointments; returns the number booked."""
    install_default_types(AppointmentType, SelfBookingPolicy)
    users = {user.role: user for user in User.objects.filter(username__in=["physician", "nurse"])}
    _resource("physician", "Dr Demo Physician", (8, 17), WEEKDAYS, users.get(Role.PHYSICIAN))
    locum = _resource("physician", "Dr Second Opinion", (9, 15), (0, 2, 4))
    _resource("nurse", "Demo Nurse", (7, 16), WEEKDAYS, users.get(Role.NURSE))
    _resource("consult_room", "Consult room 1", (8, 17), WEEKDAYS)
    _resource("consult_room", "Consult room 2", (8, 17), (0, 2, 4))
    _resource("procedure_suite", "Fluoroscopy suite", (8, 14), (1, 3))
    system = Actor.system()
    zone = clinic_zone()
    next_monday = dt.datetime.now(zone).date() + dt.timedelta(
        days=7 - dt.datetime.now(zone).weekday()
    )
    leave_start = dt.datetime.combine(next_monday + dt.timedelta(days=7), dt.time(0), tzinfo=zone)
    setup.exception_add(
        actor=system,
        resource=locum,
        starts_at=leave_start,
        ends_at=leave_start + dt.timedelta(days=5),
        reason="Annual leave",
    )
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    types = {t.code: t for t in AppointmentType.objects.all()}
    booked = 0
    decided = set(
        FinalDecision.objects.filter(choice=FinalChoice.PROCEED).values_list(
            "evaluation__referral_id", flat=True
        )
    )
    now = dt.datetime.now(dt.UTC)
    patients = list(Patient.objects.filter(record_status="active").order_by("mrn"))
    for patient in patients:
        referral = (
            patient.referrals.filter(record_status="active").order_by("-referral_date").first()
        )
        code = (
            "procedure"
            if referral is not None and referral.pk in decided
            else rng.choice(
                ["consultation", "consultation", "follow_up", "pre_procedure", "day1_call"]
            )
        )
        start = now + dt.timedelta(days=rng.randint(0, 13), hours=rng.randint(0, 8))
        found = free_slots(
            types[code],
            earliest=start,
            latest=start + dt.timedelta(days=7),
            patient=patient,
            limit=1,
        )
        if not found:
            continue
        try:
            services.book(
                actor=system,
                request=services.BookingRequest(
                    patient=patient,
                    appointment_type=types[code],
                    starts_at=found[0].start,
                    referral=referral if code == "procedure" else None,
                ),
            )
        except DomainError:
            continue
        booked += 1
    return booked
