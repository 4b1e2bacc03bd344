"""FHIR R4 endpoints: CapabilityStatement, Patient read and search, OperationOutcome errors."""

from __future__ import annotations

import pytest

from vertebra.audit.models import AuditEvent
from vertebra.core.models import Role
from vertebra.patients import services

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"


@pytest.fixture
def nurse(client_for):
    return client_for(Role.NURSE)


def outcome(code: str, diagnostics: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }


def test_metadata_is_an_r4_capability_statement(client_for):
    response = client_for(None).get("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    assert body["resourceType"] == "CapabilityStatement"
    assert body["fhirVersion"] == "4.0.1"
    assert body["kind"] == "instance"
    assert body["format"] == ["json"]
    assert body["implementation"]["url"] == "http://testserver/fhir/"
    [rest] = body["rest"]
    assert rest["mode"] == "server"
    assert rest["resource"] == [
        {
            "type": "Patient",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": "identifier", "type": "token"}],
        }
    ]


def test_patient_read_returns_the_mapped_resource_and_is_audited(nurse, users, make_patient):
    patient = make_patient(mrn="MRN-0042", phone="+49 30 1234", email="z@example.org")

    response = nurse.get(f"/fhir/Patient/{patient.public_id}")

    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    assert response.json() == {
        "resourceType": "Patient",
        "id": str(patient.public_id),
        "identifier": [{"use": "usual", "system": "urn:vertebra:mrn", "value": "MRN-0042"}],
        "active": True,
        "name": [{"use": "official", "family": "Müller", "given": ["Zoë"]}],
        "gender": "female",
        "birthDate": "1944-03-31",
        "telecom": [
            {"system": "phone", "value": "+49 30 1234"},
            {"system": "email", "value": "z@example.org"},
        ],
    }
    event = AuditEvent.objects.get(action="view")
    assert (event.patient_id, event.actor_id, event.summary) == (
        patient.pk,
        users[Role.NURSE].pk,
        "FHIR read",
    )


def test_an_unrecorded_sex_maps_to_gender_unknown(nurse, make_patient):
    patient = make_patient(sex="")
    body = nurse.get(f"/fhir/Patient/{patient.public_id}").json()
    assert body["gender"] == "unknown"
    assert "telecom" not in body


@pytest.mark.parametrize("resource_id", ["00000000-0000-0000-0000-000000000009", "nope"])
def test_an_unknown_id_is_404_operation_outcome(nurse, resource_id):
    response = nurse.get(f"/fhir/Patient/{resource_id}")
    assert response.status_code == 404
    assert response["Content-Type"] == FHIR_JSON
    assert response.json() == outcome("not-found", f"Patient/{resource_id} is not known.")
    assert AuditEvent.objects.count() == 0


def test_a_patient_entered_in_error_is_not_found(nurse, patient, actor):
    services.patient_enter_in_error(actor=actor, patient=patient, reason="Duplicate")
    assert nurse.get(f"/fhir/Patient/{patient.public_id}").status_code == 404
    search = nurse.get("/fhir/Patient?identifier=MRN-0001").json()
    assert (search["total"], search["entry"]) == (0, [])


@pytest.mark.parametrize("token", ["MRN-0007", "urn:vertebra:mrn|MRN-0007", "|mrn-0007"])
def test_search_by_identifier(nurse, make_patient, token):
    wanted = make_patient(mrn="MRN-0007")
    make_patient(mrn="MRN-0008")

    response = nurse.get("/fhir/Patient", {"identifier": token})

    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    assert (body["resourceType"], body["type"], body["total"]) == ("Bundle", "searchset", 1)
    [entry] = body["entry"]
    assert entry["fullUrl"] == f"http://testserver/fhir/Patient/{wanted.public_id}"
    assert entry["resource"]["identifier"][0]["value"] == "MRN-0007"
    assert entry["search"] == {"mode": "match"}
    assert list(AuditEvent.objects.filter(action="view").values_list("patient_id", flat=True)) == [
        wanted.pk
    ]


def test_a_search_without_a_match_is_an_empty_bundle(nurse, patient):
    body = nurse.get("/fhir/Patient?identifier=NOPE").json()
    assert (body["total"], body["entry"]) == (0, [])
    assert AuditEvent.objects.filter(action="view").count() == 0


def test_an_unsupported_search_parameter_is_400_operation_outcome(nurse, patient):
    response = nurse.get("/fhir/Patient?name=Muller&birthdate=1944-03-31")
    assert response.status_code == 400
    assert response["Content-Type"] == FHIR_JSON
    assert response.json() == outcome(
        "not-supported", "Unsupported search parameter(s): birthdate, name."
    )


@pytest.mark.parametrize("query", ["", "?identifier=", "?identifier=urn:other|MRN-0001"])
def test_a_search_without_a_usable_identifier_is_400(nurse, query):
    response = nurse.get(f"/fhir/Patient{query}")
    assert response.status_code == 400
    assert response.json() == outcome(
        "invalid", "Search by identifier=urn:vertebra:mrn|<MRN> or identifier=<MRN>."
    )


def test_anonymous_and_refused_roles_get_operation_outcomes(client_for, patient):
    anonymous = client_for(None).get(f"/fhir/Patient/{patient.public_id}")
    assert (anonymous.status_code, anonymous["Content-Type"]) == (401, FHIR_JSON)
    assert anonymous.json() == outcome("login", "Log in first.")
    refused = client_for(Role.ADMINISTRATOR).get(f"/fhir/Patient/{patient.public_id}")
    assert (refused.status_code, refused["Content-Type"]) == (403, FHIR_JSON)
    assert refused.json() == outcome("forbidden", "Your role may not read patients.")
    assert AuditEvent.objects.filter(action="view").count() == 0


def test_writes_are_not_offered(nurse, patient):
    response = nurse.post(f"/fhir/Patient/{patient.public_id}", {})
    assert response.status_code == 405
