"""The administrator's reads of the audit trail: events filtered by patient (MRN or name), user
and date, and the rows of the CSV export. They match and show patients' columns, so they sit above
the patients app (docs/architecture.md, "Layers")."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from vertebra.audit.models import AuditEvent
from vertebra.core.timeutil import clinic_day_bounds
from vertebra.patients.search import normalise


@dataclass(frozen=True, slots=True)
class AuditFilter:
    patient_query: str = ""
    username: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_event_list(filters: AuditFilter) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("patient").order_by("-sequence")
    if filters.patient_query:
        q = filters.patient_query.strip()
        events = events.filter(patient__mrn__iexact=q) | events.filter(
            patient__search_text__contains=normalise(q)
        )
    if filters.username:
        events = events.filter(actor_username__iexact=filters.username.strip())
    if filters.date_from:
        events = events.filter(occurred_at__gte=clinic_day_bounds(filters.date_from)[0])
    if filters.date_to:
        events = events.filter(occurred_at__lt=clinic_day_bounds(filters.date_to)[1])
    return events


CSV_HEADER = (
    "sequence",
    "occurred_at_utc",
    "username",
    "role",
    "action",
    "patient_mrn",
    "object_type",
    "object_id",
    "summary",
    "client_address",
    "changes",
    "hash",
)


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[tuple[str, ...]]:
    yield CSV_HEADER
    for e in events.iterator(chunk_size=2000):
        yield (
            str(e.sequence),
            e.occurred_at.isoformat(),
            e.actor_username,
            e.actor_role,
            e.action,
            e.patient.mrn if e.patient else "",
            e.object_type,
            e.object_id,
            e.summary,
            e.client_address,
            json.dumps(e.changes, sort_keys=True),
            e.hash,
        )
