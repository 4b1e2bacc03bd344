"""The patient portal: a patient sees their own record (audited), and nothing else."""

from __future__ import annotations

import pytest

from vertebra.audit.models import AuditEvent
from vertebra.core.models import Role
from vertebra.patients import services
from vertebra.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(users, make_patient, make_referral, actor):
    patient = make_patient(mrn="MRN-0500", given_name="Zoë", family_name="Müller")
    Patient.objects.filter(pk=patient.pk).update(user=users[Role.PATIENT])
    referral = make_referral(patient)
    services.fracture_create(actor=actor, referral=referral, data={"level": "L1"})
    retracted = services.fracture_create(actor=actor, referral=referral, data={"level": "T9"})
    services.fracture_enter_in_error(actor=actor, fracture=retracted, reason="Wrong level")
    return patient


def test_the_patient_sees_their_own_details_and_care(client_for, users, linked):
    response = client_for(Role.PATIENT).get("/portal/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Hello, Zoë" in html
    assert "Zoë Müller" in html
    assert "MRN-0500" in html
    assert "31 March 1944" in html
    assert "Referred on 2 November 2026" in html
    assert "levels: L1" in html
    assert "T9" not in html  # entered in error


def test_opening_the_portal_is_audited_against_the_patient(client_for, users, linked):
    before = AuditEvent.objects.count()
    client_for(Role.PATIENT).get("/portal/")
    [event] = AuditEvent.objects.order_by("sequence")[before:]
    assert (event.action, event.patient_id, event.actor_id, event.actor_role) == (
        "view",
        linked.pk,
        users[Role.PATIENT].pk,
        "patient",
    )
    assert event.summary == "Patient opened their portal record"


def test_a_login_not_linked_to_a_patient_gets_a_friendly_message(client_for, patient):
    response = client_for(Role.PATIENT).get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your login is not linked to a patient record yet. Please contact the clinic." in html
    assert "MRN-0001" not in html
    assert AuditEvent.objects.filter(action="view").count() == 0


def test_other_patients_never_appear(client_for, users, linked, make_patient, make_referral):
    other = make_patient(mrn="MRN-0999", given_name="Otto", family_name="Otherperson")
    make_referral(other, referring_clinician="Dr Elsewhere")
    html = client_for(Role.PATIENT).get("/portal/").content.decode()
    assert "Otherperson" not in html
    assert "MRN-0999" not in html


def test_the_patient_lands_on_the_portal_and_staff_are_refused_it(client_for):
    assert client_for(Role.PATIENT).get("/")["Location"] == "/portal/"
    for role in (Role.NURSE, Role.PHYSICIAN, Role.ADMINISTRATOR):
        assert client_for(role).get("/portal/").status_code == 403
    anonymous = client_for(None).get("/portal/")
    assert (anonymous.status_code, anonymous["Location"]) == (302, "/login/?next=/portal/")
