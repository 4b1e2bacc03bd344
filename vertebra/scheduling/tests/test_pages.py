"""Booking pages as users see them, and the portal's rule that a patient touches only their own
appointments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients.models import Patient
from vertebra.scheduling import services, setup
from vertebra.scheduling.models import Appointment, AvailabilityTemplate, BookedTime, Notice
from vertebra.scheduling.selectors import clinic_zone
from vertebra.scheduling.services import BookingRequest
from vertebra.scheduling.tests.conftest import Clinic

pytestmark = pytest.mark.django_db


def book(clinic: Clinic, patient: Patient, actor: Actor, days: int = 2, hour: int = 9) -> Any:
    return services.appointment_book(
        actor=actor,
        request=BookingRequest(
            patient=patient,
            appointment_type=clinic.types["consultation"],
            starts_at=clinic.at(days, hour),
        ),
    )


def state() -> tuple[int, ...]:
    return (
        Appointment.objects.count(),
        BookedTime.objects.filter(active=True).count(),
        Notice.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_day_list_and_the_calendars_show_the_booking(
    clinic: Clinic, patient: Patient, scheduler: Actor, client_for: Callable[..., Client]
) -> None:
    appointment = book(clinic, patient, scheduler)
    day = appointment.starts_at.astimezone(clinic_zone()).date()
    client = client_for(Role.NURSE)
    listing = client.get(f"/staff/schedule/?date={day}").content.decode()
    assert "Müller, Zoë" in listing
    assert "09:00–09:30" in listing
    assert "Dr House, Consult room 1" in listing
    week = client.get(
        f"/staff/schedule/calendar?resource={clinic.room.public_id}&view=week&date={day}"
    ).content.decode()
    assert week.count("Open: 07:00–19:00") == 7
    assert "09:00–09:30" in week
    other = client.get(
        f"/staff/schedule/calendar?resource={clinic.locum.public_id}&date={day}"
    ).content.decode()
    assert "09:00–09:30" not in other


def test_find_offers_free_times_and_the_booking_page_books_one(
    clinic: Clinic, patient: Patient, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.SCHEDULER)
    day = clinic.at(3, 12).astimezone(clinic_zone()).date()
    page = client.get(
        f"/staff/schedule/find?patient={patient.public_id}&type=follow_up&start={day}"
    ).content.decode()
    assert "Free times: Follow-up visit, 20 min" in page
    start = clinic.at(3, 7).isoformat()
    assert f"start={start.replace('+', '%2B').replace(':', '%3A')}" in page
    before = state()
    refused = client.post(
        f"/staff/patients/{patient.public_id}/book",
        {"type": "follow_up", "starts_at": clinic.at(3, 5).isoformat()},
    )
    assert refused.status_code == 200
    assert "outside the availability of the resources it needs" in refused.content.decode()
    assert state() == before
    done = client.post(
        f"/staff/patients/{patient.public_id}/book",
        {"type": "follow_up", "starts_at": start, "notes": "Bring the MRI"},
    )
    appointment = Appointment.objects.get()
    assert done["Location"] == f"/staff/appointments/{appointment.public_id}/"
    assert (appointment.notes, appointment.starts_at) == ("Bring the MRI", clinic.at(3, 7))


def test_the_appointment_page_cancels_with_a_reason_and_offers_the_ics(
    clinic: Clinic, patient: Patient, scheduler: Actor, client_for: Callable[..., Client]
) -> None:
    appointment = book(clinic, patient, scheduler)
    client = client_for(Role.SCHEDULER)
    page = client.get(f"/staff/appointments/{appointment.public_id}/").content.decode()
    assert "Cancel the appointment" in page
    assert "Reminder (version 1)" in page
    before = state()
    client.post(f"/staff/appointments/{appointment.public_id}/cancel", {"version": "1"})
    assert state() == before  # no reason: refused
    client.post(
        f"/staff/appointments/{appointment.public_id}/cancel",
        {"version": "1", "reason": "Patient in hospital"},
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Patient in hospital")
    ics = client.get(f"/staff/appointments/{appointment.public_id}/calendar.ics")
    assert ics["Content-Type"] == "text/calendar"
    assert b"STATUS:CANCELLED" in ics.content
    assert client.get("/staff/appointments/not-a-uuid/").status_code == 404


def test_setup_refuses_a_window_that_ends_before_it_starts(
    clinic: Clinic, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.ADMINISTRATOR)
    before = AvailabilityTemplate.objects.count()
    response = client.post(
        "/staff/schedule/setup",
        {
            "form": "template",
            "template-resource": str(clinic.nurse.public_id),
            "template-weekday": "2",
            "template-start_time": "14:00",
            "template-end_time": "09:00",
        },
    )
    assert response.status_code == 200
    assert "The window must end after it starts." in response.content.decode()
    assert AvailabilityTemplate.objects.count() == before
    client.post(
        "/staff/schedule/setup",
        {
            "form": "template",
            "template-resource": str(clinic.nurse.public_id),
            "template-weekday": "2",
            "template-start_time": "19:00",
            "template-end_time": "21:00",
        },
    )
    assert AvailabilityTemplate.objects.count() == before + 1


def test_leave_blocks_new_bookings_but_keeps_existing_ones(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor, users: dict[Role, User]
) -> None:
    kept = book(clinic, make_patient(), scheduler, hour=9)
    setup.availability_exception_add(
        actor=Actor(user=users[Role.ADMINISTRATOR]),
        resource=clinic.room,
        starts_at=clinic.at(2, 7),
        ends_at=clinic.at(2, 19),
        reason="Room refurbishment",
    )
    with pytest.raises(services.ValidationFailed):
        book(clinic, make_patient(), scheduler, hour=11)
    kept.refresh_from_db()
    assert kept.status == "booked"


# --- the portal ---------------------------------------------------------------------------


@pytest.fixture
def patient_client(users: dict[Role, User], patient: Patient) -> Client:
    Patient.objects.filter(pk=patient.pk).update(user=users[Role.PATIENT])
    client = Client()
    client.force_login(users[Role.PATIENT])
    return client


def test_a_patient_books_and_cancels_their_own_follow_up(
    clinic: Clinic, patient: Patient, patient_client: Client
) -> None:
    page = patient_client.get("/portal/appointments/?type=follow_up").content.decode()
    assert "Online you can book from 24 hours to 60 days ahead" in page
    too_soon = clinic.at(0, 23) if clinic.at(0, 23) > dt.datetime.now(dt.UTC) else clinic.at(1, 7)
    before = state()
    patient_client.post(
        "/portal/appointments/book", {"type": "follow_up", "starts_at": too_soon.isoformat()}
    )
    assert state() == before
    patient_client.post(
        "/portal/appointments/book",
        {"type": "procedure", "starts_at": clinic.at(3, 9).isoformat()},
    )
    assert state() == before  # procedures are booked by the clinic
    patient_client.post(
        "/portal/appointments/book", {"type": "follow_up", "starts_at": clinic.at(3, 9).isoformat()}
    )
    mine = Appointment.objects.get()
    assert (mine.patient_id, mine.booked_by, mine.status) == (patient.pk, "patient", "booked")
    patient_client.post(f"/portal/appointments/{mine.public_id}/cancel", {"version": "1"})
    mine.refresh_from_db()
    assert (mine.status, mine.cancel_reason) == ("cancelled", "Cancelled by the patient online")


def test_with_approval_required_a_patient_booking_waits_as_pending(
    clinic: Clinic, patient: Patient, patient_client: Client, users: dict[Role, User]
) -> None:
    setup.self_booking_policy_update(
        actor=Actor(user=users[Role.SCHEDULER]), changes={"requires_approval": True}
    )
    patient_client.post(
        "/portal/appointments/book", {"type": "follow_up", "starts_at": clinic.at(3, 9).isoformat()}
    )
    pending = Appointment.objects.get()
    assert pending.status == "pending"
    assert not pending.notices.exists()  # nothing is confirmed before staff approve
    approved = services.appointment_set_status(
        actor=Actor(user=users[Role.SCHEDULER]),
        appointment_id=pending.pk,
        expected_version=1,
        status="booked",
    )
    assert approved.status == "booked"
    assert set(approved.notices.values_list("kind", flat=True)) == {"confirmation", "reminder"}


def test_a_patient_can_never_touch_another_patients_appointment(
    clinic: Clinic,
    patient: Patient,
    make_patient: Callable[..., Patient],
    scheduler: Actor,
    patient_client: Client,
) -> None:
    other = book(clinic, make_patient(mrn="MRN-OTHER", given_name="Otto"), scheduler)
    before = state()
    page = patient_client.get("/portal/appointments/").content.decode()
    assert "Otto" not in page
    assert "No appointments yet." in page
    for url, data in (
        (f"/portal/appointments/{other.public_id}/cancel", {"version": "1"}),
        (
            f"/portal/appointments/{other.public_id}/move",
            {"version": "1", "starts_at": clinic.at(4, 9).isoformat()},
        ),
    ):
        response = patient_client.post(url, data, follow=True)
        assert "No such appointment." in response.content.decode()
    ics = patient_client.get(f"/portal/appointments/{other.public_id}/calendar.ics")
    assert ics.status_code == 404
    # Nothing changed; the only new audit rows are the patient's views of their own list.
    assert state()[:3] == before[:3]
    assert set(
        AuditEvent.objects.filter(sequence__gt=before[3]).values_list("action", "patient_id")
    ) == {("view", patient.pk)}
    other.refresh_from_db()
    assert (other.status, other.version) == ("booked", 1)


def test_a_type_is_changed_on_the_setup_page_and_audited(
    clinic: Clinic, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.SCHEDULER)
    data = {
        "form": "type",
        "type-appointment_type": "follow_up",
        "type-duration_minutes": "7",
        "type-buffer_minutes": "0",
        "type-required_kinds": ["physician"],
        "type-patient_bookable": "on",
        "type-active": "on",
    }
    refused = client.post("/staff/schedule/setup", data)
    assert "Use whole multiples of 5 minutes." in refused.content.decode()
    client.post(
        "/staff/schedule/setup",
        {
            **data,
            "type-duration_minutes": "25",
            "type-required_kinds": ["physician", "consult_room"],
        },
    )
    follow_up = clinic.types["follow_up"]
    follow_up.refresh_from_db()
    assert (follow_up.duration_minutes, follow_up.patient_bookable) == (25, True)
    assert follow_up.required_kinds == ["physician", "consult_room"]
    event = AuditEvent.objects.latest("sequence")
    assert event.changes["duration_minutes"] == [20, 25]


def test_the_calendar_opens_on_the_users_own_calendar(
    clinic: Clinic, client_for: Callable[..., Client]
) -> None:
    mine = client_for(Role.NURSE).get("/staff/schedule/calendar").content.decode()
    assert "<h1>Calendar: Nurse Ratched</h1>" in mine
    scheduler = client_for(Role.SCHEDULER).get("/staff/schedule/calendar").content.decode()
    assert "<h1>Calendar: Dr House</h1>" in scheduler  # no calendar of their own: a physician's


def test_the_type_form_is_filled_with_the_chosen_types_values(
    clinic: Clinic, client_for: Callable[..., Client]
) -> None:
    page = client_for(Role.ADMINISTRATOR).get("/staff/schedule/setup?type=procedure")
    form = page.context["type_form"]
    assert form.initial == {
        "appointment_type": "procedure",
        "duration_minutes": 60,
        "buffer_minutes": 15,
        "required_kinds": ["physician", "nurse", "procedure_suite"],
        "patient_bookable": False,
        "active": True,
    }
