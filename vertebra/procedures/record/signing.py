"""Signing a complete record, which freezes what it computes, and the addenda that correct a
signed record afterwards."""

from __future__ import annotations

from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.audit.services import json_safe
from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    EditConflict,
    Forbidden,
    NotReady,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.permissions import Capability, ensure
from vertebra.patients.models import ReferralStatus
from vertebra.patients.services import referral_set_status
from vertebra.procedures import selectors
from vertebra.procedures.models import (
    ProcedureAddendum,
    ProcedureRecord,
    ProcedureStatus,
)
from vertebra.procedures.record.guard import (
    audit_procedure,
    lock_open,
)
from vertebra.procedures.rules.record import sign_blockers


def procedure_sign(
    *, actor: Actor, procedure: ProcedureRecord, expected_version: int
) -> ProcedureRecord:
    """The operator signs a complete record. What the record computes (codes, dose flag,
    warnings, the settings used) is kept with it as signed; the referral becomes treated."""
    ensure(actor, Capability.PROCEDURE_SIGN)
    with transaction.atomic():
        record = lock_open(procedure.pk)
        if record.version != expected_version:
            raise EditConflict(current_version=record.version, current_values={})
        if actor.user is not None and actor.user.pk != record.operator_id:
            raise Forbidden(f"Only the operator, {record.operator}, signs this record.")
        view = selectors.procedure_view(record)
        if blockers := sign_blockers(view.facts, now=timeutil.now()):
            raise NotReady("The record can't be signed yet. Still to record:", blockers)
        record.status = ProcedureStatus.SIGNED
        record.signed_at = timeutil.now()
        record.signed_by = actor.user or record.operator
        record.signed_summary = json_safe(view.summary)
        record.version += 1
        # The signing UPDATE is the last one the database accepts for this row.
        record.save()
        audit_procedure(
            actor,
            AuditAction.STATUS_CHANGE,
            record,
            "Procedure record signed",
            {
                "status": [ProcedureStatus.IN_PROGRESS, ProcedureStatus.SIGNED],
                "version": [record.version - 1, record.version],
                "codes": [code["code"] for code in view.summary["coding"]["procedure"]],
            },
        )
        referral = record.referral
        if referral.status in (ReferralStatus.DECIDED, ReferralStatus.SCHEDULED):
            referral_set_status(
                actor=actor,
                referral=referral,
                to_status=ReferralStatus.TREATED,
                reason="Procedure record signed",
            )
    return record


def addendum_add(
    *, actor: Actor, procedure: ProcedureRecord, reason: str, text: str
) -> ProcedureAddendum:
    """A correction or addition to a signed record: who, when, why; shown with the record."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["Say why the addendum is needed."]
    if not text.strip():
        errors["text"] = ["Write the addendum."]
    if errors:
        raise ValidationFailed(errors)
    if actor.user is None:
        raise ValidationFailed({"__all__": ["An addendum is written by a member of staff."]})
    with transaction.atomic():
        record = (
            ProcedureRecord.objects.select_for_update()
            .select_related("patient")
            .get(pk=procedure.pk)
        )
        if record.status != ProcedureStatus.SIGNED:
            raise TransitionNotAllowed(
                "The record is not signed yet: correct it directly; addenda follow signing."
            )
        addendum = ProcedureAddendum.objects.create(
            procedure=record, author=actor.user, reason=reason.strip(), text=text.strip()
        )
        audit_procedure(
            actor,
            AuditAction.CREATE,
            record,
            "Addendum to a signed procedure record",
            {"addendum": str(addendum.public_id), "reason": addendum.reason, "text": addendum.text},
        )
    return addendum
