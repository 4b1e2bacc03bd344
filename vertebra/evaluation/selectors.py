"""Reads of evaluations, shaped for people: findings grouped by kind with full citations."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from vertebra.core.timeutil import clinic_zone
from vertebra.evaluation import rules
from vertebra.evaluation.models import Evaluation, RuleSettingsVersion
from vertebra.evaluation.snapshot import snapshot_loads

KIND_ORDER: tuple[tuple[str, str], ...] = (
    ("absolute_contraindication", "Absolute contraindications"),
    ("indication", "Indications"),
    ("relative_contraindication", "Review flags and relative contraindications"),
    ("missing_information", "Missing information"),
    ("precondition", "Work-up and preconditions"),
    ("risk", "Risk factors"),
)


def evaluation_get(*, public_id: Any) -> Evaluation | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        Evaluation.objects.select_related(
            "patient", "referral", "evaluated_by", "final_decision__decided_by"
        )
        .filter(public_id=key)
        .first()
    )


def patient_evaluations(*, patient_id: int) -> list[Evaluation]:
    return list(
        Evaluation.objects.filter(patient_id=patient_id)
        .select_related("evaluated_by", "final_decision__decided_by", "referral")
        .order_by("-created_at", "-id")
    )


@dataclass
class FindingGroup:
    kind: str
    title: str
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def notable(self) -> list[dict[str, Any]]:
        """What needs reading: everything but contraindications checked and found absent."""
        return [f for f in self.findings if f["status"] != "absent"]

    @property
    def absent(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["status"] == "absent"]


@dataclass
class EvaluationView:
    decision: str
    groups: list[FindingGroup]
    workup: list[dict[str, Any]]
    risks: list[dict[str, Any]]
    levels: list[dict[str, Any]]
    citations: list[tuple[str, str]]
    text: str


def evaluation_view(evaluation: Evaluation) -> EvaluationView:
    result = evaluation.result
    findings = result["findings"]
    groups = []
    for kind, title in KIND_ORDER:
        items = [f for f in findings if f["kind"] == kind]
        if items:
            groups.append(FindingGroup(kind, title, items))
    keys: list[str] = []
    for finding in findings:
        for key in _source_keys(finding["source"]):
            if key not in keys:
                keys.append(key)
    text = rules.result_to_text(
        rules.evaluate(
            rules.parse_snapshot(snapshot_loads(evaluation.snapshot)),
            rules.RuleSettings.from_dict(evaluation.settings_used),
        )
    )
    return EvaluationView(
        decision=result["decision"],
        groups=groups,
        workup=[
            f
            for f in findings
            if f["kind"] in {"precondition", "missing_information"}
            and f["status"] in {"present", "missing"}
        ],
        risks=[f for f in findings if f["kind"] == "risk"],
        levels=result["levels"],
        citations=[(k, rules.SOURCES.get(k, "")) for k in keys],
        text=text,
    )


def _source_keys(source: str) -> list[str]:
    """'[LCD], [SIR2014]' or 'LCD; SIR2014' → ['LCD', 'SIR2014']."""
    cleaned = source.replace("[", " ").replace("]", " ").replace(";", ",").replace("/", ",")
    return [part.strip() for part in cleaned.split(",") if part.strip() in rules.SOURCES]


def rule_settings_history(limit: int = 20) -> list[RuleSettingsVersion]:
    return list(RuleSettingsVersion.objects.select_related("saved_by").order_by("-id")[:limit])


# --- The antithrombotic hold of a referral (clinical-reference §2.5 PRE-ANTITHROMBOTIC) --------

NO_EVALUATION = "No evaluation yet: the antithrombotic hold could not be checked."
NO_REFERRAL = "No referral: the antithrombotic hold could not be checked."


def long_date(day: dt.date) -> str:
    """'11 December 2026'."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class AntithromboticHold:
    """What the referral's latest stored evaluation says about antithrombotic holds
    [ASRA2018]: the earliest safe moment (clinic time; the latest of all listed drugs' holds),
    the hold(s) that set it, and why the hold could not be checked, if it could not. Missing
    facts are reported, never taken as "no hold"."""

    evaluated_on: dt.date | None
    earliest: dt.datetime | None
    reasons: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """The line the booking pages show."""
        if self.unknown:
            return "The antithrombotic hold could not be checked: " + " ".join(self.unknown)
        if self.earliest is None:
            return "No antithrombotic hold applies (from the latest evaluation)."
        local = self.earliest.astimezone(clinic_zone())
        at = f" from {local:%H:%M}" if local.time() != dt.time(0) else ""
        return f"Earliest safe date {long_date(local.date())}{at}: {'; '.join(self.reasons)}"

    def problem(self, starts_at: dt.datetime) -> str | None:
        """Why a procedure may not start at ``starts_at`` (None when the hold allows it)."""
        if self.unknown:
            return self.explanation
        if self.earliest is not None and starts_at < self.earliest:
            when = starts_at.astimezone(clinic_zone())
            return (
                f"Too early for the antithrombotic hold: {self.explanation}; this procedure "
                f"would start {long_date(when.date())} {when:%H:%M}."
            )
        return None


def _hold_name(finding: dict[str, Any]) -> str:
    """'Hold aspirin 6 days [ASRA2018]' from the finding's message and source."""
    head = str(finding.get("message", "")).split(":", 1)[0].strip()
    source = str(finding.get("source", "")).strip()
    return f"{head} {source}".strip()


def antithrombotic_hold(*, referral: Any) -> AntithromboticHold:
    """The hold of ``referral`` (a patients.Referral, or None) from its latest evaluation."""
    if referral is None:
        return AntithromboticHold(None, None, unknown=(NO_REFERRAL,))
    evaluation = Evaluation.objects.filter(referral=referral).order_by("-created_at", "-id").first()
    if evaluation is None:
        return AntithromboticHold(None, None, unknown=(NO_EVALUATION,))
    zone = clinic_zone()
    earliest: dt.datetime | None = None
    reasons: list[str] = []
    unknown: list[str] = []
    findings = [
        f for f in evaluation.result.get("findings", []) if f.get("rule") == "PRE-ANTITHROMBOTIC"
    ]
    if not findings:
        unknown.append(
            f"The evaluation of {evaluation.evaluated_on:%Y-%m-%d} has no antithrombotic "
            "finding: evaluate again."
        )
    for finding in findings:
        day = finding.get("earliest_date")
        if day is None:
            if finding.get("status") != "absent":  # "No antithrombotic medication" is absent
                unknown.append(str(finding.get("message", "")))
            continue
        at = finding.get("earliest_time")
        moment = dt.datetime.combine(
            dt.date.fromisoformat(day),
            dt.time.fromisoformat(at) if at else dt.time(0),
            tzinfo=zone,
        )
        if earliest is None or moment > earliest:
            earliest, reasons = moment, [_hold_name(finding)]
        elif moment == earliest:
            reasons.append(_hold_name(finding))
    return AntithromboticHold(evaluation.evaluated_on, earliest, tuple(reasons), tuple(unknown))
