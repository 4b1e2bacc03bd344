"""What each referral waits for (`patients.next_step`) and each role's queue of referrals to act
on. It reads evaluations, consents, checklists and procedure records, so it sits in the
composition. A fixed number of queries whatever the number of referrals: one per table for a
set of referrals, plus one for a queue's referrals.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery

from vertebra.core.models import RecordStatus, Role
from vertebra.evaluation.models import Evaluation
from vertebra.patients.models import Referral, ReferralStatus
from vertebra.patients.next_step import NextStep, ReferralState, next_step
from vertebra.procedures.models import (
    Checklist,
    Consent,
    ConsentStatus,
    ItemStatus,
    ProcedureRecord,
)


@dataclass(frozen=True, slots=True)
class ReferralStep:
    step: NextStep
    evaluation_public_id: uuid.UUID | None  # the latest evaluation (the decision is taken there)


def earliest_hold_date(result: Any) -> dt.date | None:
    """The last of the PRE-ANTITHROMBOTIC earliest dates of an evaluation result, if any."""
    dates = [
        dt.date.fromisoformat(f["earliest_date"])
        for f in (result or {}).get("findings", ())
        if f.get("rule") == "PRE-ANTITHROMBOTIC" and f.get("earliest_date")
    ]
    return max(dates, default=None)


def referral_steps(referrals: Iterable[tuple[int, str]]) -> dict[int, ReferralStep]:
    """The next step of each (pk, status) given; closed referrals are left out. Four queries
    (three when none is decided)."""
    statuses = dict(referrals)
    pks = [pk for pk, status in statuses.items() if status != ReferralStatus.CLOSED]
    if not pks:
        return {}
    latest: dict[int, tuple[int, uuid.UUID, str | None]] = {}
    for referral_id, pk, public_id, choice in (
        Evaluation.objects.filter(referral_id__in=pks)
        .order_by("referral_id", "created_at", "id")
        .values_list("referral_id", "pk", "public_id", "final_decision__choice")
    ):
        latest[referral_id] = (pk, public_id, choice)
    decided = [latest[pk][0] for pk in pks if statuses[pk] == "decided" and pk in latest]
    earliest = (
        {
            referral_id: earliest_hold_date(result)
            for referral_id, result in Evaluation.objects.filter(pk__in=decided).values_list(
                "referral_id", "result"
            )
        }
        if decided
        else {}
    )
    consented = set(
        Consent.objects.filter(
            referral_id__in=pks, status=ConsentStatus.VALID, record_status=RecordStatus.ACTIVE
        ).values_list("referral_id", flat=True)
    )
    ready: dict[int, bool] = {}
    blocking = Q(items__status__in=(ItemStatus.NOT_MET, ItemStatus.UNKNOWN)) & Q(
        items__override_reason=""
    )
    for referral_id, n in (
        Checklist.objects.filter(referral_id__in=pks)
        .annotate(n=Count("items", filter=blocking))
        .order_by("referral_id", "created_at", "pk")
        .values_list("referral_id", "n")
    ):
        ready[referral_id] = n == 0  # the latest checklist wins
    procedure: dict[int, str] = {}
    for referral_id, status in (
        ProcedureRecord.objects.filter(referral_id__in=pks, record_status=RecordStatus.ACTIVE)
        .order_by("referral_id", "created_at", "pk")
        .values_list("referral_id", "status")
    ):
        procedure[referral_id] = status
    steps = {}
    for pk in pks:
        evaluation = latest.get(pk)
        state = ReferralState(
            status=statuses[pk],
            evaluated=evaluation is not None,
            decision=evaluation[2] if evaluation else None,
            earliest_date=earliest.get(pk),
            consent_valid=pk in consented,
            checklist_ready=ready.get(pk, False),
            procedure=procedure.get(pk),
        )
        step = next_step(state)
        if step is not None:
            steps[pk] = ReferralStep(step, evaluation[1] if evaluation else None)
    return steps


def latest_genant(referral_pks: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each referral's latest evaluation's Genant grade per level (`genant` of the result's
    levels, with `at_least` when no reference height was measured, clinical-reference §3.1):
    {referral pk: {level: genant or None}}. One query."""
    if not referral_pks:
        return {}
    latest = (
        Evaluation.objects.filter(referral_id=OuterRef("referral_id"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    found: dict[int, dict[str, Any]] = {}
    for referral_id, result in Evaluation.objects.filter(
        referral_id__in=referral_pks, pk=Subquery(latest)
    ).values_list("referral_id", "result"):
        found[referral_id] = {
            level["level"]: level.get("genant") for level in (result or {}).get("levels", ())
        }
    return found


# Each role's queue: the steps it acts on, and the statuses where those steps can be.
ROLE_QUEUES: dict[str, tuple[str, frozenset[str], tuple[str, ...]]] = {
    Role.SCHEDULER: ("To book", frozenset({"book"}), ("decided",)),
    Role.NURSE: ("Consent or checklist due", frozenset({"consent", "checklist"}), ("scheduled",)),
    Role.PHYSICIAN: (
        "To evaluate, decide, sign",
        frozenset({"evaluate", "decide", "sign"}),
        ("referred", "evaluating", "scheduled", "treated"),
    ),
}
QUEUE_SIZE = 50


@dataclass(frozen=True, slots=True)
class QueueRow:
    pk: int
    referral_public_id: uuid.UUID
    referral_date: dt.date
    status: str
    patient_public_id: uuid.UUID
    family_name: str
    given_name: str
    mrn: str
    step: ReferralStep


@dataclass(frozen=True, slots=True)
class RoleQueue:
    title: str
    rows: Sequence[QueueRow]
    more: bool  # more candidates than were looked at


def role_queue_candidates(*, role: str) -> list[tuple[Any, ...]]:
    """The oldest referrals (up to QUEUE_SIZE + 1) in the statuses where this role's steps can
    be, as QueueRow columns without the step; [] for a role without a queue. One query."""
    if role not in ROLE_QUEUES:
        return []
    _, _, statuses = ROLE_QUEUES[role]
    return list(
        Referral.objects.filter(
            record_status=RecordStatus.ACTIVE,
            patient__record_status=RecordStatus.ACTIVE,
            status__in=statuses,
        )
        .order_by("referral_date", "id")
        .values_list(
            "pk",
            "public_id",
            "referral_date",
            "status",
            "patient__public_id",
            "patient__family_name",
            "patient__given_name",
            "patient__mrn",
        )[: QUEUE_SIZE + 1]
    )


def role_queue(
    *, role: str, candidates: list[tuple[Any, ...]], steps: dict[int, ReferralStep]
) -> RoleQueue | None:
    """The candidates whose next step is this role's, oldest referral first (None: the role
    has no queue). `steps` must hold the candidates' steps (`referral_steps`)."""
    if role not in ROLE_QUEUES:
        return None
    title, keys, _ = ROLE_QUEUES[role]
    rows = [
        QueueRow(
            pk=row[0],
            referral_public_id=row[1],
            referral_date=row[2],
            status=row[3],
            patient_public_id=row[4],
            family_name=row[5],
            given_name=row[6],
            mrn=row[7],
            step=steps[row[0]],
        )
        for row in candidates[:QUEUE_SIZE]
        if row[0] in steps and steps[row[0]].step.key in keys
    ]
    return RoleQueue(title=title, rows=rows, more=len(candidates) > QUEUE_SIZE)
