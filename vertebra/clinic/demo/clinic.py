"""The demo clinic's people and calendars: one login per role, clinicians, rooms and the
fluoroscopy suite with their weekly hours, and booking through the scheduling services."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients.models import Patient, Referral
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import PatientInformation
from vertebra.scheduling import services as booking
from vertebra.scheduling import setup
from vertebra.scheduling.defaults import install_default_types
from vertebra.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Resource,
    SelfBookingPolicy,
)
from vertebra.scheduling.selectors import free_slots

DEMO_PASSWORD = "vertebra-demo"  # noqa: S105 - documented demo login, refused in production
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("physician", Role.PHYSICIAN, "Dr Demo Physician"),
    ("nurse", Role.NURSE, "Demo Nurse"),
    ("scheduler", Role.SCHEDULER, "Demo Scheduler"),
    ("quality", Role.QUALITY_LEAD, "Demo Quality-Lead"),
    ("admin", Role.ADMINISTRATOR, "Demo Administrator"),
    ("patient", Role.PATIENT, "Demo Patient"),
)
WEEKDAYS = (0, 1, 2, 3, 4)
# kind, name, opening hours, weekdays, login that works there
RESOURCES: tuple[tuple[str, str, tuple[int, int], tuple[int, ...], str], ...] = (
    ("physician", "Dr Demo Physician", (8, 17), WEEKDAYS, "physician"),
    ("physician", "Dr Second Opinion (spine surgery)", (9, 15), (0, 2, 4), ""),
    ("nurse", "Demo Nurse", (7, 16), WEEKDAYS, "nurse"),
    ("consult_room", "Consult room 1", (8, 17), WEEKDAYS, ""),
    ("consult_room", "Consult room 2", (8, 17), (0, 2, 4), ""),
    ("procedure_suite", "Fluoroscopy suite", (8, 13), WEEKDAYS, ""),
)


@dataclass
class Clinic:
    """Who acts and where, for the stories; `until` is the real present (nothing later runs)."""

    seed: int
    until: dt.datetime
    users: dict[str, User]
    types: dict[str, AppointmentType]
    surgeon: Resource
    information: PatientInformation
    patient_login_given: list[bool] = field(default_factory=lambda: [False])

    def actor(self, username: str) -> Actor:
        return Actor(user=self.users[username])

    @property
    def today(self) -> dt.date:
        return self.until.astimezone(timeutil.clinic_zone()).date()

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A wall-clock time of the clinic on `day`, as an aware instant."""
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timeutil.clinic_zone())

    def day_of(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(timeutil.clinic_zone()).date()

    def ahead(self, earliest: dt.datetime) -> dt.datetime:
        """`earliest`, but no sooner than a little after the present: for what is still to come."""
        return max(earliest, self.until + dt.timedelta(hours=2))

    def book(
        self,
        *,
        patient: Patient,
        code: str,
        earliest: dt.datetime,
        referral: Referral | None = None,
        clinician: Resource | None = None,
        notes: str = "",
    ) -> Appointment:
        """The first free slot of the type from `earliest`, booked by the scheduler."""
        kind = self.types[code]
        found = free_slots(
            kind,
            earliest=earliest,
            latest=earliest + dt.timedelta(days=28),
            clinician=clinician,
            patient=patient,
            limit=1,
        )
        if not found:  # four weeks without a free slot: the demo calendars are wrong
            raise RuntimeError(f"No free {code} slot from {earliest:%Y-%m-%d}.")
        return booking.appointment_book(
            actor=self.actor("scheduler"),
            request=booking.BookingRequest(
                patient=patient,
                appointment_type=kind,
                starts_at=found[0].start,
                referral=referral,
                clinician=clinician,
                notes=notes,
            ),
        )

    def mark(self, appointment: Appointment, *statuses: str) -> Appointment:
        """The nurse marks the appointment (arrived, completed) on its day."""
        for status in statuses:
            appointment = booking.appointment_set_status(
                actor=self.actor("nurse"),
                appointment_id=appointment.pk,
                expected_version=appointment.version,
                status=status,
            )
        return appointment


ARRIVED, COMPLETED = AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED


@functools.cache
def _password_hash() -> str:
    """One Argon2 hash of the shared demo password (each hash costs ~0.4 s by design)."""
    return make_password(DEMO_PASSWORD)


def _create_user(username: str, role: str, full_name: str, patient: Patient | None) -> User:
    first, _, last = full_name.rpartition(" ")
    user = User(username=username, role=role, first_name=first, last_name=last)
    user.password = _password_hash()
    with transaction.atomic():
        user.save()
        if patient is not None:
            Patient.objects.filter(pk=patient.pk).update(user=user)
        audit_record(
            actor=Actor.system(),
            action=AuditAction.CREATE,
            object_type="User",
            object_id=user.public_id,
            patient=patient,
            summary=f"Created {user.get_role_display().lower()} login {username}",
            changes={"username": [None, username], "role": [None, role]},
        )
    return user


def give_patient_login(clinic: Clinic, patient: Patient) -> None:
    """The demo `patient` login: given to one patient, when the clinic registers them."""
    username, role, full_name = DEMO_USERS[-1]
    clinic.users[username] = _create_user(username, role, full_name, patient)
    clinic.patient_login_given[0] = True


def open_clinic(*, seed: int, until: dt.datetime) -> Clinic:
    """Staff logins, appointment types, resources and their weekly hours, the patient
    information text, and one planned leave (run with the clock at the clinic's opening)."""
    users = {
        username: _create_user(username, role, full_name, None)
        for username, role, full_name in DEMO_USERS
        if role != Role.PATIENT
    }
    install_default_types(AppointmentType, SelfBookingPolicy)
    administrator = Actor(user=users["admin"])
    created: dict[str, Resource] = {}
    for kind, name, (opens, closes), days, login in RESOURCES:
        resource = setup.resource_create(actor=administrator, kind=kind, name=name)
        if login:  # which login works at this calendar (shown as "my day"); not a clinical fact
            Resource.objects.filter(pk=resource.pk).update(user=users[login])
        for weekday in days:
            setup.availability_template_add(
                actor=administrator,
                resource=resource,
                weekday=weekday,
                start_time=dt.time(opens),
                end_time=dt.time(closes),
            )
        created[name] = resource
    surgeon = created["Dr Second Opinion (spine surgery)"]
    today = until.astimezone(timeutil.clinic_zone()).date()
    leave = today + dt.timedelta(days=14 - today.weekday())  # the Monday after next
    starts = dt.datetime.combine(leave, dt.time(0), tzinfo=timeutil.clinic_zone())
    setup.availability_exception_add(
        actor=administrator,
        resource=surgeon,
        starts_at=starts,
        ends_at=starts + dt.timedelta(days=5),
        reason="Annual leave",
    )
    return Clinic(
        seed=seed,
        until=until,
        users=users,
        types={t.code: t for t in AppointmentType.objects.all()},
        surgeon=surgeon,
        information=install_version_1(PatientInformation),  # type: ignore[arg-type]
    )
