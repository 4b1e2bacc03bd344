"""FHIR R4 REST endpoints. Errors answer with an OperationOutcome."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from vertebra.core.actor import Actor
from vertebra.core.models import RecordStatus
from vertebra.core.permissions import Capability, has_capability
from vertebra.core.timeutil import clinic_today
from vertebra.fhir.mapping import (
    MRN_SYSTEM,
    capability_statement,
    operation_outcome,
    patient_resource,
)
from vertebra.patients.models import Patient
from vertebra.patients.selectors import patient_get
from vertebra.patients.services import patient_read_audited

FHIR_JSON = "application/fhir+json"


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """FHIR answers a method it does not support with an OperationOutcome, not an HTML 405."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            response = _respond(
                operation_outcome(
                    "not-supported",
                    f"{request.method} is not supported here: Vertebra's FHIR "
                    "endpoint is read-only.",
                ),
                405,
            )
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapped


def _respond(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=FHIR_JSON)


def _denied(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return _respond(operation_outcome("login", "Log in first."), 401)
    if not has_capability(request.user, Capability.PATIENT_VIEW):
        return _respond(operation_outcome("forbidden", "Your role may not read patients."), 403)
    return None


def _patient_json(patient: Patient) -> dict[str, Any]:
    return patient_resource(
        public_id=str(patient.public_id),
        mrn=patient.mrn,
        family=patient.family_name,
        given=patient.given_name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        phone=patient.phone,
        email=patient.email,
        active=patient.record_status == RecordStatus.ACTIVE,
    )


@read_only
def metadata(request: HttpRequest) -> HttpResponse:
    from importlib.metadata import version

    return _respond(
        capability_statement(
            base_url=request.build_absolute_uri("/fhir/"),
            software_version=version("vertebra"),
            date=clinic_today().isoformat(),
        )
    )


@read_only
def patient_read(request: HttpRequest, resource_id: str) -> HttpResponse:
    if (denied := _denied(request)) is not None:
        return denied
    patient = patient_get(public_id=resource_id)
    if patient is None:
        return _respond(operation_outcome("not-found", f"Patient/{resource_id} is not known."), 404)
    patient_read_audited(actor=Actor.from_request(request), patient=patient, what="FHIR read")
    return _respond(_patient_json(patient))


@read_only
def patient_search(request: HttpRequest) -> HttpResponse:
    if (denied := _denied(request)) is not None:
        return denied
    unsupported = sorted(set(request.GET) - {"identifier"})
    if unsupported:
        return _respond(
            operation_outcome(
                "not-supported", f"Unsupported search parameter(s): {', '.join(unsupported)}."
            ),
            400,
        )
    token = request.GET.get("identifier", "")
    system, _, value = token.rpartition("|")
    # A NUL character is never in an MRN (and PostgreSQL cannot compare text holding one).
    if not value or "\x00" in value or (system and system != MRN_SYSTEM):
        return _respond(
            operation_outcome(
                "invalid", f"Search by identifier={MRN_SYSTEM}|<MRN> or identifier=<MRN>."
            ),
            400,
        )
    matches = list(Patient.objects.filter(mrn__iexact=value, record_status=RecordStatus.ACTIVE))
    actor = Actor.from_request(request)
    for patient in matches:
        patient_read_audited(actor=actor, patient=patient, what="FHIR search")
    return _respond(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "entry": [
                {
                    "fullUrl": request.build_absolute_uri(f"/fhir/Patient/{p.public_id}"),
                    "resource": _patient_json(p),
                    "search": {"mode": "match"},
                }
                for p in matches
            ],
        }
    )
