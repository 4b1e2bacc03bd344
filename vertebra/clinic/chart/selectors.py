"""The patient's chart as a read model: the patient, each active referral with its fractures,
antithrombotics, status history, evaluations and procedure records, and the audit timeline.

It reads the tables of every stage of the pathway (patients, evaluation, procedures, audit), so it
sits in the composition, above all of them, and imports their models openly (docs/architecture.md,
"Layers"). A fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from vertebra.audit.models import AuditAction, AuditEvent
from vertebra.core import timeutil
from vertebra.core.models import RecordStatus
from vertebra.core.prepared import PreparedQuery
from vertebra.evaluation.models import Evaluation, FinalDecision
from vertebra.patients.models import (
    SPINE_LEVELS,
    Anticoagulant,
    Fracture,
    Patient,
    Referral,
    ReferralStatusChange,
)
from vertebra.patients.selectors import as_public_id, patient_get
from vertebra.procedures.models import ProcedureRecord

# The chart's lists are read as tuples of the columns the page shows, into the small rows below:
# model instances would decode what the chart never shows (an evaluation's snapshot and result,
# an audit row's changes) and Django's prefetching costs more than the queries themselves.


def _person(first_name: str, last_name: str, username: str) -> str:
    """Someone's name as User.__str__ gives it (full name, else username), from its columns."""
    return f"{first_name} {last_name}".strip() or username


_PERSON = ("first_name", "last_name", "username")


@cache  # choices are fixed when the models load: build each table once, not per chart
def _labels(model: Any, field: str) -> Callable[[str | None], str]:
    """The label of a choice field's value ("" for no value: blank, or no row to join)."""
    labels = {value: str(label) for value, label in model._meta.get_field(field).flatchoices}
    return lambda value: labels.get(value, value) if value else ""


@dataclass(frozen=True, slots=True)
class ChartFracture:
    public_id: uuid.UUID
    level: str
    etiology_label: str  # "" when not assessed
    mri_oedema: bool | None
    height_anterior_mm: Decimal | None
    height_middle_mm: Decimal | None
    height_posterior_mm: Decimal | None
    height_reference_mm: Decimal | None
    posterior_wall_label: str  # "" when not assessed
    onset_date: dt.date | None = None

    @property
    def age_weeks(self) -> int | None:
        """Weeks since the onset (the fracture's age), None when the onset is not recorded."""
        if self.onset_date is None:
            return None
        return (timeutil.clinic_today() - self.onset_date).days // 7


@dataclass(frozen=True, slots=True)
class ChartAntithrombotic:
    drug: str
    last_dose_date: dt.date | None


@dataclass(frozen=True, slots=True)
class ChartStatusChange:
    changed_at: dt.datetime
    from_label: str
    to_label: str
    changed_by: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChartEvaluation:
    public_id: uuid.UUID
    created_at: dt.datetime
    decision_label: str
    ruleset_version: str
    evaluated_by: str
    final_choice_label: str  # "" while no final decision is recorded
    final_decided_by: str
    final_agrees: bool | None
    final_reason: str


@dataclass(frozen=True, slots=True)
class ChartProcedure:
    public_id: uuid.UUID
    started_at: dt.datetime
    status_label: str
    operator: str


@dataclass(frozen=True, slots=True)
class ChartReferral:
    referral: Referral  # with its patient and assessment
    fractures: Sequence[ChartFracture]
    antithrombotics: Sequence[ChartAntithrombotic]
    status_changes: Sequence[ChartStatusChange]
    evaluations: Sequence[ChartEvaluation]
    procedures: Sequence[ChartProcedure]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    occurred_at: dt.datetime
    text: str  # the event's summary, else its action
    actor_username: str
    actor_role: str


@dataclass(frozen=True, slots=True)
class PatientChart:
    patient: Patient
    referrals: Sequence[ChartReferral]
    timeline: Sequence[TimelineEntry]

    @property
    def fractured_levels(self) -> set[str]:
        # Every recorded level: a fracture stays a fracture when its episode is closed.
        return {f.level for r in self.referrals for f in r.fractures}


TIMELINE_LIMIT = 200


def patient_chart(*, patient_public_id: Any) -> PatientChart | None:
    """The whole chart in a fixed number of queries: the referrals with their patient and
    assessment (the patient alone when there is no referral), then per list one query over all
    the referrals: fractures, antithrombotics, status history, evaluations with their people and
    final decisions, procedure records with their operators; then the timeline."""
    key = as_public_id(patient_public_id)
    if key is None:
        return None
    referrals = list(
        Referral.objects.filter(
            patient__public_id=key,
            patient__record_status=RecordStatus.ACTIVE,
            record_status=RecordStatus.ACTIVE,
        )
        .select_related("patient", "assessment")
        .order_by("-referral_date", "-id")
    )
    if referrals:
        patient = referrals[0].patient
        for referral in referrals:
            referral.patient = patient  # one instance for the chart, as a separate query gave
        lists = _chart_lists(patient.pk)
        chart_referrals = [
            ChartReferral(r, *(rows.get(r.pk, ()) for rows in lists)) for r in referrals
        ]
    else:
        found = patient_get(public_id=key)
        if found is None:
            return None
        patient, chart_referrals = found, []
    actions = _labels(AuditEvent, "action")
    timeline = [
        TimelineEntry(occurred_at, summary or actions(action), username, role)
        for occurred_at, summary, action, username, role in _TIMELINE.rows(patient.pk)
    ]
    return PatientChart(patient=patient, referrals=chart_referrals, timeline=timeline)


def _grouped(rows: Any, build: Any) -> dict[int, list[Any]]:
    """Rows whose first column is the referral's key, built and grouped by it, in query order."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for referral_id, *columns in rows:
        grouped[referral_id].append(build(*columns))
    return grouped


# The chart's lists, each one query over all of a patient's active referrals, keyed by the
# patient's primary key so that the SQL is the same for every chart and compiled once.
_ACTIVE = RecordStatus.ACTIVE
_SPINE_POSITION = {level: position for position, level in enumerate(SPINE_LEVELS)}


_FRACTURES = PreparedQuery(
    lambda patient: (
        Fracture.objects.filter(
            referral__patient_id=patient, referral__record_status=_ACTIVE, record_status=_ACTIVE
        )
        .order_by("id")
        .values_list(
            "referral_id",
            "public_id",
            "level",
            "etiology",
            "mri_oedema",
            "height_anterior_mm",
            "height_middle_mm",
            "height_posterior_mm",
            "height_reference_mm",
            "posterior_wall",
            "onset_date",
        )
    )
)
_ANTITHROMBOTICS = PreparedQuery(
    lambda patient: (
        Anticoagulant.objects.filter(
            assessment__referral__patient_id=patient,
            assessment__referral__record_status=_ACTIVE,
            record_status=_ACTIVE,
        )
        .order_by("id")
        .values_list("assessment__referral_id", "drug", "last_dose_date")
    )
)
_STATUS_CHANGES = PreparedQuery(
    lambda patient: (
        ReferralStatusChange.objects.filter(
            referral__patient_id=patient, referral__record_status=_ACTIVE
        )
        .order_by("changed_at", "id")
        .values_list(
            "referral_id",
            "changed_at",
            "from_status",
            "to_status",
            *(f"changed_by__{c}" for c in _PERSON),
            "reason",
        )
    )
)
_EVALUATIONS = PreparedQuery(
    lambda patient: (
        Evaluation.objects.filter(referral__patient_id=patient, referral__record_status=_ACTIVE)
        .order_by("-created_at", "-id")
        .values_list(
            "referral_id",
            "public_id",
            "created_at",
            "decision",
            "ruleset_version",
            *(f"evaluated_by__{c}" for c in _PERSON),
            "final_decision__choice",
            *(f"final_decision__decided_by__{c}" for c in _PERSON),
            "final_decision__agrees_with_recommendation",
            "final_decision__reason",
        )
    )
)
_PROCEDURES = PreparedQuery(
    lambda patient: (
        ProcedureRecord.objects.filter(
            referral__patient_id=patient, referral__record_status=_ACTIVE, record_status=_ACTIVE
        )
        .order_by("-started_at", "-id")
        .values_list(
            "referral_id", "public_id", "started_at", "status", *(f"operator__{c}" for c in _PERSON)
        )
    )
)
_TIMELINE = PreparedQuery(
    lambda patient: (
        AuditEvent.objects.filter(patient_id=patient)
        .exclude(action=AuditAction.VIEW)
        .order_by("-sequence")
        .values_list("occurred_at", "summary", "action", "actor_username", "actor_role")[
            :TIMELINE_LIMIT
        ]
    )
)


def _chart_lists(patient_pk: int) -> tuple[dict[int, list[Any]], ...]:
    """Fractures, antithrombotics, status changes, evaluations and procedures of the patient's
    active referrals, each by referral key."""
    etiologies, walls = _labels(Fracture, "etiology"), _labels(Fracture, "posterior_wall")
    fractures = _grouped(
        # Head to tail, as the spine diagram and the evaluation list them.
        sorted(_FRACTURES.rows(patient_pk), key=lambda row: _SPINE_POSITION[row[2]]),
        lambda public_id, level, etiology, oedema, a, m, p, ref, wall, onset: ChartFracture(
            public_id,
            level,
            etiologies(etiology),
            oedema,
            a,
            m,
            p,
            ref,
            walls(wall),
            onset,
        ),
    )
    antithrombotics = _grouped(_ANTITHROMBOTICS.rows(patient_pk), ChartAntithrombotic)
    statuses = _labels(ReferralStatusChange, "to_status")
    status_changes = _grouped(
        _STATUS_CHANGES.rows(patient_pk),
        lambda at, before, after, first, last, username, reason: ChartStatusChange(
            at,
            statuses(before),
            statuses(after),
            _person(first, last, username),
            reason,
        ),
    )
    decisions, choices = _labels(Evaluation, "decision"), _labels(FinalDecision, "choice")
    evaluations = _grouped(
        _EVALUATIONS.rows(patient_pk),
        lambda public_id, at, decision, ruleset, ef, el, eu, choice, df, dl, du, agrees, why: (
            ChartEvaluation(
                public_id,
                at,
                decisions(decision),
                ruleset,
                _person(ef, el, eu),
                choices(choice),
                _person(df, dl, du) if choice else "",
                agrees,
                why or "",
            )
        ),
    )
    procedure_statuses = _labels(ProcedureRecord, "status")
    procedures = _grouped(
        _PROCEDURES.rows(patient_pk),
        lambda public_id, at, status, first, last, username: ChartProcedure(
            public_id, at, procedure_statuses(status), _person(first, last, username)
        ),
    )
    return fractures, antithrombotics, status_changes, evaluations, procedures
