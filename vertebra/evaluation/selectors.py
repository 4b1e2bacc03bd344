"""Reads of evaluations, shaped for people: findings grouped by kind with full citations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

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
