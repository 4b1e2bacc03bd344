"""Reads of patients and referrals. Each runs a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from vertebra.audit.models import AuditAction, AuditEvent
from vertebra.core.models import RecordStatus
from vertebra.core.prepared import PreparedQuery
from vertebra.patients.models import (
    SPINE_LEVELS,
    Anticoagulant,
    Fracture,
    Patient,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from vertebra.patients.search import normalise, parse_query_date

SEARCH_LIMIT = 50


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def patient_get(*, public_id: Any, include_inactive: bool = False) -> Patient | None:
    key = _as_uuid(public_id)
    if key is None:
        return None
    patients = Patient.objects.all()
    if not include_inactive:
        patients = patients.filter(record_status=RecordStatus.ACTIVE)
    return patients.filter(public_id=key).first()


def referral_get(*, public_id: Any) -> Referral | None:
    key = _as_uuid(public_id)
    if key is None:
        return None
    return (
        Referral.objects.select_related("patient", "assessment")
        .filter(
            public_id=key,
            record_status=RecordStatus.ACTIVE,
            patient__record_status=RecordStatus.ACTIVE,
        )
        .first()
    )


def fracture_get(*, public_id: Any) -> Fracture | None:
    key = _as_uuid(public_id)
    if key is None:
        return None
    return (
        Fracture.objects.select_related("referral__patient")
        .filter(public_id=key, record_status=RecordStatus.ACTIVE)
        .first()
    )


def anticoagulant_get(*, public_id: Any) -> Anticoagulant | None:
    key = _as_uuid(public_id)
    if key is None:
        return None
    return (
        Anticoagulant.objects.select_related("assessment__referral__patient")
        .filter(public_id=key, record_status=RecordStatus.ACTIVE)
        .first()
    )


def patient_search(*, query: str = "", limit: int = SEARCH_LIMIT) -> QuerySet[Patient]:
    """Active patients matching every word of the query in name or MRN (partial, case- and
    accent-insensitive), or born on the date typed (2026-01-31, 31.01.2026, 31/01/2026)."""
    latest_referral = Referral.objects.filter(
        patient=OuterRef("pk"), record_status=RecordStatus.ACTIVE
    ).order_by("-referral_date", "-id")
    patients = Patient.objects.filter(record_status=RecordStatus.ACTIVE).annotate(
        latest_status=Subquery(latest_referral.values("status")[:1])
    )
    query = query.strip()
    if query:
        birth_date = parse_query_date(query)
        if birth_date is not None:
            patients = patients.filter(birth_date=birth_date)
        else:
            for word in normalise(query).split(" "):
                patients = patients.filter(search_text__contains=word)
    return patients.order_by("family_name", "given_name", "id")[:limit]


WORKLIST_PAGE_SIZE = 50


_STATUS_LABELS = dict(ReferralStatus.choices)


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One worklist line: only the columns the page shows (no model instances to build)."""

    pk: int
    referral_date: dt.date
    referring_clinician: str
    status: str
    level_count: int
    patient_public_id: uuid.UUID
    family_name: str
    given_name: str
    mrn: str

    @property
    def status_label(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))


@dataclass(frozen=True, slots=True)
class Worklist:
    referrals: Sequence[WorklistRow]
    counts: dict[str, int]
    status: str | None
    total: int
    page: int
    pages: int

    @property
    def first_row(self) -> int:
        return (self.page - 1) * WORKLIST_PAGE_SIZE + 1 if self.referrals else 0

    @property
    def last_row(self) -> int:
        return (self.page - 1) * WORKLIST_PAGE_SIZE + len(self.referrals)


_WORKLIST_COLUMNS = (
    "pk",
    "referral_date",
    "referring_clinician",
    "status",
    "level_count",
    "patient__public_id",
    "patient__family_name",
    "patient__given_name",
    "patient__mrn",
)


def worklist(*, status: str | None = None, page: int = 1) -> Worklist:
    """Active referrals (oldest first within a status, so nothing waits unseen) and the count in
    every pathway status. Two queries.

    No join to patients is needed for the counts: retracting a patient retracts their referrals
    too. The level count is a correlated subquery so only the rows shown are counted
    (open_oldest index). Rows are read as tuples of the shown columns: building a Referral and a
    Patient per row cost more than the queries themselves."""
    active = Referral.objects.filter(record_status=RecordStatus.ACTIVE)
    counts = dict.fromkeys(ReferralStatus.values, 0)
    # COUNT(*) rather than COUNT(id): the same number (id is never NULL), half the work.
    for value, n in active.values_list("status").annotate(n=Count("*")).order_by():
        counts[value] = n
    levels = (
        Fracture.objects.filter(referral=OuterRef("pk"), record_status=RecordStatus.ACTIVE)
        .order_by()
        .values("referral")
        .annotate(n=Count("id"))
        .values("n")
    )
    shown = active.annotate(level_count=Coalesce(Subquery(levels), 0))
    shown = shown.filter(status=status) if status else shown.exclude(status=ReferralStatus.CLOSED)
    total = (
        counts.get(status, 0)
        if status
        else sum(n for s, n in counts.items() if s != ReferralStatus.CLOSED)
    )
    pages = max(1, -(-total // WORKLIST_PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * WORKLIST_PAGE_SIZE
    rows = shown.order_by("referral_date", "id").values_list(*_WORKLIST_COLUMNS)
    referrals = [WorklistRow(*row) for row in rows[start : start + WORKLIST_PAGE_SIZE]]
    return Worklist(
        referrals=referrals, counts=counts, status=status, total=total, page=page, pages=pages
    )


# --- The chart ---------------------------------------------------------------------------
# Its lists are read as tuples of the columns the page shows, into the small rows below: model
# instances would decode what the chart never shows (an evaluation's snapshot and result, an
# audit row's changes) and Django's prefetching costs more than the queries themselves.


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
    key = _as_uuid(patient_public_id)
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
# Evaluations and procedure records are other apps' models, named through the relation
# (patients never imports those apps).
_ACTIVE = RecordStatus.ACTIVE
_SPINE_POSITION = {level: position for position, level in enumerate(SPINE_LEVELS)}


def _evaluation_model() -> Any:
    return Referral.evaluations.rel.related_model


def _procedure_model() -> Any:
    return Referral.procedures.rel.related_model


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
        _evaluation_model()
        ._default_manager.filter(referral__patient_id=patient, referral__record_status=_ACTIVE)
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
        _procedure_model()
        ._default_manager.filter(
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
        lambda public_id, level, etiology, oedema, a, m, p, ref, wall: ChartFracture(
            public_id,
            level,
            etiologies(etiology),
            oedema,
            a,
            m,
            p,
            ref,
            walls(wall),
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
    evaluation_model = _evaluation_model()
    final_model = evaluation_model._meta.get_field("final_decision").related_model
    decisions, choices = _labels(evaluation_model, "decision"), _labels(final_model, "choice")
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
    procedure_statuses = _labels(_procedure_model(), "status")
    procedures = _grouped(
        _PROCEDURES.rows(patient_pk),
        lambda public_id, at, status, first, last, username: ChartProcedure(
            public_id, at, procedure_statuses(status), _person(first, last, username)
        ),
    )
    return fractures, antithrombotics, status_changes, evaluations, procedures
