"""Starting a procedure record: through the gate (a valid consent and a ready checklist), or as
an emergency with the reason why (clinical-reference §4.1)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    DuplicateRecord,
    Forbidden,
    NotReady,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import RecordStatus, User
from vertebra.core.permissions import Capability, ensure
from vertebra.patients.models import Referral, ReferralStatus
from vertebra.procedures import selectors
from vertebra.procedures.checklist import procedure_gate
from vertebra.procedures.models import (
    AsaClass,
    ProcedureRecord,
    ProcedureStatus,
)
from vertebra.procedures.record.booking import booked_session
from vertebra.procedures.record.guard import (
    audit_procedure,
    check_operator,
)

# A procedure starts once the physician has decided to treat (or for a second session).
STARTABLE = (ReferralStatus.DECIDED, ReferralStatus.SCHEDULED, ReferralStatus.TREATED)


def procedure_start(
    *, actor: Actor, referral: Referral, operator: User | None, emergency_reason: str = ""
) -> ProcedureRecord:
    """Open the record of a session. Needs a valid consent and a ready checklist; otherwise
    only a physician may start, with an emergency override whose reason is kept with what it
    overrode."""
    ensure(actor, Capability.PROCEDURE_RECORD)
    if (errors := check_operator(operator)) or operator is None:
        raise ValidationFailed(errors)
    reason = emergency_reason.strip()
    with transaction.atomic():
        # Locking the referral serialises two starts of the same session.
        referral = (
            Referral.objects.select_for_update().select_related("patient").get(pk=referral.pk)
        )
        if not referral.is_active or not referral.patient.is_active:
            raise ValidationFailed({"__all__": ["This referral was entered in error."]})
        if referral.status not in STARTABLE:
            raise TransitionNotAllowed(
                f"The referral is {referral.get_status_display().lower()}: a procedure starts "
                "once the physician has decided to treat."
            )
        if ProcedureRecord.objects.filter(
            referral=referral, status=ProcedureStatus.IN_PROGRESS, record_status=RecordStatus.ACTIVE
        ).exists():
            raise DuplicateRecord("A procedure of this referral is already in progress: open it.")
        blocking = list(procedure_gate(referral).blocking)
        if blocking and not reason:
            raise NotReady("The procedure can't start yet:", blocking)
        if blocking:
            try:
                ensure(actor, Capability.PROCEDURE_SIGN)
            except Forbidden as exc:
                raise Forbidden("Only a physician may start with an emergency override.") from exc
        checklist = referral.checklists.order_by("-created_at", "-pk").first()
        consent = selectors.valid_consent(referral)
        # The time-out is confirmed in the room on the record itself, never carried over from
        # the checklist (issue 14 §2): time_out_done starts unknown.
        started_at = timeutil.now()
        booking = booked_session(referral, started_at)
        record = ProcedureRecord.objects.create(
            patient=referral.patient,
            referral=referral,
            consent=consent,
            checklist=checklist,
            gate_blocking=blocking,
            emergency_override_reason=reason if blocking else "",
            emergency_override_by=actor.user if blocking else None,
            operator=operator,
            started_at=started_at,
            booked_appointment_id=booking.appointment_id if booking else None,
            booked_starts_at=booking.starts_at if booking else None,
            # Carried over, editable in the record: the ASA class from the assessment, the
            # sedation the patient consented to.
            asa_class=_asa_from_assessment(referral),
            sedation_level=consent.sedation_planned if consent else "",
        )
        changes: dict[str, Any] = {
            "operator": [None, operator.username],
            "consent": [None, str(record.consent.public_id) if record.consent else None],
            "checklist": [None, str(checklist.public_id) if checklist else None],
            "booked_appointment": [None, str(booking.appointment_id) if booking else None],
            "asa_class": [None, record.asa_class],
            "sedation_level": [None, record.sedation_level or None],
        }
        if blocking:
            changes["emergency_override"] = {"reason": reason, "overrode": blocking}
        audit_procedure(
            actor,
            AuditAction.CREATE,
            record,
            "Procedure started" + (" with an emergency override" if blocking else ""),
            changes,
        )
    return record


def _asa_from_assessment(referral: Referral) -> int | None:
    """The assessment's ASA class when it is one the record offers (I–V), else not recorded."""
    assessment = getattr(referral, "assessment", None)
    value = assessment.asa_class if assessment is not None else None
    return value if value in AsaClass.values else None
