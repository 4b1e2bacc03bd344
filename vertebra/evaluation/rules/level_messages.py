"""The texts of the per-level findings (levels.py)."""

from __future__ import annotations

from vertebra.evaluation.rules.results import ABSENT, PRESENT


def range_present(level: str) -> str:
    return f"{level} is acute but outside T1–L5: not a target here; needs a specialist opinion."


def range_missing(level: str) -> str:
    return f"{level} is outside T1–L5 and its acuity is unknown: image it before deciding."


def range_absent(level: str, in_range: bool) -> str:
    if in_range:
        return f"{level} lies within T1–L5."
    return f"{level} is outside T1–L5 but not acute."


def if_acute(text: str) -> str:
    return f"If this level proves acute: {text}"


def retropulsion(reasons: list[str], status: str, threshold: str) -> str:
    if status == PRESENT:
        return (
            f"{', '.join(reasons)}: risk of canal leakage or cord compression; "
            "get a surgical or multidisciplinary opinion."
        )
    if status == ABSENT:
        return (
            "No retropulsion, posterior wall not distinctly involved, canal compromise "
            f"≤ {threshold} %."
        )
    return f"Describe on CT/MRI: {', '.join(reasons)} (retropulsion and posterior-wall check)."


def collapse(status: str, percent: str | None, at_least: bool, fraction: str) -> str:
    if status == PRESENT:
        bound = "at least " if at_least else ""
        return (
            f"Severe collapse (vertebra plana): height loss {bound}{percent} %, ≥ {fraction} of "
            "the expected height; technically difficult, get a specialist opinion."
        )
    if status == ABSENT:
        return f"Height loss below {fraction} of the expected height (no vertebra plana)."
    if percent is not None:
        return (
            f"Height loss at least {percent} % without a reference height: measure the expected "
            f"height from the adjacent vertebrae to rule out a collapse ≥ {fraction}."
        )
    return (
        "Vertebral heights incomplete: measure anterior, middle and posterior heights and the "
        f"expected height to rule out a collapse ≥ {fraction}."
    )


def instability(status: str, detail: str) -> str:
    if status == PRESENT:
        return f"Instability: {detail}; surgical consultation before augmentation."
    if status == ABSENT:
        return f"No instability flag: {detail}."
    return f"Instability not assessable: {detail}."


def imaging(needs: list[str]) -> str:
    if not needs:
        return "Imaging sufficient for this level."
    return "; ".join(needs) + "."


def leakage(factors: list[str]) -> str:
    return (
        f"Cement leakage risk factors: {'; '.join(factors)}. Advice: high-viscosity cement, "
        "careful lateral fluoroscopy."
    )
