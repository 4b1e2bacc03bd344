"""Booking API: free slots, book, read, cancel. The same services as the staff pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from vertebra.core.actor import Actor
from vertebra.core.api import READ, WRITE, IsoDateTime, errors
from vertebra.core.apiauth import RoleAuth
from vertebra.core.errors import ValidationFailed
from vertebra.core.permissions import Capability
from vertebra.patients.selectors import patient_get, referral_get
from vertebra.patients.services import patient_read_audited
from vertebra.scheduling import selectors, services
from vertebra.scheduling.models import Appointment, AppointmentType, Resource

router = Router(tags=["booking"])
VIEW = RoleAuth(Capability.SCHEDULE_VIEW)
BOOK = RoleAuth(Capability.SCHEDULE_BOOK)


def _found(obj: Any, what: str) -> Any:
    if obj is None:
        raise HttpError(404, f"No such {what}.")
    return obj


def _type(code: str) -> AppointmentType:
    return _found(
        AppointmentType.objects.filter(code=code, active=True).first(), "appointment type"
    )  # type: ignore[no-any-return]


def _clinician(public_id: uuid.UUID | None) -> Resource | None:
    if public_id is None:
        return None
    return _found(Resource.objects.filter(public_id=public_id).first(), "clinician")  # type: ignore[no-any-return]


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    resources: list[uuid.UUID]


class BookIn(Schema):
    patient_id: uuid.UUID
    type: str = Field(min_length=1, max_length=40, description="Appointment type code")
    starts_at: IsoDateTime = Field(description="ISO 8601 with a UTC offset")
    clinician_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    notes: str = Field("", max_length=2000)
    overbook_reason: str = Field("", max_length=500)
    decision_override_reason: str = Field("", max_length=500)
    hold_override_reason: str = Field(
        "",
        max_length=500,
        description="A physician books a procedure before its antithrombotic hold ends",
    )


class CancelIn(Schema):
    version: int
    reason: str = Field(min_length=1, max_length=500)


class AppointmentOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    patient_id: uuid.UUID
    type: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    version: int
    resources: list[uuid.UUID]
    cancel_reason: str
    overbook_reason: str
    decision_override_reason: str
    hold_override_reason: str
    hold_override_by: str | None

    @staticmethod
    def resolve_hold_override_by(obj: Appointment) -> str | None:
        return obj.hold_override_by.username if obj.hold_override_by else None

    @staticmethod
    def resolve_patient_id(obj: Appointment) -> uuid.UUID:
        return obj.patient.public_id

    @staticmethod
    def resolve_type(obj: Appointment) -> str:
        return obj.appointment_type.code

    @staticmethod
    def resolve_resources(obj: Appointment) -> list[uuid.UUID]:
        return [b.resource.public_id for b in obj.booked.all() if b.resource and b.active]


@router.get(
    "/slots",
    response={200: list[SlotOut], **errors(*READ, 404)},
    summary="Next free slots of a type",
    auth=VIEW,
)
def slot_list(
    request: HttpRequest,
    type: str,
    start: dt.date | None = None,
    days: int = 30,
    clinician_id: uuid.UUID | None = None,
    limit: int = 40,
) -> list[dict[str, Any]]:
    if not 1 <= days <= 90:
        raise ValidationFailed({"days": ["Look 1 to 90 days ahead."]})
    if not 1 <= limit <= 200:
        raise ValidationFailed({"limit": ["Ask for 1 to 200 slots."]})
    appointment_type = _type(type)
    clinician = _clinician(clinician_id)
    problems: dict[str, list[str]] = {}
    if start is not None and (far := selectors.day_out_of_reach(start)):
        problems["start"] = [far]
    if wrong := selectors.clinician_problem(appointment_type, clinician):
        problems["clinician_id"] = [wrong]
    if problems:
        raise ValidationFailed(problems)
    earliest, _ = selectors.day_bounds(start or selectors.clinic_today())
    found = selectors.free_slots(
        appointment_type,
        earliest=earliest,
        latest=earliest + dt.timedelta(days=days),
        clinician=clinician,
        limit=limit,
    )
    ids = dict(Resource.objects.values_list("pk", "public_id"))
    return [
        {
            "starts_at": slot.start,
            "ends_at": slot.end,
            "resources": [ids[pk] for pk in slot.resource_ids],
        }
        for slot in found
    ]


@router.post(
    "/appointments",
    response={201: AppointmentOut, **errors(*WRITE, 404, 409)},
    summary="Book an appointment",
    auth=BOOK,
)
def appointment_book(request: HttpRequest, payload: BookIn) -> Status[Appointment]:
    if far := selectors.day_out_of_reach(payload.starts_at.date()):
        raise ValidationFailed({"starts_at": [far]})
    patient = _found(patient_get(public_id=str(payload.patient_id)), "patient")
    referral = (
        _found(referral_get(public_id=str(payload.referral_id)), "referral")
        if payload.referral_id
        else None
    )
    appointment = services.appointment_book(
        actor=Actor.from_request(request),
        request=services.BookingRequest(
            patient=patient,
            appointment_type=_type(payload.type),
            starts_at=payload.starts_at,
            referral=referral,
            clinician=_clinician(payload.clinician_id),
            notes=payload.notes,
            overbook_reason=payload.overbook_reason,
            decision_override_reason=payload.decision_override_reason,
            hold_override_reason=payload.hold_override_reason,
        ),
    )
    return Status(201, _found(selectors.appointment_get(str(appointment.public_id)), "appointment"))


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **errors(*READ, 404)},
    summary="Read an appointment",
    auth=VIEW,
)
def appointment_read(request: HttpRequest, appointment_id: str) -> Appointment:
    appointment = _found(selectors.appointment_get(appointment_id), "appointment")
    patient_read_audited(
        actor=Actor.from_request(request), patient=appointment.patient, what="API read appointment"
    )
    return appointment  # type: ignore[no-any-return]


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **errors(*WRITE, 404, 409)},
    summary="Cancel an appointment (frees its time)",
    auth=BOOK,
)
def appointment_cancel(request: HttpRequest, appointment_id: str, payload: CancelIn) -> Appointment:
    appointment = _found(selectors.appointment_get(appointment_id), "appointment")
    services.appointment_cancel(
        actor=Actor.from_request(request),
        appointment_id=appointment.pk,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _found(selectors.appointment_get(appointment_id), "appointment")  # type: ignore[no-any-return]
