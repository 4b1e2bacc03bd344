"""Booking services: the invariants (no resource and no patient booked twice; cancelling frees
the time), bad input refused with nothing written, overrides audited, notices queued."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from django.db import connections

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    EditConflict,
    Forbidden,
    NotFound,
    SlotUnavailable,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import Role, User
from vertebra.evaluation.services import evaluation_record_decision, evaluation_run
from vertebra.patients.models import Patient, Referral
from vertebra.patients.services import anticoagulant_add, assessment_update
from vertebra.scheduling import services
from vertebra.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookedTime,
    Notice,
    NoticeKind,
)
from vertebra.scheduling.services import NO_LONGER_AVAILABLE, BookingRequest
from vertebra.scheduling.tests.conftest import Clinic, make_clinic

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Appointment.objects.count(),
        BookedTime.objects.count(),
        Notice.objects.count(),
        AuditEvent.objects.count(),
    )


def consult(
    clinic: Clinic, patient: Patient, start: dt.datetime, **extra: object
) -> BookingRequest:
    return BookingRequest(
        patient=patient, appointment_type=clinic.types["consultation"], starts_at=start, **extra
    )  # type: ignore[arg-type]


def test_booking_holds_each_resource_and_the_patient_and_is_audited(
    clinic: Clinic, patient: Patient, scheduler: Actor
) -> None:
    start = clinic.at(2, 9)
    appointment = services.appointment_book(
        actor=scheduler, request=consult(clinic, patient, start)
    )
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.ends_at == start + dt.timedelta(minutes=30)
    rows = {
        (row.resource_id, row.patient_id, row.blocked_until, row.active, row.overbooked)
        for row in appointment.booked.all()
    }
    assert rows == {
        (clinic.house.pk, None, start + dt.timedelta(minutes=30), True, False),
        (clinic.room.pk, None, start + dt.timedelta(minutes=30), True, False),
        (None, patient.pk, start + dt.timedelta(minutes=30), True, False),
    }
    event = AuditEvent.objects.latest("sequence")
    assert (event.action, event.object_type, event.patient_id) == (
        "create",
        "Appointment",
        patient.pk,
    )
    assert event.actor_role == "scheduler"
    assert event.changes["starts_at"] == [None, start.isoformat()]
    assert event.changes["resources"] == [None, [clinic.house.pk, clinic.room.pk]]
    notices = {(n.kind, n.appointment_version, n.status) for n in appointment.notices.all()}
    assert notices == {("confirmation", 1, "pending"), ("reminder", 1, "pending")}
    reminder = appointment.notices.get(kind=NoticeKind.REMINDER)
    assert reminder.due_at == start - dt.timedelta(hours=24)


def test_the_same_room_is_never_booked_twice(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor
) -> None:
    start = clinic.at(2, 9)
    services.appointment_book(actor=scheduler, request=consult(clinic, make_patient(), start))
    before = counts()
    with pytest.raises(SlotUnavailable) as refused:
        # Another physician is free, but the only consult room is not.
        services.appointment_book(actor=scheduler, request=consult(clinic, make_patient(), start))
    assert refused.value.message == NO_LONGER_AVAILABLE
    # Overlapping by 15 minutes is refused too; right after is fine.
    with pytest.raises(SlotUnavailable):
        services.appointment_book(
            actor=scheduler,
            request=consult(clinic, make_patient(), start + dt.timedelta(minutes=15)),
        )
    assert counts()[:3] == before[:3]
    services.appointment_book(
        actor=scheduler, request=consult(clinic, make_patient(), start + dt.timedelta(minutes=30))
    )


def test_the_patient_is_never_booked_twice(
    clinic: Clinic, patient: Patient, scheduler: Actor
) -> None:
    start = clinic.at(2, 9)
    services.appointment_book(actor=scheduler, request=consult(clinic, patient, start))
    before = counts()
    with pytest.raises(SlotUnavailable) as refused:
        services.appointment_book(
            actor=scheduler,
            request=BookingRequest(
                patient=patient,
                appointment_type=clinic.types["pre_procedure"],
                starts_at=start + dt.timedelta(minutes=15),
            ),
        )
    assert refused.value.message == "The patient already has an appointment at that time."
    assert counts() == before


@pytest.mark.parametrize(
    ("when", "field", "message"),
    [
        ((-1, 9, 0), "starts_at", "That time has passed: choose a time in the future."),
        ((2, 9, 5), "starts_at", "Appointments start on the quarter hour."),
        (
            (2, 20, 0),
            "starts_at",
            "That time is outside the availability of the resources it needs.",
        ),
    ],
)
def test_bad_times_are_refused_and_nothing_is_written(
    clinic: Clinic,
    patient: Patient,
    scheduler: Actor,
    when: tuple[int, int, int],
    field: str,
    message: str,
) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(
            actor=scheduler, request=consult(clinic, patient, clinic.at(*when))
        )
    assert refused.value.errors == {field: [message]}
    assert counts() == before


def test_a_naive_time_a_wrong_clinician_and_a_retired_type_are_refused(
    clinic: Clinic, patient: Patient, scheduler: Actor
) -> None:
    before = counts()
    naive = clinic.at(2, 9).replace(tzinfo=None)
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(actor=scheduler, request=consult(clinic, patient, naive))
    assert refused.value.errors == {"starts_at": ["Give the time with its time zone."]}
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(
            actor=scheduler,
            request=consult(clinic, patient, clinic.at(2, 9), clinician=clinic.nurse),
        )
    assert refused.value.errors == {
        "clinician": ["Nurse Ratched can't serve this type (it needs: Physician, Consult room)."]
    }
    clinic.types["consultation"].active = False
    clinic.types["consultation"].save()
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(
            actor=scheduler, request=consult(clinic, patient, clinic.at(2, 9))
        )
    assert refused.value.errors == {
        "appointment_type": ["This appointment type is no longer offered."]
    }
    assert counts() == before


def test_a_chosen_clinician_is_the_one_booked(
    clinic: Clinic, patient: Patient, scheduler: Actor
) -> None:
    appointment = services.appointment_book(
        actor=scheduler, request=consult(clinic, patient, clinic.at(2, 9), clinician=clinic.locum)
    )
    assert set(appointment.booked.values_list("resource_id", flat=True)) == {
        clinic.locum.pk,
        clinic.room.pk,
        None,
    }


def _decided_referral(
    referral: Referral,
    users: dict[Role, User],
    choice: str = "proceed",
    aspirin_last_dose: dt.date | None = None,
) -> Referral:
    """A physician's decision on an evaluation of ``referral``, whose antithrombotics were
    reviewed (none, or aspirin with its last dose)."""
    physician = Actor(user=users[Role.PHYSICIAN])
    assessment = Referral.objects.get(pk=referral.pk).assessment
    assessment_update(
        actor=physician,
        assessment=assessment,
        expected_version=assessment.version,
        data={"coagulation_antithrombotics_reviewed": True},
    )
    if aspirin_last_dose is not None:
        anticoagulant_add(
            actor=physician,
            assessment=assessment,
            data={"drug": "aspirin", "last_dose_date": aspirin_last_dose},
        )
    evaluation = evaluation_run(actor=physician, referral=referral)
    evaluation_record_decision(
        actor=physician, evaluation=evaluation, choice=choice, reason="Clinical judgement."
    )
    return Referral.objects.get(pk=referral.pk)


def test_a_procedure_needs_a_decision_to_treat_or_an_audited_override(
    clinic: Clinic,
    patient: Patient,
    referral: Referral,
    scheduler: Actor,
    actor: Actor,
    physician_actor: Actor,
) -> None:
    procedure = BookingRequest(
        patient=patient,
        appointment_type=clinic.types["procedure"],
        starts_at=clinic.at(3, 10),
        referral=referral,
    )
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(actor=scheduler, request=procedure)
    # No evaluation: no decision to treat, and the antithrombotic hold could not be checked.
    assert refused.value.errors == {
        "decision_override_reason": [
            "No decision to treat is recorded for this patient: record the decision first, or "
            "give the reason for booking without it."
        ],
        "hold_override_reason": [
            "The antithrombotic hold could not be checked: No evaluation yet: the "
            "antithrombotic hold could not be checked."
        ],
    }
    # A nurse may book, but not override.
    with pytest.raises(Forbidden):
        services.appointment_book(
            actor=actor,
            request=BookingRequest(**{**procedure.__dict__, "decision_override_reason": "Urgent"}),
        )
    # A scheduler may book without a decision, but not with the hold unchecked.
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(
            actor=scheduler,
            request=BookingRequest(**{**procedure.__dict__, "decision_override_reason": "Phone"}),
        )
    assert list(refused.value.errors) == ["hold_override_reason"]
    with pytest.raises(Forbidden) as forbidden:
        services.appointment_book(
            actor=scheduler,
            request=BookingRequest(
                **{
                    **procedure.__dict__,
                    "decision_override_reason": "Phone",
                    "hold_override_reason": "Checked by phone",
                }
            ),
        )
    assert forbidden.value.field == "hold_override_reason"
    assert counts() == before
    overridden = services.appointment_book(
        actor=physician_actor,
        request=BookingRequest(
            **{
                **procedure.__dict__,
                "decision_override_reason": "Decision made by phone",
                "hold_override_reason": "No antithrombotics: confirmed with the GP",
            }
        ),
    )
    assert overridden.decision_override_reason == "Decision made by phone"
    assert (overridden.hold_override_reason, overridden.hold_override_by) == (
        "No antithrombotics: confirmed with the GP",
        physician_actor.user,
    )
    assert overridden.hold_override_at is not None
    event = AuditEvent.objects.filter(object_type="Appointment").latest("sequence")
    assert event.changes["decision_override_reason"] == [None, "Decision made by phone"]
    assert event.changes["hold_override_reason"] == [
        None,
        "No antithrombotics: confirmed with the GP",
    ]
    assert {r.resource_id for r in overridden.booked.all()} == {
        clinic.house.pk,
        clinic.nurse.pk,
        clinic.suite.pk,
        None,
    }
    # Blocked until the end of the turnover buffer.
    assert {r.blocked_until - r.starts_at for r in overridden.booked.filter(patient=None)} == {
        dt.timedelta(minutes=75)
    }


def test_moving_a_procedure_checks_its_hold_again(
    clinic: Clinic, patient: Patient, referral: Referral, actor: Actor, physician_actor: Actor
) -> None:
    booked = services.appointment_book(
        actor=physician_actor,
        request=BookingRequest(
            patient=patient,
            appointment_type=clinic.types["procedure"],
            starts_at=clinic.at(3, 10),
            referral=referral,
            decision_override_reason="Decision made by phone",
            hold_override_reason="No antithrombotics: confirmed with the GP",
        ),
    )
    # The override was for that time: a nurse's move is checked again, and refused.
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_reschedule(
            actor=actor, appointment_id=booked.pk, expected_version=1, starts_at=clinic.at(4, 10)
        )
    assert list(refused.value.errors) == ["hold_override_reason"]
    assert Appointment.objects.get(pk=booked.pk).starts_at == clinic.at(3, 10)
    moved = services.appointment_reschedule(
        actor=physician_actor,
        appointment_id=booked.pk,
        expected_version=1,
        starts_at=clinic.at(4, 10),
        hold_override_reason="Still none: checked again",
    )
    assert (moved.version, moved.decision_override_reason, moved.hold_override_reason) == (
        2,
        "Decision made by phone",
        "Still none: checked again",
    )
    event = AuditEvent.objects.filter(object_type="Appointment").latest("sequence")
    assert event.changes["hold_override_reason"] == [
        "No antithrombotics: confirmed with the GP",
        "Still none: checked again",
    ]


def test_a_procedure_needs_its_referral(
    clinic: Clinic, patient: Patient, physician_actor: Actor
) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(
            actor=physician_actor,
            request=BookingRequest(
                patient=patient,
                appointment_type=clinic.types["procedure"],
                starts_at=clinic.at(3, 10),
                decision_override_reason="Decision made by phone",
                hold_override_reason="Checked",
            ),
        )
    assert refused.value.errors["referral"] == [
        "A procedure is booked for a referral: choose the patient's referral."
    ]
    assert counts() == before


def test_a_recorded_decision_to_treat_allows_the_procedure(
    clinic: Clinic,
    patient: Patient,
    referral: Referral,
    scheduler: Actor,
    users: dict[Role, User],
) -> None:
    _decided_referral(referral, users)
    appointment = services.appointment_book(
        actor=scheduler,
        request=BookingRequest(
            patient=patient,
            appointment_type=clinic.types["procedure"],
            starts_at=clinic.at(3, 10),
            referral=referral,
        ),
    )
    assert (appointment.decision_override_reason, appointment.hold_override_reason) == ("", "")
    assert appointment.hold_override_by is None


def test_cancelling_frees_the_time_and_needs_a_reason(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor
) -> None:
    start = clinic.at(2, 9)
    first = services.appointment_book(
        actor=scheduler, request=consult(clinic, make_patient(), start)
    )
    before = counts()
    with pytest.raises(ValidationFailed):
        services.appointment_cancel(
            actor=scheduler, appointment_id=first.pk, expected_version=1, reason=" "
        )
    assert counts() == before
    cancelled = services.appointment_cancel(
        actor=scheduler, appointment_id=first.pk, expected_version=1, reason="Patient unwell"
    )
    assert (cancelled.status, cancelled.version, cancelled.cancel_reason) == (
        "cancelled",
        2,
        "Patient unwell",
    )
    assert not cancelled.booked.filter(active=True).exists()
    # Unsent notices of the booking are no longer needed: only the cancellation goes out.
    statuses = dict(cancelled.notices.values_list("kind", "status"))
    assert statuses == {"confirmation": "obsolete", "reminder": "obsolete", "cancelled": "pending"}
    services.appointment_book(actor=scheduler, request=consult(clinic, make_patient(), start))
    with pytest.raises(TransitionNotAllowed):
        services.appointment_cancel(
            actor=scheduler, appointment_id=first.pk, expected_version=2, reason="x"
        )
    with pytest.raises(NotFound):
        services.appointment_cancel(
            actor=scheduler, appointment_id=10**9, expected_version=1, reason="x"
        )


def test_rescheduling_moves_the_booking_and_its_reminder(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor
) -> None:
    start, later = clinic.at(2, 9), clinic.at(4, 14)
    moved = services.appointment_book(
        actor=scheduler, request=consult(clinic, make_patient(), start)
    )
    moved = services.appointment_reschedule(
        actor=scheduler, appointment_id=moved.pk, expected_version=1, starts_at=later
    )
    assert (moved.starts_at, moved.ends_at, moved.version) == (
        later,
        later + dt.timedelta(minutes=30),
        2,
    )
    assert {r.starts_at for r in moved.booked.filter(active=True)} == {later}
    assert moved.booked.filter(active=False).count() == 3
    assert sorted(moved.notices.values_list("kind", "appointment_version", "status")) == [
        ("confirmation", 1, "obsolete"),
        ("reminder", 1, "obsolete"),
        ("reminder", 2, "pending"),
        ("rescheduled", 2, "pending"),
    ]
    event = AuditEvent.objects.latest("sequence")
    assert event.changes["starts_at"] == [start.isoformat(), later.isoformat()]
    # The old time is free again; a stale version is a conflict and changes nothing.
    services.appointment_book(actor=scheduler, request=consult(clinic, make_patient(), start))
    before = counts()
    with pytest.raises(EditConflict):
        services.appointment_reschedule(
            actor=scheduler, appointment_id=moved.pk, expected_version=1, starts_at=start
        )
    assert counts() == before


def test_rescheduling_into_a_taken_slot_keeps_the_original_booking(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor
) -> None:
    taken, own = clinic.at(2, 9), clinic.at(2, 11)
    services.appointment_book(actor=scheduler, request=consult(clinic, make_patient(), taken))
    mine = services.appointment_book(actor=scheduler, request=consult(clinic, make_patient(), own))
    before = counts()
    with pytest.raises(SlotUnavailable):
        services.appointment_reschedule(
            actor=scheduler, appointment_id=mine.pk, expected_version=1, starts_at=taken
        )
    assert counts() == before
    mine.refresh_from_db()
    assert (mine.starts_at, mine.version) == (own, 1)
    assert {r.starts_at for r in mine.booked.filter(active=True)} == {own}


def test_overbooking_is_an_explicit_audited_override(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor, actor: Actor
) -> None:
    start = clinic.at(2, 9)
    services.appointment_book(actor=scheduler, request=consult(clinic, make_patient(), start))
    with pytest.raises(Forbidden):
        services.appointment_book(
            actor=actor,
            request=consult(clinic, make_patient(), start, overbook_reason="Urgent"),
        )
    extra = services.appointment_book(
        actor=scheduler,
        request=consult(clinic, make_patient(), start, overbook_reason="Urgent review"),
    )
    flags = {(r.resource_id, r.overbooked) for r in extra.booked.all()}
    # The room was taken (overbooked); the house physician was not: the locum is not used.
    assert (clinic.room.pk, True) in flags
    assert extra.overbook_reason == "Urgent review"
    assert AuditEvent.objects.latest("sequence").summary.endswith("(overbooked)")


def test_statuses_follow_the_visit(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor
) -> None:
    future = services.appointment_book(
        actor=scheduler, request=consult(clinic, make_patient(), clinic.at(2, 9))
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        services.appointment_set_status(
            actor=scheduler, appointment_id=future.pk, expected_version=1, status="arrived"
        )
    assert refused.value.message == "Arrival, completion and no-show are marked on the day."
    # An appointment of today (its start already passed: made directly, as bookings in the past
    # are refused).
    today = Appointment.objects.create(
        patient=make_patient(),
        appointment_type=clinic.types["follow_up"],
        starts_at=future.starts_at - dt.timedelta(days=2),
        ends_at=future.starts_at - dt.timedelta(days=2, minutes=-20),
        booked_by="staff",
    )
    with pytest.raises(TransitionNotAllowed):
        services.appointment_set_status(
            actor=scheduler, appointment_id=today.pk, expected_version=1, status="completed"
        )
    services.appointment_set_status(
        actor=scheduler, appointment_id=today.pk, expected_version=1, status="arrived"
    )
    done = services.appointment_set_status(
        actor=scheduler, appointment_id=today.pk, expected_version=2, status="completed"
    )
    assert (done.status, done.version) == ("completed", 3)
    with pytest.raises(TransitionNotAllowed):
        services.appointment_cancel(
            actor=scheduler, appointment_id=today.pk, expected_version=3, reason="x"
        )


def test_roles_without_booking_rights_are_refused(
    clinic: Clinic, patient: Patient, users: dict[Role, User]
) -> None:
    before = counts()
    for role in (Role.QUALITY_LEAD, Role.ADMINISTRATOR, Role.PATIENT):
        with pytest.raises(Forbidden):
            services.appointment_book(
                actor=Actor(user=users[role]), request=consult(clinic, patient, clinic.at(2, 9))
            )
    assert counts() == before


# --- the race -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sixteen_workers_racing_for_twenty_slots_book_each_exactly_once(
    users: dict[Role, User], make_patient: Callable[..., Patient]
) -> None:
    clinic = make_clinic(users)
    scheduler = Actor(user=users[Role.SCHEDULER])
    # One physician and one room: 20 back-to-back half-hour slots.
    clinic.locum.active = False
    clinic.locum.save()
    starts = [clinic.at(2, 8) + dt.timedelta(minutes=30 * i) for i in range(20)]
    patients = [make_patient() for _ in range(10)]
    attempts = [(starts[i % 20], patients[i // 20]) for i in range(200)]
    gate = threading.Barrier(16)

    def attempt(item: tuple[dt.datetime, Patient]) -> str:
        start, patient = item
        try:
            if threading.current_thread().name not in started:
                started.add(threading.current_thread().name)
                gate.wait(timeout=30)
            services.appointment_book(actor=scheduler, request=consult(clinic, patient, start))
            return "booked"
        except SlotUnavailable as exc:
            return exc.message
        finally:
            connections.close_all()

    started: set[str] = set()
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, attempts))
    assert outcomes.count("booked") == 20
    assert set(outcomes) == {"booked", NO_LONGER_AVAILABLE}
    assert Appointment.objects.count() == 20
    held: dict[object, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for row in BookedTime.objects.filter(active=True):
        held[row.resource_id or f"patient-{row.patient_id}"].append(
            (row.starts_at, row.blocked_until)
        )
    for ranges in held.values():
        ranges.sort()
        assert all(a[1] <= b[0] for a, b in pairwise(ranges))
    assert len(held[clinic.room.pk]) == 20


def test_the_week_by_week_search_equals_one_search_over_the_whole_range(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor
) -> None:
    from vertebra.scheduling import slots
    from vertebra.scheduling.selectors import calendars, free_slots, slot_request

    for days in (1, 6, 7, 8, 13):  # bookings either side of the chunk boundaries
        services.appointment_book(
            actor=scheduler, request=consult(clinic, make_patient(), clinic.at(days, 18, 30))
        )
    consultation = clinic.types["consultation"]
    earliest, latest = clinic.at(1, 0), clinic.at(16, 0)
    chunked = free_slots(consultation, earliest=earliest, latest=latest, limit=10_000)
    request = slot_request(consultation, earliest, latest)
    whole = slots.find_slots(request, calendars(request.kinds, earliest, latest), limit=10_000)
    assert chunked == whole
    assert len(whole) == len({slot.start for slot in whole}) > 15 * 40
