"""Booking in a real browser: a scheduler finds the next procedure slot and books it; a patient
books a follow-up from a phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, log_in
from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.evaluation.services import evaluation_record_decision, evaluation_run
from vertebra.patients import services as patient_services
from vertebra.patients.models import Patient, Referral
from vertebra.scheduling.models import Appointment
from vertebra.scheduling.selectors import clinic_zone
from vertebra.scheduling.tests.conftest import make_clinic

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _patient(**extra: Any) -> Patient:
    return patient_services.patient_create(
        actor=Actor.system(),
        data={
            "mrn": "MRN-B001",
            "family_name": "Keller",
            "given_name": "Ida",
            "birth_date": dt.date(1941, 6, 2),
            "sex": "female",
            "phone": "",
            "email": "ida@example.org",
            **extra,
        },
    )


def test_scheduler_finds_the_next_procedure_slot_and_books_it(
    page: Any, live_server: Any, make_user: Any, accessible: Any, shoot: Any
) -> None:
    make_clinic()
    patient = _patient()
    referral = patient_services.referral_create(
        actor=Actor.system(),
        patient=patient,
        data={
            "referring_clinician": "Dr Ref",
            "reason": "Painful L1",
            "referral_date": dt.date(2026, 11, 2),
        },
    )
    physician = Actor(user=make_user(Role.PHYSICIAN))
    # No antithrombotics, reviewed: the hold booking checks (issue 14) is known and respected.
    assessment = Referral.objects.get(pk=referral.pk).assessment
    patient_services.assessment_update(
        actor=physician,
        assessment=assessment,
        expected_version=assessment.version,
        data={"coagulation_antithrombotics_reviewed": True},
    )
    evaluation = evaluation_run(actor=physician, referral=referral)
    evaluation_record_decision(
        actor=physician, evaluation=evaluation, choice="proceed", reason="Severe pain, MRI oedema"
    )
    log_in(page, make_user(Role.SCHEDULER))

    page.goto(f"/staff/patients/{patient.public_id}/")
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Appointment type").select_option(label="Vertebroplasty procedure")
    page.get_by_role("button", name="Show free times").click()
    expect(
        page.get_by_role("heading", name=re.compile("^Free times: Vertebroplasty"))
    ).to_be_visible()
    accessible(page, "booking-find")
    first = page.get_by_role("link", name=re.compile(r"^Book ")).first
    label = first.get_attribute("aria-label")
    first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Book: Vertebroplasty procedure")
    page.get_by_label("Referral").select_option(index=1)
    page.get_by_role("button", name="Book", exact=True).click()

    expect(
        page.get_by_role("status").filter(has_text="Booked: Vertebroplasty procedure")
    ).to_be_visible()
    expect(page.get_by_text("Booked", exact=True)).to_be_visible()
    accessible(page, "booking-appointment")
    shoot(page, "booking-appointment")
    appointment = Appointment.objects.get()
    assert (appointment.patient_id, appointment.referral_id, appointment.status) == (
        patient.pk,
        referral.pk,
        "booked",
    )
    assert appointment.decision_override_reason == ""
    local = appointment.starts_at.astimezone(clinic_zone())
    assert label == f"Book {local:%A} {local.day} {local:%B} {local:%H:%M}"  # the slot clicked
    assert appointment.booked.filter(active=True).count() == 4  # physician, nurse, suite, patient


def test_patient_books_a_follow_up_on_a_phone(
    page: Any, live_server: Any, accessible: Any, shoot: Any
) -> None:
    make_clinic()
    user = User.objects.create_user(
        username="ida", password=PASSWORD, role=Role.PATIENT, first_name="Ida", last_name="Keller"
    )
    patient = _patient()
    Patient.objects.filter(pk=patient.pk).update(user=user)
    page.set_viewport_size(PHONE)
    log_in(page, user)

    page.goto("/portal/")
    page.get_by_role("link", name="See and book my appointments").click()
    page.get_by_label("Appointment", exact=True).select_option(label="Follow-up visit (20 min)")
    page.get_by_role("button", name="Show times").click()
    accessible(page, "portal-booking-phone")
    page.get_by_role("button", name=re.compile(r"^Book ")).first.click()

    expect(page.get_by_role("status")).to_contain_text("Your appointment is booked.")
    mine = page.get_by_role("region", name="Your appointments")
    expect(mine).to_contain_text("Follow-up visit")
    expect(mine).to_contain_text("Booked")
    shoot(page, "portal-booking-phone")
    appointment = Appointment.objects.get()
    assert (appointment.patient_id, appointment.booked_by, appointment.status) == (
        patient.pk,
        "patient",
        "booked",
    )
