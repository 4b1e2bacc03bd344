"""JSON API for patients, referrals, fractures and clinical assessments. Thin: parse, check the
role, call one service or selector. Reads of a patient's data are audited."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator
from pydantic.json_schema import SkipJsonSchema

from vertebra.core.actor import Actor
from vertebra.core.api import READ, WRITE, IsoDate, errors
from vertebra.core.apiauth import RoleAuth
from vertebra.core.permissions import Capability, has_capability
from vertebra.patients import selectors, services
from vertebra.patients.models import Fracture, Patient, Referral, ReferralStatus

router = Router(tags=["patients"])


VIEW = RoleAuth(Capability.PATIENT_VIEW)
EDIT_PATIENT = RoleAuth(Capability.PATIENT_EDIT)
CREATE_REFERRAL = RoleAuth(Capability.REFERRAL_CREATE)
EDIT_CLINICAL = RoleAuth(Capability.CLINICAL_EDIT)


def _allow(request: HttpRequest, capability: Capability) -> Actor:
    if not has_capability(request.user, capability):
        raise HttpError(403, "Your role does not allow this.")
    return Actor.from_request(request)


def _found(obj: Any, what: str) -> Any:
    if obj is None:
        raise HttpError(404, f"No such {what}.")
    return obj


# --- Schemas --------------------------------------------------------------------------------

SexValue = Literal["female", "male", "other", ""]
# The Python default of a field that may be left out, and not a value a client may send: the
# schema does not offer null, and a validator refuses it.
Omitted = SkipJsonSchema[None]


class PatientIn(Schema):
    mrn: str = Field(min_length=1, max_length=40)
    family_name: str = Field(min_length=1, max_length=100)
    given_name: str = Field(min_length=1, max_length=100)
    birth_date: IsoDate
    sex: SexValue = ""
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)


class PatientPatch(Schema):
    """The fields to change; a field left out keeps its value. None of them may be null: every
    demographic is stored, blank ("") where it is not recorded."""

    version: int
    mrn: str | Omitted = Field(None, min_length=1, max_length=40)
    family_name: str | Omitted = Field(None, min_length=1, max_length=100)
    given_name: str | Omitted = Field(None, min_length=1, max_length=100)
    birth_date: IsoDate | Omitted = None
    sex: SexValue | Omitted = None
    phone: str | Omitted = Field(None, max_length=40)
    email: str | Omitted = Field(None, max_length=254)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # The default (None) is never validated, so only an explicit null reaches this.
        if value is None:
            raise ValueError("Can't be null: leave the field out to keep its value.")
        return value


class PatientOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    mrn: str
    family_name: str
    given_name: str
    birth_date: dt.date
    sex: str
    phone: str
    email: str
    version: int


class ReferralIn(Schema):
    referring_clinician: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1)
    referral_date: IsoDate


class StatusChangeIn(Schema):
    to_status: Literal[tuple(ReferralStatus.values)]  # type: ignore[valid-type]
    reason: str = ""
    version: int | None = None


class FractureOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    level: str
    etiology: str
    mri_oedema: bool | None
    bone_scan_uptake: bool | None
    height_anterior_mm: Decimal | None
    height_middle_mm: Decimal | None
    height_posterior_mm: Decimal | None
    height_reference_mm: Decimal | None
    posterior_wall: str
    version: int


class ReferralOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    patient_id: uuid.UUID
    referring_clinician: str
    reason: str
    referral_date: dt.date
    status: str
    version: int

    @staticmethod
    def resolve_patient_id(obj: Referral) -> uuid.UUID:
        return obj.patient.public_id


class ReferralDetail(ReferralOut):
    fractures: list[FractureOut]
    assessment: dict[str, Any]

    @staticmethod
    def resolve_fractures(obj: Referral) -> list[Fracture]:
        return list(obj.fractures.filter(record_status="active"))

    @staticmethod
    def resolve_assessment(obj: Referral) -> dict[str, Any]:
        a = obj.assessment
        values = {name: getattr(a, name) for name in services.ASSESSMENT_FIELDS}
        return {"version": a.version, **values}


class FractureIn(Schema):
    """Every §2.1 fracture fact; omitted or null means not assessed."""

    model_config = {"extra": "forbid"}

    level: str
    etiology: str = ""
    high_energy_trauma: bool | None = None
    onset_date: IsoDate | None = None
    imaging_date: IsoDate | None = None
    imaging_report: str = ""
    mri_oedema: bool | None = None
    bone_scan_uptake: bool | None = None
    height_anterior_mm: Decimal | None = None
    height_middle_mm: Decimal | None = None
    height_posterior_mm: Decimal | None = None
    height_reference_mm: Decimal | None = None
    kyphotic_deformity: bool | None = None
    height_loss_progression: bool | None = None
    posterior_wall: str = ""
    retropulsion: bool | None = None
    canal_compromise_percent: Decimal | None = None
    epidural_extension: bool | None = None
    intravertebral_cleft: bool | None = None
    cortical_disruption: bool | None = None
    both_endplates: bool | None = None
    tension_band_failure: bool | None = None
    lesion: str = ""
    sins_pain: str = ""
    sins_alignment: str = ""
    sins_collapse: str = ""
    sins_posterolateral: str = ""


class AssessmentPatch(Schema):
    """Any subset of the clinical assessment's fields, and the version the edit is based on."""

    version: int
    changes: dict[str, Any]


# --- Endpoints ------------------------------------------------------------------------------


@router.get(
    "/patients",
    response={200: list[PatientOut], **errors(*READ)},
    summary="Search patients",
    auth=VIEW,
)
def patient_list(request: HttpRequest, q: str = "") -> list[Patient]:
    _allow(request, Capability.PATIENT_VIEW)
    return list(selectors.patient_search(query=q))


@router.post(
    "/patients",
    response={201: PatientOut, **errors(*WRITE, 409)},
    summary="Register a patient",
    auth=EDIT_PATIENT,
)
def patient_create(request: HttpRequest, payload: PatientIn) -> Status[Patient]:
    actor = _allow(request, Capability.PATIENT_EDIT)
    return Status(201, services.patient_create(actor=actor, data=payload.dict()))


@router.get(
    "/patients/{patient_id}",
    response={200: PatientOut, **errors(*READ, 404)},
    summary="Read a patient",
    auth=VIEW,
)
def patient_read(request: HttpRequest, patient_id: str) -> Patient:
    actor = _allow(request, Capability.PATIENT_VIEW)
    patient = _found(selectors.patient_get(public_id=patient_id), "patient")
    services.patient_read_audited(actor=actor, patient=patient, what="API read")
    return patient  # type: ignore[no-any-return]


@router.patch(
    "/patients/{patient_id}",
    response={200: PatientOut, **errors(*WRITE, 404, 409)},
    summary="Edit demographics",
    auth=EDIT_PATIENT,
)
def patient_update(request: HttpRequest, patient_id: str, payload: PatientPatch) -> Patient:
    actor = _allow(request, Capability.PATIENT_EDIT)
    patient = _found(selectors.patient_get(public_id=patient_id), "patient")
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    return services.patient_update(
        actor=actor, patient=patient, expected_version=version, data=changes
    )


@router.get(
    "/patients/{patient_id}/referrals",
    response={200: list[ReferralOut], **errors(*READ, 404)},
    summary="A patient's referrals",
    auth=VIEW,
)
def referral_list(request: HttpRequest, patient_id: str) -> list[Referral]:
    actor = _allow(request, Capability.PATIENT_VIEW)
    patient = _found(selectors.patient_get(public_id=patient_id), "patient")
    services.patient_read_audited(actor=actor, patient=patient, what="API read referrals")
    return list(patient.referrals.filter(record_status="active").select_related("patient"))


@router.post(
    "/patients/{patient_id}/referrals",
    response={201: ReferralOut, **errors(*WRITE, 404)},
    summary="Record a referral",
    auth=CREATE_REFERRAL,
)
def referral_create(request: HttpRequest, patient_id: str, payload: ReferralIn) -> Status[Referral]:
    actor = _allow(request, Capability.REFERRAL_CREATE)
    patient = _found(selectors.patient_get(public_id=patient_id), "patient")
    return Status(201, services.referral_create(actor=actor, patient=patient, data=payload.dict()))


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralDetail, **errors(*READ, 404)},
    summary="Read a referral",
    auth=VIEW,
)
def referral_read(request: HttpRequest, referral_id: str) -> Referral:
    actor = _allow(request, Capability.PATIENT_VIEW)
    referral = _found(selectors.referral_get(public_id=referral_id), "referral")
    services.patient_read_audited(actor=actor, patient=referral.patient, what="API read referral")
    return referral  # type: ignore[no-any-return]


@router.post(
    "/referrals/{referral_id}/status",
    response={200: ReferralOut, **errors(*WRITE, 404, 409)},
    summary="Move a referral along the pathway",
    auth=EDIT_CLINICAL,
)
def referral_status_change(
    request: HttpRequest, referral_id: str, payload: StatusChangeIn
) -> Referral:
    actor = _allow(request, Capability.CLINICAL_EDIT)
    referral = _found(selectors.referral_get(public_id=referral_id), "referral")
    return services.referral_set_status(
        actor=actor,
        referral=referral,
        to_status=payload.to_status,
        reason=payload.reason,
        expected_version=payload.version,
        by_hand=True,
    )


@router.post(
    "/referrals/{referral_id}/fractures",
    response={201: FractureOut, **errors(*WRITE, 404, 409)},
    summary="Record a fractured level",
    auth=EDIT_CLINICAL,
)
def fracture_create(
    request: HttpRequest, referral_id: str, payload: FractureIn
) -> Status[Fracture]:
    actor = _allow(request, Capability.CLINICAL_EDIT)
    referral = _found(selectors.referral_get(public_id=referral_id), "referral")
    return Status(
        201, services.fracture_create(actor=actor, referral=referral, data=payload.dict())
    )


@router.patch(
    "/referrals/{referral_id}/assessment",
    response={200: ReferralDetail, **errors(*WRITE, 404, 409)},
    summary="Update the clinical assessment",
    auth=EDIT_CLINICAL,
)
def assessment_update(request: HttpRequest, referral_id: str, payload: AssessmentPatch) -> Referral:
    actor = _allow(request, Capability.CLINICAL_EDIT)
    referral = _found(selectors.referral_get(public_id=referral_id), "referral")
    services.assessment_update(
        actor=actor,
        assessment=referral.assessment,
        expected_version=payload.version,
        data=payload.changes,
    )
    return _found(selectors.referral_get(public_id=referral_id), "referral")  # type: ignore[no-any-return]
