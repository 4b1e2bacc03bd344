"""Dates at the calendar's ends, a clinician who cannot serve the type asked for, and the day
list's resource cell (issue 13 §2 and §6): refused with a message, nothing changed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients.models import Patient
from vertebra.scheduling import selectors, services
from vertebra.scheduling.models import Appointment, BookedTime, Notice
from vertebra.scheduling.services import BookingRequest
from vertebra.scheduling.tests.conftest import Clinic

pytestmark = pytest.mark.django_db

CALENDAR_ENDS = ["9999-12-31", "0001-01-01"]


def state() -> tuple[Any, ...]:
    return (
        list(Appointment.objects.order_by("pk").values()),
        list(BookedTime.objects.order_by("pk").values()),
        Notice.objects.count(),
        AuditEvent.objects.count(),
    )


def reach_message() -> str:
    return f"Choose a date within 10 years of today ({selectors.clinic_today():%Y-%m-%d})."


def error(fields: dict[str, list[str]]) -> dict[str, Any]:
    name, messages = next(iter(fields.items()))
    return {"error": {"code": "invalid", "message": f"{name}: {messages[0]}", "fields": fields}}


# --- the API --------------------------------------------------------------------------------


@pytest.mark.parametrize("start", CALENDAR_ENDS)
def test_a_slot_search_from_the_calendars_end_is_refused(
    clinic: Clinic, client_for: Callable[..., Client], start: str
) -> None:
    response = client_for(Role.SCHEDULER).get(f"/api/slots?type=consultation&start={start}")
    assert response.status_code == 422
    assert response.json() == error({"start": [reach_message()]})


def test_a_slot_search_ten_years_ahead_is_answered(
    clinic: Clinic, client_for: Callable[..., Client]
) -> None:
    start = selectors.clinic_today() + dt.timedelta(days=3650)
    response = client_for(Role.SCHEDULER).get(f"/api/slots?type=consultation&start={start}")
    assert response.status_code == 200
    assert len(response.json()) == 40


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:45:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_booking_at_the_calendars_end_is_refused(
    clinic: Clinic, patient: Patient, client_for: Callable[..., Client], starts_at: str
) -> None:
    before = state()
    body = {"patient_id": str(patient.public_id), "type": "consultation", "starts_at": starts_at}
    response = client_for(Role.SCHEDULER).post(
        "/api/appointments", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == error({"starts_at": [reach_message()]})
    assert state() == before


def test_a_slot_search_for_a_clinician_who_cannot_serve_the_type_is_refused(
    clinic: Clinic, client_for: Callable[..., Client]
) -> None:
    # A consultation needs a physician and a consult room; the nurse is neither.
    client = client_for(Role.SCHEDULER)
    response = client.get(
        f"/api/slots?type=consultation&clinician_id={clinic.nurse.public_id}&limit=3"
    )
    assert response.status_code == 422
    assert response.json() == error(
        {
            "clinician_id": [
                "Nurse Ratched can't serve this type (it needs: Physician, Consult room)."
            ]
        }
    )
    served = client.get(f"/api/slots?type=consultation&clinician_id={clinic.locum.public_id}")
    assert served.status_code == 200
    assert {str(clinic.locum.public_id)} == {s["resources"][0] for s in served.json()}


# --- the staff pages ------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/staff/schedule/", "/staff/schedule/calendar"])
@pytest.mark.parametrize("date", CALENDAR_ENDS)
def test_the_day_list_and_calendar_at_the_calendars_end_show_today_with_a_message(
    clinic: Clinic, client_for: Callable[..., Client], page: str, date: str
) -> None:
    for view in ("", "&view=week"):
        response = client_for(Role.NURSE).get(f"{page}?date={date}{view}")
        assert response.status_code == 200
        text = response.content.decode()
        assert f"{reach_message()} Showing today." in text
        today = selectors.clinic_today()
        if page.endswith("schedule/"):
            assert f"Appointments, {today:%A} {today.day} {today:%B %Y}" in text


@pytest.mark.parametrize("date", CALENDAR_ENDS)
def test_find_a_time_from_the_calendars_end_shows_the_form_error(
    clinic: Clinic, patient: Patient, client_for: Callable[..., Client], date: str
) -> None:
    response = client_for(Role.SCHEDULER).get(
        f"/staff/schedule/find?patient={patient.public_id}&type=consultation&start={date}"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert reach_message() in text
    assert "aria-invalid" in text


def test_find_a_time_with_a_clinician_who_cannot_serve_the_type_shows_the_form_error(
    clinic: Clinic, patient: Patient, client_for: Callable[..., Client]
) -> None:
    response = client_for(Role.SCHEDULER).get(
        f"/staff/schedule/find?patient={patient.public_id}&type=consultation"
        f"&clinician={clinic.nurse.public_id}"
    )
    text = response.content.decode()
    assert "Nurse Ratched can&#x27;t serve this type (it needs: Physician, Consult room)." in (text)
    assert "No free time in the next 90 days" in text  # and no other clinician's times
    assert 'class="slots"' not in text


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_staff_booking_at_the_calendars_end_shows_the_form_error(
    clinic: Clinic, patient: Patient, client_for: Callable[..., Client], when: str
) -> None:
    before = state()
    response = client_for(Role.SCHEDULER).post(
        f"/staff/patients/{patient.public_id}/book?type=consultation", {"starts_at": when}
    )
    assert response.status_code == 200
    assert reach_message() in response.content.decode()
    assert state() == before


def test_the_day_list_names_each_resource_once_without_a_trailing_comma(
    clinic: Clinic, patient: Patient, users: dict[Role, User], client_for: Callable[..., Client]
) -> None:
    scheduler = Actor(user=users[Role.SCHEDULER], client_address="127.0.0.1")
    appointment = services.appointment_book(
        actor=scheduler,
        request=BookingRequest(
            patient=patient,
            appointment_type=clinic.types["consultation"],
            starts_at=clinic.at(2, 9),
            clinician=clinic.house,
        ),
    )
    day = appointment.starts_at.astimezone(selectors.clinic_zone()).date()
    for url in (
        f"/staff/schedule/?date={day}",
        f"/staff/schedule/calendar?resource={clinic.house.public_id}&date={day}",
        f"/staff/patients/{patient.public_id}/appointments",
    ):
        page = client_for(Role.NURSE).get(url).content.decode()
        cells = [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", page, flags=re.S)
            if "Dr House" in cell
        ]
        assert cells == ["Dr House, Consult room 1"], url


# --- the portal -----------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_patient_booking_or_moving_to_the_calendars_end_is_refused(
    clinic: Clinic, patient: Patient, users: dict[Role, User], when: str
) -> None:
    Patient.objects.filter(pk=patient.pk).update(user=users[Role.PATIENT])
    client = Client()
    client.force_login(users[Role.PATIENT])
    client.post(
        "/portal/appointments/book", {"type": "follow_up", "starts_at": clinic.at(3, 9).isoformat()}
    )
    mine = Appointment.objects.get()
    before = state()
    booked = client.post("/portal/appointments/book", {"type": "follow_up", "starts_at": when})
    assert booked.status_code == 302
    assert state() == before
    page = client.get(booked["Location"]).content.decode()
    assert "starts_at: Choose one of the times offered." in page
    before = state()  # opening the page is audited
    moved = client.post(
        f"/portal/appointments/{mine.public_id}/move", {"version": "1", "starts_at": when}
    )
    assert moved.status_code == 302
    assert state() == before
    page = client.get(moved["Location"]).content.decode()
    assert "starts_at: Choose one of the times offered." in page


def test_a_day_list_asked_for_a_non_date_says_so_and_shows_today(
    clinic: Clinic, client_for: Callable[..., Client]
) -> None:
    text = client_for(Role.NURSE).get("/staff/schedule/?date=31.12.2026").content.decode()
    assert "&#x27;31.12.2026&#x27; is not a date (YYYY-MM-DD): showing today." in text
    today = selectors.clinic_today()
    assert f"Appointments, {today:%A} {today.day} {today:%B %Y}" in text
