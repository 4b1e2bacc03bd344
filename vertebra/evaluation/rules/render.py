"""The result as the JSON document of the evaluation API/CLI, and as text for a person.

``result_to_json`` emits exactly the documented keys (docs/clinical/evaluation.md, "The JSON
result"), with the qualifiers the reference requires: Genant ``at_least`` (§3.1), each level's
``of_score`` (§3.3), and on PRE-ANTITHROMBOTIC findings ``earliest_date`` and
``earliest_time`` (§2.5). The rest of the detail (Genant ratios, spinal deformity index, WHO
category) appears in the text form only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vertebra.evaluation.rules.results import (
    ABSENT,
    ABSOLUTE,
    INDICATION,
    MET,
    MISSING_INFORMATION,
    NOT_MET,
    PRECONDITION,
    PRESENT,
    RELATIVE,
    RISK,
    EvaluationResult,
    Finding,
    LevelResult,
)

DECISION_TEXT = {
    "not_recommended": (
        "Not recommended",
        "An absolute contraindication is present, or an indication criterion is known not to "
        "be met.",
    ),
    "incomplete": (
        "Incomplete",
        "No contraindication found so far, but a fact the indication criteria need is missing: "
        "obtain it and evaluate again.",
    ),
    "specialist_review": (
        "Specialist review",
        "Indications met, but a relative contraindication or review flag needs a "
        "multidisciplinary or surgical opinion.",
    ),
    "recommended": (
        "Recommended",
        "Indications met, no contraindication or review flag; preconditions may still apply.",
    ),
}


def finding_to_json(item: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": item.rule,
        "kind": item.kind,
        "status": item.status,
        "level": item.level,
        "message": item.message,
        "source": item.source,
    }
    if item.rule == "PRE-ANTITHROMBOTIC":
        out["earliest_date"] = (
            None if item.earliest_date is None else item.earliest_date.isoformat()
        )
        # Hour-based hold with a last-dose time: not before this time on the earliest date.
        out["earliest_time"] = (
            None if item.earliest_time is None else item.earliest_time.strftime("%H:%M")
        )
    return out


def level_to_json(level: LevelResult) -> dict[str, Any]:
    genant = level.genant
    sins = level.sins
    score = level.of_score
    return {
        "level": level.level,
        "target": level.target,
        "genant": None
        if genant is None
        else {
            "grade": genant.grade,
            "label": genant.label,
            "height_loss_percent": genant.height_loss_percent,
            "morphology": genant.morphology,
            # No reference height: grade and height loss are lower bounds ("at least", §3.1).
            "at_least": genant.at_least,
        },
        "of_type": level.of_type,
        "sins": None
        if sins is None
        else {"total": sins.total, "min": sins.minimum, "max": sins.maximum, "band": sins.band},
        "of_score": None
        if score is None
        else {
            "total": score.total,
            "band": score.band,
            "unknown_items": list(score.unknown_items),
        },
    }


def result_to_json(result: EvaluationResult) -> dict[str, Any]:
    """The documented JSON result; JSON-safe (no Decimal, no dates)."""
    return {
        "decision": result.decision,
        "ruleset_version": result.ruleset_version,
        "findings": [finding_to_json(item) for item in result.findings],
        "levels": [level_to_json(level) for level in result.levels],
    }


def _drives(decision: str, item: Finding) -> bool:
    """Does this finding give the decision its ladder step?"""
    if decision == "not_recommended":
        return (item.kind == ABSOLUTE and item.status == PRESENT) or (
            item.kind == INDICATION and item.status == NOT_MET
        )
    if decision == "incomplete":
        return item.kind == MISSING_INFORMATION
    if decision == "specialist_review":
        return item.kind == RELATIVE and item.status == PRESENT
    return item.kind == INDICATION and item.status == MET


def _line(item: Finding) -> str:
    where = f" ({item.level})" if item.level else ""
    return f"  - {item.rule}{where}, {item.status.replace('_', ' ')}: {item.message}"


def _level_lines(level: LevelResult) -> list[str]:
    role = "target" if level.target else "not a target"
    etiology = level.etiology if level.etiology_recorded else "not recorded (handled as unknown)"
    acuity = level.acuity.replace("_", " ")
    lines = [f"  {level.level}: {role}; acuity {acuity}; etiology {etiology}"]
    genant = level.genant
    if genant is None:
        lines.append("      Genant: not assessable (a height is missing)")
    else:
        bound = "at least " if genant.at_least else ""
        ratios = []
        if genant.ratio_anterior_posterior is not None:
            ratios.append(f"Ha/Hp {genant.ratio_anterior_posterior}")
        if genant.ratio_middle_posterior is not None:
            ratios.append(f"Hm/Hp {genant.ratio_middle_posterior}")
        morphology = genant.morphology or "no deformity"
        if genant.at_least and genant.grade >= 1:
            morphology += " (crush cannot be assessed without the expected height)"
        lines.append(
            f"      Genant grade {bound}{genant.grade} ({genant.label}), height loss {bound}"
            f"{genant.height_loss_percent} %, {morphology}"
            + (f"; {', '.join(ratios)}" if ratios else "")
            + " [GENANT1993]"
        )
    if level.of_applicable:
        of_text = level.of_type or "not determinable (a deciding fact is missing)"
        lines.append(f"      OF type: {of_text} [OF2018]")
        if level.of_score is not None:
            score = level.of_score
            lines.append(
                f"      OF score: {score.total} ({score.band}; unknown items score 0: "
                f"{', '.join(score.unknown_items)}) [OFSCORE2018] (check: not validated)"
            )
    sins = level.sins
    if sins is not None:
        shown = str(sins.total) if sins.total is not None else f"{sins.minimum}–{sins.maximum}"
        band = sins.band or "band open"
        missing = f"; not recorded: {', '.join(sins.missing)}" if sins.missing else ""
        lines.append(f"      SINS {shown} ({band}{missing}) [SINS2010]")
    return lines


def result_to_text(result: EvaluationResult) -> str:
    """The result for a person: the decision, its reasons, then everything else checked."""
    title, meaning = DECISION_TEXT[result.decision]
    out = [f"Decision: {title}", f"  {meaning}", f"Rule set: {result.ruleset_version}", ""]
    reasons = [item for item in result.findings if _drives(result.decision, item)]
    out.append("Reasons for the decision")
    out += [_line(item) for item in reasons] or ["  - none"]
    shown = {id(item) for item in reasons}
    sections: tuple[tuple[str, Callable[[Finding], bool]], ...] = (
        ("Indications", lambda f: f.kind == INDICATION),
        (
            "Contraindications and review flags",
            lambda f: f.kind in (ABSOLUTE, RELATIVE) and f.status != ABSENT,
        ),
        ("Missing information", lambda f: f.kind == MISSING_INFORMATION),
        ("Work-up and preconditions", lambda f: f.kind == PRECONDITION and f.status != ABSENT),
        ("Risk factors (for consent and technique)", lambda f: f.kind == RISK),
        ("Checked, nothing to do", lambda f: f.status == ABSENT),
    )
    for heading, wanted in sections:
        items = [f for f in result.findings if id(f) not in shown and wanted(f)]
        if items:
            out += ["", heading, *(_line(item) for item in items)]
            shown.update(id(item) for item in items)
    out += ["", "Levels"]
    if not result.levels:
        out.append("  none recorded")
    for level in result.levels:
        out += _level_lines(level)
    if result.spinal_deformity_index is not None:
        bound = "at least " if result.spinal_deformity_index_at_least else ""
        out.append(
            f"Spinal deformity index (listed T4–L4 levels): {bound}"
            f"{result.spinal_deformity_index} [GENANT1993]"
        )
    who = result.bone_density
    t_text = "no T-score" if who.t_score is None else f"T-score {who.t_score}"
    category = who.category.replace("_", " ") if who.category else "no category"
    out.append(f"Bone density: {t_text}: {category} ({who.note})")
    out.append("")
    out.append(
        "Decision support only: the physician decides and may record a different decision "
        "with a reason."
    )
    return "\n".join(out) + "\n"
