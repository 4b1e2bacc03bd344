"""The pre-procedure checklist (clinical-reference §2.5, §4.1a).

Filled from the evaluation's preconditions (labs against the settings, allergies, pregnancy test
and the rest of the work-up) and the day-of checks of §4.1a; every answer starts blank. Checked
live, whenever the checklist is shown or gates the start: a valid consent, and the
antithrombotic hold of the referral's latest evaluation against the booked procedure's time
(§2.5 [ASRA2018]; not the assessment's planned date). Safety items block until answered;
documentation items (PRE-BMD) block only where the clinic sets them to. Marking "met" an item
the rule found not met is a physician's decision with a reason, kept for the quality lead.
Every change is audited in its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.errors import EditConflict, Forbidden, NotFound, ValidationFailed
from vertebra.core.models import system_user
from vertebra.core.permissions import Capability, ensure, has_capability
from vertebra.core.timeutil import clinic_zone
from vertebra.evaluation.models import Evaluation
from vertebra.evaluation.selectors import antithrombotic_hold, long_date
from vertebra.patients.models import Referral
from vertebra.procedures.models import (
    Checklist,
    ChecklistItem,
    ChecklistOverride,
    FoodKind,
    ItemKind,
    ItemStatus,
    OverrideKind,
)
from vertebra.procedures.selectors import valid_consent

DAY_OF = "§4.1a"
FASTING_SOURCE = "§4.1a [ASAFAST2017] (check)"
# The day-of checks of §4.1a, each blocking until answered, and the clinic's own items.
DAY_OF_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("identity", "Identity confirmed: wristband and two identifiers", DAY_OF),
    ("consent_confirmed", "Consent valid for this procedure and level(s)", DAY_OF),
    (
        "antithrombotic_today",
        "Last antithrombotic dose confirmed today against its hold",
        f"{DAY_OF}, §2.5 [ASRA2018]",
    ),
    ("fasting", "Fasting times recorded: last clear liquid and last food", FASTING_SOURCE),
    ("allergies", "Allergies re-confirmed", DAY_OF),
    ("levels_marked", "Level(s) marked or confirmed on imaging", DAY_OF),
    ("iv_access", "IV access in place", ""),
    ("imaging_reviewed", "Imaging reviewed by the operator", ""),
    # Confirmed in the room just before the start (not "time_out": the procedure record does
    # not carry a checklist answer over as its own time-out).
    ("time_out_in_room", "Time-out done in the room, just before the start", f"{DAY_OF}, §4.1"),
)
NO_CONSENT = "No valid consent (record one, or the procedure needs an emergency override)."
NO_CHECKLIST = "No pre-procedure checklist has been started."
# Evaluation finding status → what the rule found: a precondition "absent" is satisfied.
FROM_EVALUATION = {
    "absent": ItemStatus.MET,
    "present": ItemStatus.NOT_MET,
    "missing": ItemStatus.UNKNOWN,
}
FOUND = {"absent": "satisfied", "present": "action needed", "missing": "missing information"}
# Checked live, not stored: the hold against the booking (the day-of item confirms the dose).
LIVE_RULES = {"PRE-CONSENT", "PRE-ANTITHROMBOTIC"}


# --- The booked procedure (scheduling is a sibling app: docs/architecture.md §9) ------------


class BookedProcedure(Protocol):
    """What the checklist reads of a referral's booked procedure (a scheduling Appointment)."""

    starts_at: dt.datetime
    hold_override_reason: str
    hold_override_by: Any
    hold_override_at: dt.datetime | None


BookingReader = Callable[[Referral], BookedProcedure | None]
_booking_reader: list[BookingReader] = []


def register_booking_reader(reader: BookingReader) -> None:
    """The composition (vertebra.clinic) tells the checklist how to read a referral's booked
    procedure: procedures and scheduling are siblings and do not import each other."""
    _booking_reader[:] = [reader]


@dataclass(frozen=True)
class HoldCheck:
    """The antithrombotic hold against the booked procedure: the line shown, and whether it
    blocks the start."""

    text: str
    blocks: bool
    overridden: bool = False


def hold_check(referral: Referral) -> HoldCheck:
    """§2.5 [ASRA2018]: the hold of the referral's latest evaluation against its booked
    procedure's start, read now (a rebooking is checked again at once); without a booking,
    against now, and it says so. Without the hold's facts it says so and blocks: never
    assumed safe."""
    if not _booking_reader:
        return HoldCheck("Antithrombotic hold: the bookings could not be read.", True)
    booking = _booking_reader[0](referral)
    hold = antithrombotic_hold(referral=referral)
    if booking is None:
        # A procedure without a booking (an inpatient, say) would start now: check now.
        now = timezone.now()
        local = now.astimezone(clinic_zone())
        problem = hold.problem(now)
        return HoldCheck(
            f"Antithrombotic hold: no procedure is booked; checked against now "
            f"({long_date(local.date())} {local:%H:%M}): "
            + (problem or f"it is respected. {hold.explanation}"),
            problem is not None,
        )
    local = booking.starts_at.astimezone(clinic_zone())
    when = f"{long_date(local.date())} {local:%H:%M}"
    problem = hold.problem(booking.starts_at)
    if problem is None:
        return HoldCheck(
            f"Antithrombotic hold: the procedure booked for {when} respects it. {hold.explanation}",
            False,
        )
    if booking.hold_override_reason:
        at = booking.hold_override_at
        on = "" if at is None else f", {at.astimezone(clinic_zone()):%Y-%m-%d %H:%M}"
        return HoldCheck(
            f"Antithrombotic hold: the procedure booked for {when} is before it ends. "
            f"{problem} Booked on a physician's override by {booking.hold_override_by}{on}: "
            f"{booking.hold_override_reason}",
            False,
            overridden=True,
        )
    return HoldCheck(
        f"Antithrombotic hold: the procedure booked for {when} is not allowed. {problem} "
        "Rebook it, or a physician books it with an override.",
        True,
    )


def hold_override_note(referral: Referral) -> str:
    """The physician's hold override of the referral's procedure booking, for the report ("" when
    it was booked without one)."""
    booking = _booking_reader[0](referral) if _booking_reader else None
    if booking is None or not booking.hold_override_reason:
        return ""
    at = booking.hold_override_at
    on = "" if at is None else f", {at.astimezone(clinic_zone()):%Y-%m-%d %H:%M}"
    return (
        f"Booked before the antithrombotic hold ended: physician's override by "
        f"{booking.hold_override_by}{on}: {booking.hold_override_reason}"
    )


def booked_start(referral: Referral) -> dt.datetime | None:
    booking = _booking_reader[0](referral) if _booking_reader else None
    return None if booking is None else booking.starts_at


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
    documentation = set(settings.VERTEBRA_CHECKLIST_DOCUMENTATION_ITEMS)
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
                if finding["kind"] != "precondition" or finding["rule"] in LIVE_RULES:
                    continue
                where = f" ({finding['level']})" if finding.get("level") else ""
                found = FOUND.get(finding["status"], finding["status"])
                items.append(
                    ChecklistItem(
                        checklist=checklist,
                        position=len(items),
                        key=finding["rule"],
                        label=f"{finding['rule']}{where}: {finding['message']}",
                        source=finding.get("source", ""),
                        kind=(
                            ItemKind.DOCUMENTATION
                            if finding["rule"] in documentation
                            else ItemKind.SAFETY
                        ),
                        # Every answer starts blank: the evaluation's result is what the
                        # rule found, shown beside it, never a "met" nobody checked.
                        rule_result=FROM_EVALUATION.get(finding["status"], ItemStatus.UNKNOWN),
                        note=f"The evaluation of {evaluation.created_at:%Y-%m-%d} found: {found}.",
                    )
                )
        for key, label, source in DAY_OF_ITEMS:
            items.append(
                ChecklistItem(
                    checklist=checklist, position=len(items), key=key, label=label, source=source
                )
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


AGAINST_RULE = (
    "The evaluation found this item not met: only a physician marks it met, with the reason "
    "(or evaluate again once it is resolved and start the checklist again)."
)
FASTING_BY_TIMES = "Record the times of the last clear liquid and the last food instead."


def _override(item: ChecklistItem, actor: Actor, kind: str, reason: str) -> None:
    item.override_reason = reason
    item.overridden_by = actor.user
    item.overridden_at = timezone.now()
    ChecklistOverride.objects.create(
        item=item,
        kind=kind,
        reason=reason,
        by=actor.user or system_user(),
        at=item.overridden_at,
    )


def checklist_item_set(
    *, actor: Actor, item_id: int, expected_version: int, status: str, note: str = ""
) -> ChecklistItem:
    """A nurse or physician records an item's status (a change clears an earlier override).
    "Met" against the rule's own result (the evaluation found it not met) on a safety item:
    a physician, with the reason in the note. The fasting item is answered by its times."""
    ensure(actor, Capability.CLINICAL_EDIT)
    if status not in ItemStatus.values or status == ItemStatus.UNKNOWN:
        raise ValidationFailed({"status": ["Choose met, not met or not applicable."]})
    with transaction.atomic():
        item = _locked_item(item_id, expected_version)
        if item.key == "fasting":
            raise ValidationFailed({"status": [FASTING_BY_TIMES]})
        against = (
            status == ItemStatus.MET
            and item.rule_result == ItemStatus.NOT_MET
            and item.kind == ItemKind.SAFETY
        )
        if (
            against
            and actor.user is not None
            and not has_capability(actor.user, Capability.HOLD_OVERRIDE)
        ):
            raise Forbidden(AGAINST_RULE, field="status")
        if against and not note.strip():
            raise ValidationFailed(
                {"note": ["Say why it is met although the evaluation found it not met."]}
            )
        before = item.status
        item.status = status
        item.note = note.strip() or item.note
        item.checked_by = actor.user
        item.checked_at = timezone.now()
        item.override_reason, item.overridden_by, item.overridden_at = "", None, None
        if against:
            _override(item, actor, OverrideKind.MET_AGAINST_RULE, note.strip())
        item.version += 1
        item.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            item.checklist,
            f"Checklist item {item.key}: {item.get_status_display().lower()}"
            + (" against the rule's result" if against else ""),
            {
                "item": item.key,
                "status": [before, status],
                "note": item.note,
                **({"override_reason": [None, item.override_reason]} if against else {}),
            },
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
        _override(item, actor, OverrideKind.GO_AHEAD, reason.strip())
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


# --- Fasting (§4.1a [ASAFAST2017], check: settings) -------------------------------------------


def _hours(value: Decimal) -> dt.timedelta:
    return dt.timedelta(seconds=float(value * 3600))


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def fasting_result(
    *, start: dt.datetime, clear_liquid_at: dt.datetime, food_at: dt.datetime, food_kind: str
) -> tuple[str, str]:
    """(status, explanation) of the fasting times against the settings' thresholds, before
    ``start`` [ASAFAST2017] (check)."""
    clear_needed = _hours(settings.VERTEBRA_FASTING_CLEAR_LIQUID_HOURS)
    food_needed = _hours(
        settings.VERTEBRA_FASTING_FATTY_MEAL_HOURS
        if food_kind == FoodKind.FATTY
        else settings.VERTEBRA_FASTING_LIGHT_MEAL_HOURS
    )
    clear, food = start - clear_liquid_at, start - food_at
    short = []
    if clear < clear_needed:
        short.append(f"clear liquid {_span(clear)} before the start (needs {_span(clear_needed)})")
    if food < food_needed:
        label = FoodKind(food_kind).label.lower()
        short.append(f"{label} {_span(food)} before the start (needs {_span(food_needed)})")
    if short:
        return ItemStatus.NOT_MET, "Not fasted long enough: " + "; ".join(short) + "."
    return ItemStatus.MET, (
        f"Clear liquid {_span(clear)} and {FoodKind(food_kind).label.lower()} {_span(food)} "
        "before the start."
    )


def checklist_fasting_record(
    *,
    actor: Actor,
    item_id: int,
    expected_version: int,
    clear_liquid_at: dt.datetime | None,
    food_at: dt.datetime | None,
    food_kind: str,
) -> ChecklistItem:
    """Record the times of the last clear liquid and the last food; the fasting item is met
    or not met against the thresholds before the booked start (or now, when none is booked)."""
    ensure(actor, Capability.CLINICAL_EDIT)
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    for name, value in (("clear_liquid_at", clear_liquid_at), ("food_at", food_at)):
        if value is None:
            errors[name] = ["Give the date and time."]
        elif timezone.is_naive(value):
            errors[name] = ["Give the time with its time zone."]
        elif value > now:
            errors[name] = ["That time has not come yet."]
    if food_kind not in FoodKind.values:
        errors["food_kind"] = ["Choose what the last food was."]
    if errors or clear_liquid_at is None or food_at is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        item = _locked_item(item_id, expected_version)
        if item.key != "fasting":
            raise ValidationFailed({"__all__": ["This is not the fasting item."]})
        checklist = item.checklist
        start = booked_start(checklist.referral) or now
        status, explanation = fasting_result(
            start=start, clear_liquid_at=clear_liquid_at, food_at=food_at, food_kind=food_kind
        )
        before = item.status
        checklist.last_clear_liquid_at, checklist.last_food_at = clear_liquid_at, food_at
        checklist.last_food_kind = food_kind
        checklist.save(update_fields=["last_clear_liquid_at", "last_food_at", "last_food_kind"])
        item.status, item.note = status, explanation
        item.checked_by, item.checked_at = actor.user, now
        item.override_reason, item.overridden_by, item.overridden_at = "", None, None
        item.version += 1
        item.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            checklist,
            f"Fasting times recorded: {item.get_status_display().lower()}",
            {
                "item": item.key,
                "status": [before, status],
                "last_clear_liquid_at": clear_liquid_at.isoformat(),
                "last_food_at": food_at.isoformat(),
                "last_food_kind": food_kind,
                "checked_against": start.isoformat(),
            },
        )
    return item


@dataclass(frozen=True)
class Readiness:
    blocking: tuple[str, ...]  # labels of what stops "start procedure"
    hold: HoldCheck | None = None

    @property
    def ready(self) -> bool:
        return not self.blocking


def _live(referral: Referral) -> tuple[list[str], HoldCheck]:
    """What is checked now, whatever the checklist says: the consent and the hold."""
    blocking = []
    if valid_consent(referral) is None:
        blocking.append(NO_CONSENT)
    hold = hold_check(referral)
    if hold.blocks:
        blocking.append(hold.text)
    return blocking, hold


def readiness(checklist: Checklist) -> Readiness:
    """What still blocks the procedure: unmet or unchecked items without an override, a
    missing valid consent and the hold against the booking (both checked now)."""
    blocking, hold = _live(checklist.referral)
    blocking += [item.label for item in checklist.items.all() if item.blocks]
    return Readiness(tuple(blocking), hold)


def procedure_gate(referral: Referral) -> Readiness:
    """What stops "start procedure" for this referral: its latest checklist's readiness, or,
    without a checklist, that there is none (and the consent and the hold)."""
    current = referral.checklists.order_by("-created_at", "-pk").first()
    if current is not None:
        return readiness(current)
    blocking, hold = _live(referral)
    return Readiness((*blocking, NO_CHECKLIST), hold)


def checklist_overrides(limit: int = 500) -> list[ChecklistOverride]:
    """Every physician's checklist override, newest first, for the quality lead."""
    return list(
        ChecklistOverride.objects.select_related(
            "item__checklist__patient", "item__checklist__referral", "by"
        )[:limit]
    )
