"""Issue 14: booking honours the antithrombotic hold of the referral's latest evaluation
(clinical-reference §2.5 [ASRA2018]). The case: an 80-year-old woman, acute osteoporotic L1
fracture, aspirin 75 mg with its last dose yesterday: the earliest safe date is in 5 days
(aspirin: 6 days, the dose day is day 0), so a booking in 4 days is refused through the service,
the staff page and the API; in 5 days it is accepted; a physician may override with a reason,
which is stored, audited and shown."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import Forbidden, ValidationFailed
from vertebra.core.models import Role, User
from vertebra.core.timeutil import clinic_today
from vertebra.evaluation.selectors import long_date
from vertebra.patients.models import Patient, Referral, ReferralStatus, ReferralStatusChange
from vertebra.scheduling import services
from vertebra.scheduling.models import Appointment
from vertebra.scheduling.services import BookingRequest
from vertebra.scheduling.tests.conftest import Clinic
from vertebra.scheduling.tests.test_booking import _decided_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def aspirin(
    make_patient: Callable[..., Patient],
    make_referral: Callable[..., Referral],
    users: dict[Role, User],
) -> Referral:
    today = clinic_today()
    patient = make_patient(
        mrn="MRN-0080", birth_date=today.replace(year=today.year - 80), sex="female"
    )
    referral = make_referral(patient, reason="Acute osteoporotic L1 fracture")
    return _decided_referral(referral, users, aspirin_last_dose=today - dt.timedelta(days=1))


def request_at(clinic: Clinic, referral: Referral, days: int, **extra: Any) -> BookingRequest:
    return BookingRequest(
        patient=referral.patient,
        appointment_type=clinic.types["procedure"],
        starts_at=clinic.at(days, 10),
        referral=referral,
        **extra,
    )


def earliest_line() -> str:
    return f"Earliest safe date {long_date(clinic_today() + dt.timedelta(days=5))}: " + (
        "Hold aspirin 6 days [ASRA2018]"
    )


def too_early(days: int = 4) -> str:
    day = long_date(clinic_today() + dt.timedelta(days=days))
    return (
        f"Too early for the antithrombotic hold: {earliest_line()}; this procedure would start "
        f"{day} 10:00."
    )


def test_the_service_refuses_a_procedure_before_the_hold_ends_and_accepts_it_after(
    clinic: Clinic, aspirin: Referral, scheduler: Actor
) -> None:
    assert aspirin.status == ReferralStatus.DECIDED
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_book(actor=scheduler, request=request_at(clinic, aspirin, 4))
    assert refused.value.errors == {"hold_override_reason": [too_early()]}
    assert (Appointment.objects.count(), AuditEvent.objects.count()) == (0, events)
    assert Referral.objects.get(pk=aspirin.pk).status == ReferralStatus.DECIDED
    booked = services.appointment_book(actor=scheduler, request=request_at(clinic, aspirin, 5))
    assert (booked.starts_at, booked.hold_override_reason) == (clinic.at(5, 10), "")
    # Booking the procedure moves the referral to "scheduled", with the booking as the reason.
    referral = Referral.objects.get(pk=aspirin.pk)
    assert referral.status == ReferralStatus.SCHEDULED
    change = ReferralStatusChange.objects.filter(referral=referral).latest("id")
    assert (change.from_status, change.to_status) == ("decided", "scheduled")
    assert change.reason.startswith("Procedure booked for ")
    assert change.reason.endswith(" by scheduler-user")
    # Moving it before the hold ends is refused; within the hold's limits it keeps "scheduled".
    with pytest.raises(ValidationFailed) as refused:
        services.appointment_reschedule(
            actor=scheduler,
            appointment_id=booked.pk,
            expected_version=1,
            starts_at=clinic.at(4, 10),
        )
    assert refused.value.errors == {"hold_override_reason": [too_early()]}
    moved = services.appointment_reschedule(
        actor=scheduler, appointment_id=booked.pk, expected_version=1, starts_at=clinic.at(6, 10)
    )
    assert Referral.objects.get(pk=aspirin.pk).status == ReferralStatus.SCHEDULED
    # Cancelling it moves the referral back to "decided", with the reason.
    services.appointment_cancel(
        actor=scheduler, appointment_id=moved.pk, expected_version=2, reason="Patient has flu"
    )
    referral = Referral.objects.get(pk=aspirin.pk)
    assert referral.status == ReferralStatus.DECIDED
    change = ReferralStatusChange.objects.filter(referral=referral).latest("id")
    assert (change.from_status, change.to_status) == ("scheduled", "decided")
    assert change.reason.endswith("cancelled by scheduler-user: Patient has flu")


def test_only_a_physician_overrides_the_hold_and_the_override_is_kept_and_shown(
    clinic: Clinic,
    aspirin: Referral,
    scheduler: Actor,
    actor: Actor,
    physician_actor: Actor,
    client_for: Callable[..., Client],
) -> None:
    reason = "Cardiology: aspirin may continue; vertebroplasty is urgent"
    for refused_actor in (scheduler, actor):
        with pytest.raises(Forbidden):
            services.appointment_book(
                actor=refused_actor,
                request=request_at(clinic, aspirin, 4, hold_override_reason=reason),
            )
    assert not Appointment.objects.exists()
    booked = services.appointment_book(
        actor=physician_actor, request=request_at(clinic, aspirin, 4, hold_override_reason=reason)
    )
    assert (booked.hold_override_reason, booked.hold_override_by) == (reason, physician_actor.user)
    event = AuditEvent.objects.filter(object_type="Appointment").latest("sequence")
    assert event.changes["hold_override_reason"] == [None, reason]
    assert event.changes["hold_problem"] == too_early()
    client = client_for(Role.SCHEDULER)
    page = client.get(f"/staff/appointments/{booked.public_id}/").content.decode()
    assert "Booked before the antithrombotic hold ends" in page
    assert "Physician Tester" in page
    assert reason in page
    day = clinic.at(4, 10).astimezone(clinic.at(0, 0).tzinfo).date()
    listing = client.get(f"/staff/schedule/?date={day}").content.decode()
    assert "booked before the antithrombotic hold ends (physician's override)" in listing


def test_find_a_time_starts_at_the_hold_and_says_why(
    clinic: Clinic, aspirin: Referral, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.SCHEDULER)
    page = client.get(
        f"/staff/schedule/find?patient={aspirin.patient.public_id}&type=procedure"
        f"&start={clinic_today()}"
    )
    body = page.content.decode()
    assert earliest_line() in body
    days = [row["day"] for row in page.context["days"]]
    assert days[0] == clinic_today() + dt.timedelta(days=5)
    # Another type is not held back.
    other = client.get(
        f"/staff/schedule/find?patient={aspirin.patient.public_id}&type=consultation"
        f"&start={clinic_today() + dt.timedelta(days=1)}"
    )
    assert other.context["days"][0]["day"] == clinic_today() + dt.timedelta(days=1)
    assert "Antithrombotic hold" not in other.content.decode()


def test_the_booking_page_preselects_the_referral_and_refuses_before_the_hold(
    clinic: Clinic, aspirin: Referral, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.SCHEDULER)
    url = f"/staff/patients/{aspirin.patient.public_id}/book?type=procedure"
    page = client.get(url + f"&start={clinic.at(4, 10).isoformat()}")
    assert page.context["form"].initial["referral"] == aspirin.public_id
    assert earliest_line() in page.content.decode()
    data = {"type": "procedure", "referral": str(aspirin.public_id), "notes": ""}
    refused = client.post(url, {**data, "starts_at": clinic.at(4, 10).isoformat()})
    assert refused.status_code == 200
    assert too_early() in refused.content.decode()
    assert not Appointment.objects.exists()
    accepted = client.post(url, {**data, "starts_at": clinic.at(5, 10).isoformat()})
    assert accepted.status_code == 302
    assert Appointment.objects.get().starts_at == clinic.at(5, 10)


def test_the_api_refuses_before_the_hold_and_needs_the_referral(
    clinic: Clinic, aspirin: Referral, client_for: Callable[..., Client]
) -> None:
    def book(client: Client, days: int, **extra: Any) -> Any:
        body = {
            "patient_id": str(aspirin.patient.public_id),
            "type": "procedure",
            "starts_at": clinic.at(days, 10).isoformat(),
            "referral_id": str(aspirin.public_id),
            **extra,
        }
        return client.post("/api/appointments", json.dumps(body), content_type="application/json")

    scheduler = client_for(Role.SCHEDULER)
    refused = book(scheduler, 4)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"hold_override_reason": [too_early()]}
    no_referral = book(scheduler, 5, referral_id=None)
    assert no_referral.status_code == 422
    assert no_referral.json()["error"]["fields"]["referral"] == [
        "A procedure is booked for a referral: choose the patient's referral."
    ]
    assert not Appointment.objects.exists()
    nurse_override = book(client_for(Role.NURSE), 4, hold_override_reason="Urgent")
    assert nurse_override.status_code == 403
    assert not Appointment.objects.exists()
    overridden = book(client_for(Role.PHYSICIAN), 4, hold_override_reason="Urgent, agreed")
    assert overridden.status_code == 201, overridden.content
    assert (overridden.json()["hold_override_reason"], overridden.json()["hold_override_by"]) == (
        "Urgent, agreed",
        "physician-user",
    )
    accepted = book(scheduler, 5)
    assert accepted.status_code == 201
