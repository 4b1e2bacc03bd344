"""The evaluation result: findings, per-level grades and scores, and the decision
(clinical-reference §2.2). Immutable values (findings are named tuples, the rest frozen
dataclasses); render.py turns them into JSON or text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from vertebra.evaluation.rules.scores import GenantResult, OfScoreResult, SinsResult
from vertebra.evaluation.rules.screening import WhoCategory

RULESET_VERSION = "vertebra-rules-1.2.0"


DECISIONS = ("recommended", "specialist_review", "incomplete", "not_recommended")

INDICATION = "indication"
ABSOLUTE = "absolute_contraindication"
RELATIVE = "relative_contraindication"
MISSING_INFORMATION = "missing_information"
PRECONDITION = "precondition"
RISK = "risk"
# Ladder order (§2.2): the order findings are listed in.
KINDS = (INDICATION, ABSOLUTE, RELATIVE, MISSING_INFORMATION, PRECONDITION, RISK)

MET, NOT_MET = "met", "not_met"
PRESENT, ABSENT, MISSING = "present", "absent", "missing"


_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


class Finding(NamedTuple):
    """One rule's result (§2.2): immutable, compared and hashed by value."""

    rule: str
    kind: str
    status: str
    level: str | None
    message: str
    source: str
    # PRE-ANTITHROMBOTIC only: the earliest safe date, and for an hour-based hold with a
    # last-dose time the earliest time on that date.
    earliest_date: dt.date | None = None
    earliest_time: dt.time | None = None

    @property
    def order(self) -> int:
        """Listing group: kinds in ladder order, patient-level before per-level findings."""
        return 2 * _KIND_RANK[self.kind] + (0 if self.level is None else 1)


def restated(
    template: Finding,
    message: str,
    earliest_date: dt.date | None,
    earliest_time: dt.time | None = None,
) -> Finding:
    """``template`` with another message and earliest date (PRE-ANTITHROMBOTIC with its
    dates)."""
    return Finding(
        template.rule,
        template.kind,
        template.status,
        template.level,
        message,
        template.source,
        earliest_date,
        earliest_time,
    )


@dataclass(frozen=True, slots=True)
class LevelResult:
    level: str
    target: bool
    acuity: str  # acute | not_acute | unknown
    etiology: str  # as recorded, or "unknown" when not recorded
    etiology_recorded: bool
    genant: GenantResult | None
    of_type: str | None  # OF1..OF5 | none; None when unknown or not applicable
    of_applicable: bool
    of_score: OfScoreResult | None
    sins: SinsResult | None


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    decision: str
    ruleset_version: str
    findings: tuple[Finding, ...]
    levels: tuple[LevelResult, ...]
    spinal_deformity_index: int | None  # sum of Genant grades over listed T4–L4 levels
    spinal_deformity_index_at_least: bool
    bone_density: WhoCategory


def finding(
    rule: str, kind: str, status: str, level: str | None, source: str, text: str
) -> Finding:
    """The finding of a rule: its message is ``text`` followed by the source."""
    return Finding(rule, kind, status, level, f"{text} {source}", source)


def decide(findings: Iterable[Finding]) -> str:
    """The §2.2 ladder, first that applies: an absolute contraindication present or an
    indication not met → not_recommended; missing information → incomplete; a relative
    contraindication or review flag present → specialist_review; else recommended.
    Preconditions and risks never change it."""
    findings = tuple(findings)
    if any(
        (item.kind == ABSOLUTE and item.status == PRESENT)
        or (item.kind == INDICATION and item.status == NOT_MET)
        for item in findings
    ):
        return "not_recommended"
    if any(item.kind == MISSING_INFORMATION for item in findings):
        return "incomplete"
    if any(item.kind == RELATIVE and item.status == PRESENT for item in findings):
        return "specialist_review"
    return "recommended"


def in_listing_order(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Ladder order of kinds, patient-level before per-level; stable, so emission order
    (rule order, levels in input order) is kept within each group."""
    return tuple(sorted(findings, key=attrgetter("order")))


def listed_and_decided(findings: Iterable[Finding]) -> tuple[tuple[Finding, ...], str]:
    """The findings in listing order (``in_listing_order``) and their decision (``decide``)."""
    listed = in_listing_order(findings)
    return listed, decide(listed)
