"""Evaluation API: POST /api/evaluations (a §2.1 snapshot in, the result document out) and
GET /api/patients/{id}/evaluations (the stored evaluations of a patient)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from vertebra.core.actor import Actor
from vertebra.core.api import READ, WRITE, errors, load_json, openapi_errors
from vertebra.core.apiauth import RoleAuth
from vertebra.core.errors import ValidationFailed
from vertebra.core.permissions import Capability
from vertebra.evaluation import rules, selectors, services
from vertebra.patients.selectors import patient_get, referral_get
from vertebra.patients.services import patient_read_audited

router = Router(tags=["evaluation"])

_SNAPSHOT_BODY = {
    "requestBody": {
        "required": True,
        "description": "A candidate snapshot (clinical-reference §2.1). Absent means not assessed.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    "responses": {
        "200": {
            "description": "The evaluation result (not stored).",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "201": {
            "description": "The evaluation result, stored with the referral.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **openapi_errors(*WRITE, 404, 409),
    },
}


def _read_snapshot(request: HttpRequest) -> Any:
    # Not JSON or nested too deep: 400; a NUL character in a text: 422 naming it.
    return load_json(request.body, parse_float=Decimal)


@router.post(
    "/evaluations",
    summary="Evaluate a candidate snapshot",
    openapi_extra=_SNAPSHOT_BODY,
    auth=RoleAuth(Capability.CLINICAL_EDIT),
)
def evaluation_create(request: HttpRequest, referral_id: str | None = None) -> HttpResponse:
    """Evaluate the snapshot in the body. With `referral_id`, the evaluation is stored with that
    referral (audited) and the answer is 201; without, nothing is stored."""
    snapshot = _read_snapshot(request)
    if referral_id is None:
        try:
            parsed = rules.parse_snapshot(snapshot)
        except rules.SnapshotError as exc:
            raise ValidationFailed({exc.path: [exc.message]}) from exc
        settings, _ = services.rule_settings_current()
        body = rules.result_to_json(rules.evaluate(parsed, settings))
        return HttpResponse(json.dumps(body), content_type="application/json")
    referral = referral_get(public_id=referral_id)
    if referral is None:
        raise HttpError(404, "No such referral.")
    evaluation = services.evaluation_store_submitted(
        actor=Actor.from_request(request), referral=referral, snapshot=snapshot
    )
    response = HttpResponse(
        json.dumps(evaluation.result), content_type="application/json", status=201
    )
    response["Location"] = f"/staff/evaluations/{evaluation.public_id}/"
    return response


class FinalDecisionOut(Schema):
    choice: str
    agrees_with_recommendation: bool
    reason: str
    decided_by: str
    decided_at: dt.datetime


class EvaluationOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    referral_id: uuid.UUID
    created_at: dt.datetime
    evaluated_by: str
    decision: str
    ruleset_version: str
    settings_used: dict[str, Any]
    result: dict[str, Any]
    final_decision: FinalDecisionOut | None

    @staticmethod
    def resolve_referral_id(obj: Any) -> uuid.UUID:
        return obj.referral.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_evaluated_by(obj: Any) -> str:
        return obj.evaluated_by.username  # type: ignore[no-any-return]

    @staticmethod
    def resolve_final_decision(obj: Any) -> dict[str, Any] | None:
        decision = getattr(obj, "final_decision", None)
        if decision is None:
            return None
        return {
            "choice": decision.choice,
            "reason": decision.reason,
            "agrees_with_recommendation": decision.agrees_with_recommendation,
            "decided_by": decision.decided_by.username,
            "decided_at": decision.created_at,
        }


@router.get(
    "/patients/{patient_id}/evaluations",
    response={200: list[EvaluationOut], **errors(*READ, 404)},
    summary="A patient's stored evaluations, newest first",
    auth=RoleAuth(Capability.PATIENT_VIEW),
)
def evaluation_list(request: HttpRequest, patient_id: str) -> list[Any]:
    patient = patient_get(public_id=patient_id)
    if patient is None:
        raise HttpError(404, "No such patient.")
    patient_read_audited(
        actor=Actor.from_request(request), patient=patient, what="API read evaluations"
    )
    return selectors.patient_evaluations(patient_id=patient.pk)
