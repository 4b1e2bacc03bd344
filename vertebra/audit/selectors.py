"""Reading the audit trail: verification, filtered lists, CSV rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from vertebra.audit.chain import GENESIS_HASH, chain_hash
from vertebra.audit.models import AuditChainHead, AuditEvent


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    ok: bool
    rows_checked: int
    broken_sequence: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"ok ({self.rows_checked} events)"
        return f"broken at event #{self.broken_sequence}: {self.reason}"


def audit_chain_verify() -> ChainVerdict:
    """Walk the chain in order; report the first row whose links or content do not match."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected_sequence:
            return ChainVerdict(
                False, checked, expected_sequence, f"event #{expected_sequence} is missing"
            )
        if event.previous_hash != previous_hash:
            return ChainVerdict(
                False, checked, event.sequence, "its link to the previous event does not match"
            )
        if chain_hash(previous_hash, event.hashed_fields()) != event.hash:
            return ChainVerdict(
                False, checked, event.sequence, "its content does not match its hash"
            )
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(singleton=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != previous_hash):
        return ChainVerdict(
            False,
            checked,
            checked + 1 if head.last_sequence > checked else checked,
            "events at the end of the trail are missing",
        )
    return ChainVerdict(True, checked)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    patient_query: str = ""
    username: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_event_list(filters: AuditFilter) -> QuerySet[AuditEvent]:
    from vertebra.core.timeutil import clinic_day_bounds

    events = AuditEvent.objects.select_related("patient").order_by("-sequence")
    if filters.patient_query:
        q = filters.patient_query.strip()
        events = events.filter(patient__mrn__iexact=q) | events.filter(
            patient__search_text__contains=_normalise(q)
        )
    if filters.username:
        events = events.filter(actor_username__iexact=filters.username.strip())
    if filters.date_from:
        events = events.filter(occurred_at__gte=clinic_day_bounds(filters.date_from)[0])
    if filters.date_to:
        events = events.filter(occurred_at__lt=clinic_day_bounds(filters.date_to)[1])
    return events


def _normalise(text: str) -> str:
    from vertebra.patients.search import normalise

    return normalise(text)


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
    import json

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
