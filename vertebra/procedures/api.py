"""Procedure record API: read a record (with the codes it computes), edit an in-progress one,
add an addendum to a signed one. The same services as the pages: a signed record refuses
every edit with 409 record_signed."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from vertebra.core.actor import Actor
from vertebra.core.api import READ, WRITE, errors
from vertebra.core.apiauth import RoleAuth
from vertebra.core.errors import ValidationFailed
from vertebra.core.permissions import Capability
from vertebra.patients.services import patient_read_audited
from vertebra.procedures import record, selectors
from vertebra.procedures.models import ProcedureRecord

router = Router(tags=["procedures"])
VIEW = RoleAuth(Capability.PROCEDURE_VIEW)
RECORD = RoleAuth(Capability.PROCEDURE_RECORD)
# The operator is chosen on the page (a person, not an id typed into JSON).
PATCHABLE = tuple(field for field in record.RECORD_FIELDS if field != "operator")


class LeakOut(Schema):
    leak_type: str
    location: str
    symptomatic: bool
    action_taken: str


class LevelOut(Schema):
    id: uuid.UUID
    level: str
    position: int
    approach: str
    side: str
    needle_gauge: int | None
    cavity_creation: bool
    biopsy_taken: bool | None
    cement_product: str
    cement_viscosity: str
    cement_lot: str
    cement_expiry: dt.date | None
    volume_ml: Decimal | None
    leakage: str = Field(description='"" not assessed, "none" or "present"')
    leaks: list[LeakOut]


LEVEL_OUT_FIELDS = tuple(name for name in LevelOut.model_fields if name not in ("id", "leaks"))


class AdverseEventOut(Schema):
    kind: str
    description: str
    sir_grade: int
    cirse_grade: int | None
    level: str
    treatment: str


class AddendumOut(Schema):
    id: uuid.UUID
    author: str
    created_at: dt.datetime
    reason: str
    text: str


class ProcedureOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    referral_id: uuid.UUID
    status: str
    version: int
    operator: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    booked_appointment_id: uuid.UUID | None = Field(
        description="The booked procedure appointment found at start (scheduling's public id)"
    )
    booked_starts_at: dt.datetime | None
    modality: str
    fluoroscopy_time_s: Decimal | None
    kap_gy_cm2: Decimal | None
    kar_mgy: Decimal | None
    levels: list[LevelOut]
    no_adverse_events: bool | None
    adverse_events: list[AdverseEventOut]
    disposition: str
    signed_at: dt.datetime | None
    signed_by: str | None
    summary: dict[str, Any] = Field(
        description="Codes, dose flag, warnings and settings: as signed, or as of now."
    )
    still_to_record: list[str] = Field(description="What signing still needs; [] once signed")
    addenda: list[AddendumOut]


class ProcedurePatch(Schema):
    """Any subset of the record's fields (not the operator), and the version it is based on."""

    version: int
    changes: dict[str, Any]


class AddendumIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)
    text: str = Field(min_length=1, max_length=10_000)


def _out(procedure: ProcedureRecord) -> dict[str, Any]:
    view = selectors.procedure_view(procedure)
    return {
        "id": procedure.public_id,
        "patient_id": procedure.patient.public_id,
        "referral_id": procedure.referral.public_id,
        "status": procedure.status,
        "version": procedure.version,
        "operator": str(procedure.operator),
        "started_at": procedure.started_at,
        "booked_appointment_id": procedure.booked_appointment_id,
        "booked_starts_at": procedure.booked_starts_at,
        "ended_at": procedure.ended_at,
        "modality": procedure.modality,
        "fluoroscopy_time_s": procedure.fluoroscopy_time_s,
        "kap_gy_cm2": procedure.kap_gy_cm2,
        "kar_mgy": procedure.kar_mgy,
        "levels": [
            {
                **{name: getattr(level_view.level, name) for name in LEVEL_OUT_FIELDS},
                "id": level_view.level.public_id,
                "leaks": level_view.leaks,
            }
            for level_view in view.levels
        ],
        "no_adverse_events": procedure.no_adverse_events,
        "adverse_events": view.adverse_events,
        "disposition": procedure.disposition,
        "signed_at": procedure.signed_at,
        "signed_by": str(procedure.signed_by) if procedure.signed_by else None,
        "summary": view.summary,
        "still_to_record": view.blockers,
        "addenda": [
            {
                "id": a.public_id,
                "author": str(a.author),
                "created_at": a.created_at,
                "reason": a.reason,
                "text": a.text,
            }
            for a in view.addenda
        ],
    }


def _procedure(procedure_id: str) -> ProcedureRecord:
    found = selectors.procedure_get(procedure_id)
    if found is None:
        raise HttpError(404, "No such procedure record.")
    return found


@router.get(
    "/procedures/{procedure_id}",
    response={200: ProcedureOut, **errors(*READ, 404)},
    summary="Read a procedure record",
    auth=VIEW,
)
def procedure_read(request: HttpRequest, procedure_id: str) -> dict[str, Any]:
    procedure = _procedure(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=procedure.patient,
        what="Read a procedure record (API)",
    )
    return _out(procedure)


@router.patch(
    "/procedures/{procedure_id}",
    response={200: ProcedureOut, **errors(*WRITE, 404, 409)},
    summary="Edit an in-progress procedure record (a signed one answers 409)",
    auth=RECORD,
)
def procedure_update(
    request: HttpRequest, procedure_id: str, payload: ProcedurePatch
) -> dict[str, Any]:
    procedure = _procedure(procedure_id)
    unknown = sorted(set(payload.changes) - set(PATCHABLE))
    if unknown:
        raise ValidationFailed({name: ["This field can't be set here."] for name in unknown})
    record.procedure_update(
        actor=Actor.from_request(request),
        procedure=procedure,
        expected_version=payload.version,
        data=payload.changes,
    )
    return _out(_procedure(procedure_id))


@router.post(
    "/procedures/{procedure_id}/addenda",
    response={201: AddendumOut, **errors(*WRITE, 404, 409)},
    summary="Add an addendum to a signed procedure record",
    auth=RECORD,
)
def addendum_create(
    request: HttpRequest, procedure_id: str, payload: AddendumIn
) -> Status[dict[str, Any]]:
    procedure = _procedure(procedure_id)
    added = record.addendum_add(
        actor=Actor.from_request(request),
        procedure=procedure,
        reason=payload.reason,
        text=payload.text,
    )
    return Status(
        201,
        {
            "id": added.public_id,
            "author": str(added.author),
            "created_at": added.created_at,
            "reason": added.reason,
            "text": added.text,
        },
    )
