"""No server error on any input (issue 13 §2): inputs that answered 500 answer 4xx in the API's
one error shape, and change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from config.api import api
from vertebra.audit.models import AuditEvent
from vertebra.core.models import Role, User
from vertebra.patients.models import Patient, Referral

pytestmark = pytest.mark.django_db

CSRF = "x" * 32


@pytest.fixture
def strict(users: dict[Role, User]) -> Client:
    """A physician's session with the CSRF check on, as a real client sends it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.PHYSICIAN])
    client.cookies["csrftoken"] = CSRF
    return client


def state() -> tuple[Any, ...]:
    return (
        list(Patient.objects.order_by("pk").values()),
        list(Referral.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def send(client: Client, method: str, url: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return getattr(client, method)(url, data, content_type="application/json", **extra)


def error(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


NOT_NULL = "Value error, Can't be null: leave the field out to keep its value."


@pytest.mark.parametrize(
    "field", ["mrn", "family_name", "given_name", "birth_date", "sex", "phone", "email"]
)
def test_a_null_demographic_is_refused_naming_the_field(
    client_for: Callable[..., Client], patient: Patient, field: str
) -> None:
    before = state()
    response = send(
        client_for(Role.NURSE),
        "patch",
        f"/api/patients/{patient.public_id}",
        {"version": 1, field: None},
    )
    assert response.status_code == 422
    assert response.json() == error(
        "invalid", "The request is invalid. Nothing was saved.", {field: [NOT_NULL]}
    )
    assert state() == before


def test_a_demographic_left_out_keeps_its_value(
    client_for: Callable[..., Client], patient: Patient
) -> None:
    response = send(
        client_for(Role.NURSE),
        "patch",
        f"/api/patients/{patient.public_id}",
        {"version": 1, "phone": "+41 22 000 00 00"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["mrn"], response.json()["phone"]) == ("MRN-0001", "+41 22 000 00 00")


@pytest.mark.parametrize(
    "url",
    ["/api/patients", "/api/evaluations", "/api/appointments", "/api/referrals/x/status"],
)
def test_a_form_body_to_a_json_endpoint_is_415(strict: Client, patient: Patient, url: str) -> None:
    before = state()
    response = strict.post(url, {"mrn": "X-1", "family_name": "A"}, HTTP_X_CSRFTOKEN=CSRF)
    assert response.status_code == 415
    assert response.json() == error(
        "unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."
    )
    urlencoded = strict.post(
        url, "mrn=X-1", content_type="application/x-www-form-urlencoded", HTTP_X_CSRFTOKEN=CSRF
    )
    assert urlencoded.status_code == 415
    assert state() == before


def test_json_with_the_csrf_token_still_works(strict: Client) -> None:
    body = {"mrn": "NEW-1", "family_name": "A", "given_name": "B", "birth_date": "1950-01-01"}
    response = send(strict, "post", "/api/patients", body, HTTP_X_CSRFTOKEN=CSRF)
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
@pytest.mark.parametrize("url", ["/api/evaluations", "/api/patients"])
def test_json_nested_too_deep_is_400(
    client_for: Callable[..., Client], url: str, depth: int
) -> None:
    before = state()
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = send(client_for(Role.PHYSICIAN), "post", url, body)
        assert response.status_code == 400
        assert response.json() == error(
            "invalid",
            "The JSON is nested more than 64 levels deep.",
            {"body": ["The JSON is nested more than 64 levels deep."]},
        )
    assert state() == before


def test_brackets_inside_strings_do_not_count_as_nesting(
    client_for: Callable[..., Client],
) -> None:
    body = {
        "mrn": "[" * 40,
        "family_name": "{" * 100,
        "given_name": '\\"[{',
        "birth_date": "1950-01-01",
    }
    response = send(client_for(Role.NURSE), "post", "/api/patients", body)
    assert response.status_code == 201, response.content
    assert response.json()["given_name"] == '\\"[{'


def test_a_body_that_is_not_json_is_400(client_for: Callable[..., Client]) -> None:
    response = send(client_for(Role.NURSE), "post", "/api/patients", "{not json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body["code"], body["message"]) == (
        "invalid",
        "Not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 "
        "(char 1)",
    )
    assert not Patient.objects.exists()


NUL = "Text can't contain the NUL character (\\u0000)."


def test_a_nul_character_in_a_name_is_refused(client_for: Callable[..., Client]) -> None:
    before = state()
    body = {"mrn": "N-1", "family_name": "A\u0000B", "given_name": "C", "birth_date": "1950-01-01"}
    response = send(client_for(Role.NURSE), "post", "/api/patients", body)
    assert response.status_code == 422
    assert response.json() == error("invalid", f"family_name: {NUL}", {"family_name": [NUL]})
    assert state() == before


def test_a_nul_character_anywhere_in_a_body_or_a_query_is_refused(
    client_for: Callable[..., Client], referral: Referral
) -> None:
    client = client_for(Role.PHYSICIAN)
    before = state()
    nested = send(
        client,
        "patch",
        f"/api/referrals/{referral.public_id}/assessment",
        {"version": 1, "changes": {"notes": ["ok", "bad\u0000"]}},
    )
    assert nested.status_code == 422
    assert nested.json()["error"]["fields"] == {"changes.notes.1": [NUL]}
    snapshot = send(client, "post", "/api/evaluations", {"patient": {"sex": "\u0000"}})
    assert snapshot.status_code == 422
    assert snapshot.json()["error"]["fields"] == {"patient.sex": [NUL]}
    query = client.get("/api/patients?q=M%00")
    assert query.status_code == 422
    assert query.json() == error("invalid", f"q: {NUL}", {"q": [NUL]})
    assert state() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_a_body_over_the_size_limit_gets_the_json_error(
    client_for: Callable[..., Client],
) -> None:
    body = {"mrn": "B-1", "family_name": "x" * 2_000, "given_name": "y", "birth_date": "1950-01-01"}
    response = send(client_for(Role.NURSE), "post", "/api/patients", body)
    assert response.status_code == 413
    assert response.json() == error(
        "too_large", "The body is larger than the server accepts (1,000 bytes)."
    )
    assert not Patient.objects.exists()


def test_the_openapi_document_lists_each_operations_error_statuses(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    responses = {
        (method.upper(), path): sorted(operation["responses"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert responses[("GET", "/api/patients")] == ["200", "401", "403", "422"]
    assert responses[("PATCH", "/api/patients/{patient_id}")] == [
        "200", "400", "401", "403", "404", "409", "413", "415", "422",
    ]  # fmt: skip
    assert responses[("POST", "/api/evaluations")] == [
        "200", "201", "400", "401", "403", "404", "409", "413", "415", "422",
    ]  # fmt: skip
    assert responses[("GET", "/api/slots")] == ["200", "401", "403", "404", "422"]
    error_ref = {"$ref": "#/components/schemas/Error"}
    for (method, path), statuses in responses.items():
        operation = schema["paths"][path][method.lower()]
        for status in statuses:
            if status.startswith("4"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == error_ref, (method, path, status)
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    assert api.get_openapi_schema()["paths"].keys() == schema["paths"].keys()


@pytest.mark.parametrize("value", [0, 1.5, True, [], {}])
def test_a_date_given_as_a_number_is_refused_not_read_as_seconds_since_1970(
    client_for: Callable[..., Client], patient: Patient, value: Any
) -> None:
    before = state()
    body = {"referring_clinician": "Dr R", "reason": "Back pain", "referral_date": value}
    response = send(
        client_for(Role.NURSE), "post", f"/api/patients/{patient.public_id}/referrals", body
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "referral_date": ["Value error, Give it as ISO 8601 text, e.g. 1950-03-31."]
    }
    assert state() == before


def test_a_fhir_search_for_an_identifier_holding_nul_is_400(
    client_for: Callable[..., Client], patient: Patient
) -> None:
    before = state()
    response = client_for(Role.PHYSICIAN).get("/fhir/Patient?identifier=MRN-0001%00")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "invalid"
    assert state() == before
