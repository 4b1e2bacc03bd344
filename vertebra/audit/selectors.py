"""Reading the audit trail: verification of its hash chain.

The administrator's filtered list and CSV export read patients' columns too, so they live above
the patients app, in vertebra/clinic/audit_report/."""

from __future__ import annotations

from dataclasses import dataclass

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
