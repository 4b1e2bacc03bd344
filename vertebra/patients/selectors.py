"""Reads of patients and referrals. Each runs a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from vertebra.core.models import RecordStatus
from vertebra.patients.models import (
    Anticoagulant,
    Fracture,
    Patient,
    Referral,
    ReferralStatus,
)
from vertebra.patients.search import normalise, parse_query_date

SEARCH_LIMIT = 50


def as_public_id(value: Any) -> uuid.UUID | None:
    """The UUID a URL or payload names, or None when it is not one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def patient_get(*, public_id: Any, include_inactive: bool = False) -> Patient | None:
    key = as_public_id(public_id)
    if key is None:
        return None
    patients = Patient.objects.all()
    if not include_inactive:
        patients = patients.filter(record_status=RecordStatus.ACTIVE)
    return patients.filter(public_id=key).first()


def referral_get(*, public_id: Any) -> Referral | None:
    key = as_public_id(public_id)
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
    key = as_public_id(public_id)
    if key is None:
        return None
    return (
        Fracture.objects.select_related("referral__patient")
        .filter(public_id=key, record_status=RecordStatus.ACTIVE)
        .first()
    )


def anticoagulant_get(*, public_id: Any) -> Anticoagulant | None:
    key = as_public_id(public_id)
    if key is None:
        return None
    return (
        Anticoagulant.objects.select_related("assessment__referral__patient")
        .filter(public_id=key, record_status=RecordStatus.ACTIVE)
        .first()
    )


def referral_first_onset(*, referral: Referral) -> dt.date | None:
    """The earliest onset date recorded among the referral's active levels. One query."""
    return (
        Fracture.objects.filter(
            referral=referral, record_status=RecordStatus.ACTIVE, onset_date__isnull=False
        )
        .order_by("onset_date")
        .values_list("onset_date", flat=True)
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
    referral_public_id: uuid.UUID

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
    "public_id",
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
