"""The booking API: slots, book, read, cancel; errors in the one error shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vertebra.core.models import Role
from vertebra.patients.models import Patient
from vertebra.scheduling.models import Appointment, BookedTime
from vertebra.scheduling.tests.conftest import Clinic

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_find_book_read_and_cancel(
    clinic: Clinic, patient: Patient, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.SCHEDULER)
    day = clinic.at(2, 9).astimezone(clinic.at(0, 0).tzinfo).date()
    slots = client.get(f"/api/slots?type=consultation&start={day}&days=1&limit=3").json()
    assert [s["starts_at"] for s in slots] == [
        clinic.at(2, 7).isoformat().replace("+00:00", "Z"),
        clinic.at(2, 7, 15).isoformat().replace("+00:00", "Z"),
        clinic.at(2, 7, 30).isoformat().replace("+00:00", "Z"),
    ]
    assert slots[0]["resources"] == [str(clinic.house.public_id), str(clinic.room.public_id)]
    created = post(
        client,
        "/api/appointments",
        {
            "patient_id": str(patient.public_id),
            "type": "consultation",
            "starts_at": slots[0]["starts_at"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["version"], body["type"]) == ("booked", 1, "consultation")
    again = post(
        client,
        "/api/appointments",
        {
            "patient_id": str(patient.public_id),
            "type": "follow_up",
            "starts_at": slots[0]["starts_at"],
        },
    )
    assert again.status_code == 409
    assert again.json() == {
        "error": {
            "code": "slot_unavailable",
            "message": "The patient already has an appointment at that time.",
            "fields": {},
        }
    }
    read = client.get(f"/api/appointments/{body['id']}")
    assert read.json()["starts_at"] == slots[0]["starts_at"]
    cancelled = post(
        client, f"/api/appointments/{body['id']}/cancel", {"version": 1, "reason": "Unwell"}
    )
    assert (cancelled.json()["status"], cancelled.json()["version"]) == ("cancelled", 2)
    stale = post(client, f"/api/appointments/{body['id']}/cancel", {"version": 1, "reason": "x"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"


def test_bad_requests_get_a_clear_answer_and_write_nothing(
    clinic: Clinic, patient: Patient, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.SCHEDULER)

    def body(**changes: str) -> dict[str, str]:
        return {
            "patient_id": str(patient.public_id),
            "type": "consultation",
            "starts_at": clinic.at(2, 9).isoformat(),
            **changes,
        }

    cases = [
        (body(type="massage"), 404),
        (body(starts_at=clinic.at(2, 3).isoformat()), 422),
        (body(starts_at="tomorrow"), 422),
        (body(patient_id="00000000-0000-0000-0000-000000000001"), 404),
    ]
    for body, status in cases:
        response = post(client, "/api/appointments", body)
        assert response.status_code == status, response.content
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    outside = post(client, "/api/appointments", cases[1][0]).json()
    assert outside["error"]["fields"] == {
        "starts_at": ["That time is outside the availability of the resources it needs."]
    }
    assert client.get("/api/slots?type=consultation&days=365").status_code == 422
    assert client.get("/api/appointments/not-a-uuid").status_code == 404
    assert (Appointment.objects.count(), BookedTime.objects.count()) == (0, 0)
