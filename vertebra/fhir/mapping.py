"""FHIR R4 mapping (pure): Vertebra records as FHIR resources. FHIR ids are the public UUIDs."""

from __future__ import annotations

import datetime as dt
from typing import Any

FHIR_VERSION = "4.0.1"
MRN_SYSTEM = "urn:vertebra:mrn"
_GENDER = {"female": "female", "male": "male", "other": "other", "": "unknown"}


def patient_resource(
    *,
    public_id: str,
    mrn: str,
    family: str,
    given: str,
    birth_date: dt.date,
    sex: str,
    phone: str = "",
    email: str = "",
    active: bool = True,
) -> dict[str, Any]:
    telecom = [{"system": "phone", "value": phone}] if phone else []
    if email:
        telecom.append({"system": "email", "value": email})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": public_id,
        "identifier": [{"use": "usual", "system": MRN_SYSTEM, "value": mrn}],
        "active": active,
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": _GENDER.get(sex, "unknown"),
        "birthDate": birth_date.isoformat(),
    }
    if telecom:
        resource["telecom"] = telecom
    return resource


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def capability_statement(*, base_url: str, software_version: str, date: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "kind": "instance",
        "software": {"name": "Vertebra", "version": software_version},
        "implementation": {"description": "Vertebra FHIR R4 endpoint", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {"description": "Session login; staff roles read patients."},
                "resource": [
                    {
                        "type": "Patient",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [{"name": "identifier", "type": "token"}],
                    }
                ],
            }
        ],
    }
