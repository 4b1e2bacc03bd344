"""The JSON API's real behaviour: bodies, error shapes, concurrency, search, audit of reads."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from vertebra.audit.models import AuditEvent
from vertebra.core.models import Role
from vertebra.patients import services
from vertebra.patients.models import (
    ClinicalAssessment,
    Fracture,
    Patient,
    Referral,
    ReferralStatusChange,
)

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "mrn": "MRN-0100",
    "family_name": "Dubois",
    "given_name": "Hélène",
    "birth_date": "1941-07-14",
    "sex": "female",
    "phone": "+33 1 23 45 67 89",
    "email": "helene@example.org",
}


@pytest.fixture
def nurse(client_for):
    return client_for(Role.NURSE)


@pytest.fixture
def physician(client_for):
    return client_for(Role.PHYSICIAN)


def post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client: Any, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def rows() -> dict[str, int]:
    return {
        "patients": Patient.objects.count(),
        "referrals": Referral.objects.count(),
        "fractures": Fracture.objects.count(),
        "assessments": ClinicalAssessment.objects.count(),
        "status_changes": ReferralStatusChange.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# --- Patients -------------------------------------------------------------------------------


def test_create_patient_answers_201_with_the_stored_patient(nurse, users):
    response = post(nurse, "/api/patients", NEW_PATIENT)

    assert response.status_code == 201
    patient = Patient.objects.get(mrn="MRN-0100")
    assert response.json() == {
        "id": str(patient.public_id),
        "mrn": "MRN-0100",
        "family_name": "Dubois",
        "given_name": "Hélène",
        "birth_date": "1941-07-14",
        "sex": "female",
        "phone": "+33 1 23 45 67 89",
        "email": "helene@example.org",
        "version": 1,
    }
    event = AuditEvent.objects.get()
    assert (event.action, event.patient_id, event.actor_id) == (
        "create",
        patient.pk,
        users[Role.NURSE].pk,
    )


def test_a_duplicate_mrn_is_409_and_nothing_is_saved(nurse, patient):
    before = rows()
    response = post(nurse, "/api/patients", {**NEW_PATIENT, "mrn": "mrn-0001"})

    message = (
        "MRN MRN-0001 already belongs to another patient. Check the number, or open the "
        "existing record instead of creating a duplicate."
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "duplicate", "message": message, "fields": {"mrn": [message]}}
    }
    assert rows() == before


def test_an_invalid_body_is_422_with_the_field_paths(nurse):
    response = post(
        nurse,
        "/api/patients",
        {"mrn": "X", "family_name": "", "given_name": "A", "birth_date": "1950-13-01"},
    )
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert body["message"] == "The request is invalid. Nothing was saved."
    assert sorted(body["fields"]) == ["birth_date", "family_name"]
    assert Patient.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_birth_date_in_the_future_is_422_on_that_field(nurse):
    response = post(nurse, "/api/patients", {**NEW_PATIENT, "birth_date": "2999-01-01"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "birth_date": ["Date of birth can't be in the future."]
    }
    assert Patient.objects.count() == 0


def test_a_body_that_is_not_json_is_refused_with_the_error_shape(nurse):
    response = nurse.post("/api/patients", "{not json", content_type="application/json")
    assert response.status_code == 400
    message = (
        "Not valid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)"
    )
    assert response.json() == {
        "error": {"code": "invalid", "message": message, "fields": {"body": [message]}}
    }
    assert Patient.objects.count() == 0


def test_patch_applies_the_change_and_bumps_the_version(nurse, patient):
    response = patch(nurse, f"/api/patients/{patient.public_id}", {"version": 1, "phone": "555"})
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["version"]) == ("555", 2)
    patient.refresh_from_db()
    assert (patient.phone, patient.version) == ("555", 2)


def test_patch_with_a_stale_version_is_409_and_overwrites_nothing(nurse, physician, patient):
    url = f"/api/patients/{patient.public_id}"
    assert patch(physician, url, {"version": 1, "phone": "111"}).status_code == 200
    before = rows()

    response = patch(nurse, url, {"version": 1, "phone": "222", "given_name": "Zoe"})

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "Someone else saved this record while you were editing it. Nothing was "
            "overwritten: review their values below and save again to apply yours.",
            "fields": {},
            "current_version": 2,
            "current_values": {"phone": "111"},
        }
    }
    patient.refresh_from_db()
    assert (patient.phone, patient.given_name, patient.version) == ("111", "Zoë", 2)
    assert rows() == before


def test_an_unknown_or_malformed_patient_id_is_404(nurse):
    for patient_id in ("00000000-0000-0000-0000-000000000001", "not-a-uuid"):
        response = nurse.get(f"/api/patients/{patient_id}")
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "not_found", "message": "No such patient.", "fields": {}}
        }
    assert AuditEvent.objects.count() == 0


# --- Search ---------------------------------------------------------------------------------


@pytest.fixture
def three_patients(make_patient):
    return (
        make_patient(mrn="A-1", given_name="Zoë", family_name="Müller"),
        make_patient(
            mrn="A-2", given_name="Zoltan", family_name="Kovács", birth_date=dt.date(1950, 2, 1)
        ),
        make_patient(mrn="B-3", given_name="Anna", family_name="Zoeller"),
    )


def _mrns(response: Any) -> list[str]:
    assert response.status_code == 200
    return [p["mrn"] for p in response.json()]


def test_search_is_partial_and_accent_insensitive(nurse, three_patients):
    assert _mrns(nurse.get("/api/patients?q=zoe")) == ["A-1", "B-3"]
    assert _mrns(nurse.get("/api/patients?q=ZOË")) == ["A-1", "B-3"]
    assert _mrns(nurse.get("/api/patients?q=mull")) == ["A-1"]
    assert _mrns(nurse.get("/api/patients?q=kovacs zol")) == ["A-2"]
    assert _mrns(nurse.get("/api/patients?q=a-2")) == ["A-2"]
    assert _mrns(nurse.get("/api/patients?q=nobody")) == []


def test_search_by_date_of_birth(nurse, three_patients):
    assert _mrns(nurse.get("/api/patients?q=1950-02-01")) == ["A-2"]
    assert _mrns(nurse.get("/api/patients?q=01.02.1950")) == ["A-2"]
    assert _mrns(nurse.get("/api/patients?q=31/03/1944")) == ["A-1", "B-3"]


def test_listing_patients_is_not_audited_but_reading_one_is(nurse, users, patient):
    assert nurse.get("/api/patients").status_code == 200
    assert AuditEvent.objects.filter(action="view").count() == 0

    response = nurse.get(f"/api/patients/{patient.public_id}")

    assert response.status_code == 200
    assert response.json()["id"] == str(patient.public_id)
    event = AuditEvent.objects.get(action="view")
    assert (event.patient_id, event.actor_id, event.summary) == (
        patient.pk,
        users[Role.NURSE].pk,
        "API read",
    )


# --- Referrals ------------------------------------------------------------------------------


def test_create_and_read_a_referral_with_its_fractures_and_assessment(nurse, patient):
    created = post(
        nurse,
        f"/api/patients/{patient.public_id}/referrals",
        {
            "referring_clinician": "Dr Haddad",
            "reason": "Painful T12",
            "referral_date": "2026-11-20",
        },
    )
    assert created.status_code == 201
    referral = Referral.objects.get()
    assert created.json() == {
        "id": str(referral.public_id),
        "patient_id": str(patient.public_id),
        "referring_clinician": "Dr Haddad",
        "reason": "Painful T12",
        "referral_date": "2026-11-20",
        "status": "referred",
        "version": 1,
    }
    fracture = post(
        nurse,
        f"/api/referrals/{referral.public_id}/fractures",
        {"level": "T12", "mri_oedema": True, "height_anterior_mm": "14.5"},
    )
    assert fracture.status_code == 201
    assert fracture.json()["level"] == "T12"
    audits_before = AuditEvent.objects.filter(action="view").count()

    detail = nurse.get(f"/api/referrals/{referral.public_id}")

    assert detail.status_code == 200
    body = detail.json()
    assert [f["level"] for f in body["fractures"]] == ["T12"]
    assert body["fractures"][0]["mri_oedema"] is True
    assert body["fractures"][0]["height_anterior_mm"] == "14.5"
    assert body["assessment"]["version"] == 1
    assert body["assessment"]["pain_nrs"] is None
    assert set(body["assessment"]) == {"version", *services.ASSESSMENT_FIELDS}
    assert AuditEvent.objects.filter(action="view").count() == audits_before + 1


def test_a_patients_referrals_are_listed_and_the_read_is_audited(nurse, patient, referral):
    response = nurse.get(f"/api/patients/{patient.public_id}/referrals")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [str(referral.public_id)]
    event = AuditEvent.objects.get(action="view")
    assert event.patient_id == patient.pk


def test_a_status_change_along_the_pathway_is_recorded(nurse, users, referral):
    response = post(
        nurse, f"/api/referrals/{referral.public_id}/status", {"to_status": "evaluating"}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("evaluating", 2)
    change = ReferralStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by_id) == (
        "referred",
        "evaluating",
        users[Role.NURSE].pk,
    )


def test_a_status_change_off_the_pathway_is_409_and_changes_nothing(nurse, referral):
    before = rows()
    response = post(nurse, f"/api/referrals/{referral.public_id}/status", {"to_status": "treated"})
    message = "A referral that is referred can move to: Evaluating, Closed."
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "transition_not_allowed",
            "message": message,
            "fields": {"status": [message]},
        }
    }
    referral.refresh_from_db()
    assert (referral.status, referral.version) == ("referred", 1)
    assert rows() == before


def test_a_status_change_from_a_stale_version_is_refused(nurse, referral):
    url = f"/api/referrals/{referral.public_id}/status"
    assert post(nurse, url, {"to_status": "evaluating", "version": 1}).status_code == 200
    before = rows()
    response = post(nurse, url, {"to_status": "closed", "reason": "Improved", "version": 1})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    assert rows() == before


def test_an_unknown_status_is_422(nurse, referral):
    response = post(nurse, f"/api/referrals/{referral.public_id}/status", {"to_status": "done"})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["to_status"]


# --- Fractures ------------------------------------------------------------------------------


def test_a_fracture_at_an_unknown_level_is_422_and_nothing_is_saved(nurse, referral):
    before = rows()
    response = post(nurse, f"/api/referrals/{referral.public_id}/fractures", {"level": "T13"})
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "level: Value 'T13' is not a valid choice.",
            "fields": {"level": ["Value 'T13' is not a valid choice."]},
        }
    }
    assert rows() == before


def test_a_fracture_with_an_unknown_field_is_422(nurse, referral):
    response = post(
        nurse, f"/api/referrals/{referral.public_id}/fractures", {"level": "L1", "colour": "red"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"colour": ["Extra inputs are not permitted"]}
    assert Fracture.objects.count() == 0


def test_the_same_level_twice_is_422(nurse, referral):
    url = f"/api/referrals/{referral.public_id}/fractures"
    assert post(nurse, url, {"level": "L1"}).status_code == 201
    response = post(nurse, url, {"level": "L1"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "level": ["L1 is already recorded for this referral."]
    }
    assert Fracture.objects.count() == 1


# --- Clinical assessment --------------------------------------------------------------------


def test_assessment_patch_saves_values_within_range(nurse, referral):
    response = patch(
        nurse,
        f"/api/referrals/{referral.public_id}/assessment",
        {"version": 1, "changes": {"pain_nrs": 8, "coagulation_inr": "1.2"}},
    )
    assert response.status_code == 200
    assessment = response.json()["assessment"]
    assert (assessment["pain_nrs"], assessment["coagulation_inr"], assessment["version"]) == (
        8,
        "1.20",
        2,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pain_nrs": 11}, "pain_nrs"),
        ({"asa_class": 7}, "asa_class"),
        ({"function_rmdq": 25}, "function_rmdq"),
        ({"coagulation_inr": "0"}, "coagulation_inr"),
        ({"pain_trend": "sideways"}, "pain_trend"),
        ({"no_such_field": 1}, "no_such_field"),
    ],
)
def test_assessment_patch_out_of_range_is_422_and_nothing_is_saved(nurse, referral, changes, field):
    before = rows()
    response = patch(
        nurse,
        f"/api/referrals/{referral.public_id}/assessment",
        {"version": 1, "changes": changes},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == [field]
    referral.assessment.refresh_from_db()
    assert referral.assessment.version == 1
    assert rows() == before


def test_assessment_patch_with_a_stale_version_is_409(nurse, physician, referral):
    url = f"/api/referrals/{referral.public_id}/assessment"
    assert patch(physician, url, {"version": 1, "changes": {"pain_nrs": 6}}).status_code == 200
    response = patch(nurse, url, {"version": 1, "changes": {"pain_nrs": 9}})
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["current_version"], error["current_values"]) == (
        "conflict",
        2,
        {"pain_nrs": 6},
    )
    referral.assessment.refresh_from_db()
    assert referral.assessment.pain_nrs == 6


# --- Audit of reads ---------------------------------------------------------------------------


def test_every_read_of_one_patient_writes_exactly_one_view_event(nurse, patient, referral):
    reads = (
        f"/api/patients/{patient.public_id}",
        f"/api/patients/{patient.public_id}/referrals",
        f"/api/referrals/{referral.public_id}",
    )
    for url in reads:
        before = AuditEvent.objects.count()
        assert nurse.get(url).status_code == 200
        new = list(AuditEvent.objects.order_by("sequence")[before:])
        assert [(e.action, e.patient_id) for e in new] == [("view", patient.pk)], url


def test_list_endpoints_write_no_audit_event(nurse, patient):
    before = AuditEvent.objects.count()
    assert nurse.get("/api/patients?q=zoe").status_code == 200
    assert nurse.get("/api/openapi.json").status_code == 200
    assert AuditEvent.objects.count() == before


def test_openapi_lists_every_endpoint_path(client_for):
    schema = client_for(None).get("/api/openapi.json").json()
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert {
        ("GET", "/api/patients"),
        ("POST", "/api/patients"),
        ("GET", "/api/patients/{patient_id}"),
        ("PATCH", "/api/patients/{patient_id}"),
        ("GET", "/api/patients/{patient_id}/referrals"),
        ("POST", "/api/patients/{patient_id}/referrals"),
        ("GET", "/api/referrals/{referral_id}"),
        ("POST", "/api/referrals/{referral_id}/status"),
        ("POST", "/api/referrals/{referral_id}/fractures"),
        ("PATCH", "/api/referrals/{referral_id}/assessment"),
    } <= operations
