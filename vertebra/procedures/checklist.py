"""The pre-procedure checklist: filled from the evaluation's preconditions (clinical-reference
§2.5: labs against the settings, each antithrombotic's hold with its earliest safe date,
allergies, pregnancy test, and the rest of the work-up) and the clinic's own items; a valid
consent is checked live. Every change is audited in its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.errors import EditConflict, NotFound, ValidationFailed
from vertebra.core.models import system_user
from vertebra.core.permissions import Capability, ensure
from vertebra.evaluation.models import Evaluation
from vertebra.patients.models import Referral
from vertebra.procedures.models import Checklist, ChecklistItem, ItemStatus
from vertebra.procedures.selectors import valid_consent

# The clinic's own items, checked on the day (the list; §4.1 step 1 for the time-out).
CLINIC_ITEMS: tuple[tuple[str, str], ...] = (
    ("fasting", "Fasting as instructed"),
    ("iv_access", "IV access in place"),
    ("imaging_reviewed", "Imaging reviewed by the operator"),
    ("levels_marked", "Levels confirmed and marked"),
    ("time_out", "Time-out / safety checklist done"),
)
NO_CONSENT = "No valid consent (record one, or the procedure needs an emergency override)."
NO_CHECKLIST = "No pre-procedure checklist has been started."
# Evaluation finding status → item status: a precondition "absent" is satisfied.
FROM_EVALUATION = {
    "absent": ItemStatus.MET,
    "present": ItemStatus.NOT_MET,
    "missing": ItemStatus.UNKNOWN,
}


def _audit(
    actor: Actor, action: str, checklist: Checklist, summary: str, changes: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="Checklist",
        object_id=checklist.public_id,
        patient=checklist.patient,
        summary=summary,
        changes=changes,
    )


def checklist_start(*, actor: Actor, referral: Referral) -> Checklist:
    ensure(actor, Capability.CLINICAL_EDIT)
    if not referral.is_active:
        raise ValidationFailed({"__all__": ["This referral was entered in error."]})
    evaluation = Evaluation.objects.filter(referral=referral).order_by("-created_at", "-pk").first()
    with transaction.atomic():
        checklist = Checklist.objects.create(
            patient=referral.patient,
            referral=referral,
            evaluation=evaluation,
            created_by=actor.user or system_user(),
        )
        items: list[ChecklistItem] = []
        if evaluation is not None:
            for finding in evaluation.result.get("findings", []):
                if finding["kind"] != "precondition" or finding["rule"] == "PRE-CONSENT":
                    continue  # the consent is checked live, from the consent records
                where = f" ({finding['level']})" if finding.get("level") else ""
                items.append(
                    ChecklistItem(
                        checklist=checklist,
                        position=len(items),
                        key=finding["rule"],
                        label=f"{finding['rule']}{where}: {finding['message']}",
                        source=finding.get("source", ""),
                        status=FROM_EVALUATION.get(finding["status"], ItemStatus.UNKNOWN),
                        note=f"From the evaluation of {evaluation.created_at:%Y-%m-%d}.",
                    )
                )
        for key, label in CLINIC_ITEMS:
            items.append(
                ChecklistItem(checklist=checklist, position=len(items), key=key, label=label)
            )
        ChecklistItem.objects.bulk_create(items)
        _audit(
            actor,
            AuditAction.CREATE,
            checklist,
            "Pre-procedure checklist started",
            {
                "items": [None, len(items)],
                "evaluation": [None, str(evaluation.public_id) if evaluation else None],
            },
        )
    return checklist


def _locked_item(item_id: int, expected_version: int) -> ChecklistItem:
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("checklist__patient")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound("No such checklist item.")
    if item.version != expected_version:
        raise EditConflict(current_version=item.version, current_values={"status": item.status})
    return item


def checklist_item_set(
    *, actor: Actor, item_id: int, expected_version: int, status: str, note: str = ""
) -> ChecklistItem:
    """A nurse or physician records an item's status (a change clears an earlier override)."""
    ensure(actor, Capability.CLINICAL_EDIT)
    if status not in ItemStatus.values or status == ItemStatus.UNKNOWN:
        raise ValidationFailed({"status": ["Choose met, not met or not applicable."]})
    with transaction.atomic():
        item = _locked_item(item_id, expected_version)
        before = item.status
        item.status = status
        item.note = note.strip() or item.note
        item.checked_by = actor.user
        item.checked_at = timezone.now()
        item.override_reason, item.overridden_by, item.overridden_at = "", None, None
        item.version += 1
        item.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            item.checklist,
            f"Checklist item {item.key}: {item.get_status_display().lower()}",
            {"item": item.key, "status": [before, status], "note": item.note},
        )
    return item


def checklist_item_override(
    *, actor: Actor, item_id: int, expected_version: int, reason: str
) -> ChecklistItem:
    """A physician lets an unmet item stop blocking the procedure, with the reason."""
    ensure(actor, Capability.REFERRAL_DECIDE)
    if not reason.strip():
        raise ValidationFailed({"reason": ["Say why the procedure may go ahead without it."]})
    with transaction.atomic():
        item = _locked_item(item_id, expected_version)
        if not item.blocks:
            raise ValidationFailed({"__all__": ["Only an item that is not met can be overridden."]})
        item.override_reason = reason.strip()
        item.overridden_by = actor.user
        item.overridden_at = timezone.now()
        item.version += 1
        item.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            item.checklist,
            f"Checklist item {item.key} overridden",
            {"item": item.key, "override_reason": [None, item.override_reason]},
        )
    return item


@dataclass(frozen=True)
class Readiness:
    blocking: tuple[str, ...]  # labels of what stops "start procedure"

    @property
    def ready(self) -> bool:
        return not self.blocking


def readiness(checklist: Checklist) -> Readiness:
    """What still blocks the procedure: unmet or unchecked items without an override, and a
    missing valid consent (checked now: a consent may have been withdrawn since)."""
    blocking = [item.label for item in checklist.items.all() if item.blocks]
    if valid_consent(checklist.referral) is None:
        blocking.insert(0, NO_CONSENT)
    return Readiness(tuple(blocking))


def procedure_gate(referral: Referral) -> Readiness:
    """What stops "start procedure" for this referral: its latest checklist's readiness, or,
    without a checklist, that there is none (and the consent)."""
    current = referral.checklists.order_by("-created_at", "-pk").first()
    if current is not None:
        return readiness(current)
    blocking = [NO_CHECKLIST]
    if valid_consent(referral) is None:
        blocking.insert(0, NO_CONSENT)
    return Readiness(tuple(blocking))
