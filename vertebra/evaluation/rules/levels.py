"""Per-level rules: the relative contraindications evaluated at target levels (§2.4), per-level
work-up (§2.5) and cement-leakage risk (§2.6).

Sources: [LCD], [SIR2014], [ACRPP], [CIRSE2017], [CCP2018], [GENANT1993], [OF2018], [SINS2010],
[LEAK2017], [YEOM2003].
"""

from __future__ import annotations

from vertebra.evaluation.rules import level_messages as msg
from vertebra.evaluation.rules import thresholds as th
from vertebra.evaluation.rules.level_state import ACUTE, NOT_ACUTE, UNKNOWN, LevelState
from vertebra.evaluation.rules.results import (
    ABSENT,
    MISSING,
    MISSING_INFORMATION,
    PRECONDITION,
    PRESENT,
    RELATIVE,
    RISK,
    Finding,
    finding,
)
from vertebra.evaluation.rules.settings import RuleSettings
from vertebra.evaluation.rules.sources import cite

SRC_INDICATION = cite("LCD", "CCP2018", "SIR2014")
SRC_CONTRA = cite("LCD", "SIR2014", "ACRPP", "CIRSE2017")
SRC_INSTABILITY = cite("LCD", "SIR2014", "ACRPP", "CIRSE2017", "OF2018", "SINS2010")
SRC_COLLAPSE = cite("LCD", "SIR2014", "ACRPP", "CIRSE2017", "GENANT1993")
SRC_IMAGING = cite("CCP2018", "CIRSE2017")
SRC_LEAKAGE = cite("LEAK2017", "YEOM2003")


# --- rules --------------------------------------------------------------------------------------


def level_range(state: LevelState) -> Finding:
    """RC-LEVEL-RANGE: an acute level outside T1–L5 [LCD], [CCP2018], [SIR2014]."""
    level = state.level
    if state.in_range or state.acuity == NOT_ACUTE:
        text = msg.range_absent(level, state.in_range)
        return finding("RC-LEVEL-RANGE", RELATIVE, ABSENT, level, SRC_INDICATION, text)
    if state.acuity == ACUTE:
        text = msg.range_present(level)
        return finding("RC-LEVEL-RANGE", RELATIVE, PRESENT, level, SRC_INDICATION, text)
    text = msg.range_missing(level)
    return finding("RC-LEVEL-RANGE", PRECONDITION, MISSING, level, SRC_INDICATION, text)


def _review(rule: str, status: str, state: LevelState, source: str, text: str) -> Finding:
    """A review flag at a target level; at a level that may prove acute, "present" is reported
    as missing (work-up), so an unknown acuity never hides a flag nor raises one."""
    if status == PRESENT and state.potential:
        return finding(rule, PRECONDITION, MISSING, state.level, source, msg.if_acute(text))
    kind = PRECONDITION if status == MISSING else RELATIVE
    return finding(rule, kind, status, state.level, source, text)


def high_energy(state: LevelState) -> Finding:
    """RC-HIGH-ENERGY-TRAUMA: the pathway covers fragility fractures [LCD], [CCP2018]."""
    trauma = state.fracture.high_energy_trauma
    if trauma is None:
        status, text = MISSING, "Ask about the mechanism of injury (high-energy trauma?)."
    elif trauma:
        status = PRESENT
        text = "High-energy trauma: outside the fragility-fracture pathway; specialist opinion."
    else:
        status, text = ABSENT, "No high-energy trauma."
    return _review("RC-HIGH-ENERGY-TRAUMA", status, state, SRC_INDICATION, text)


def retropulsion(state: LevelState, settings: RuleSettings) -> Finding:
    """RC-RETROPULSION: retropulsed fragment, distinct posterior-wall involvement, or canal
    compromise above the setting (default 0: any) [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    fracture = state.fracture
    threshold = settings.canal_compromise_max_percent
    canal = fracture.canal_compromise_percent
    wall = fracture.posterior_wall
    present: list[str] = []
    unknown: list[str] = []
    if fracture.retropulsion is True:
        present.append("retropulsed fragment")
    elif fracture.retropulsion is None:
        unknown.append("retropulsion")
    if wall == "distinct":
        present.append("distinct posterior-wall involvement")
    elif wall is None:
        unknown.append("posterior wall")
    if canal is None:
        unknown.append("canal compromise %")
    elif canal > threshold:
        present.append(f"canal compromise {canal} %")
    status = PRESENT if present else (MISSING if unknown else ABSENT)
    reasons = present or unknown
    text = msg.retropulsion(reasons, status, str(threshold))
    return _review("RC-RETROPULSION", status, state, SRC_CONTRA, text)


def epidural(state: LevelState) -> Finding:
    """RC-EPIDURAL: tumour extension into the epidural space [LCD], [SIR2014], [CIRSE2017]."""
    extension = state.fracture.epidural_extension
    if extension is None:
        status, text = MISSING, "Check MRI for epidural tumour extension."
    elif extension:
        status = PRESENT
        text = "Tumour extends into the epidural space: multidisciplinary/surgical opinion."
    else:
        status, text = ABSENT, "No epidural tumour extension."
    return _review("RC-EPIDURAL", status, state, SRC_CONTRA, text)


def severe_collapse(state: LevelState, settings: RuleSettings) -> Finding:
    """RC-SEVERE-COLLAPSE: height loss ≥ 2/3 of the reference (check; a setting), compared
    exactly; without a reference only the lower bound can make it present [GENANT1993]."""
    genant = state.genant
    numerator, denominator = settings.severe_collapse_fraction
    percent: str | None = None
    at_least = False
    if genant is None:
        status = MISSING
    elif genant.loss_at_least(numerator, denominator):
        status = PRESENT
        percent = str(genant.height_loss_percent)
        at_least = genant.at_least
    elif genant.at_least:
        status = MISSING
        percent = str(genant.height_loss_percent)
        at_least = True
    else:
        status = ABSENT
    text = msg.collapse(status, percent, at_least, settings.severe_collapse_text)
    return _review("RC-SEVERE-COLLAPSE", status, state, SRC_COLLAPSE, text)


def instability(state: LevelState, settings: RuleSettings) -> Finding:
    """RC-INSTABILITY: OF 4/5 (check; a setting) [OF2018], or SINS ≥ 7 at a neoplastic level
    [SINS2010]: present when the SINS minimum is ≥ 7, absent when the maximum is ≤ 6."""
    statuses: list[str] = []
    details: list[str] = []
    sins_missing = False
    if not state.neoplastic:
        possible = state.possible_of
        unstable = possible & settings.instability_types
        if unstable == possible:
            statuses.append(PRESENT)
        elif unstable:
            statuses.append(MISSING)
        else:
            statuses.append(ABSENT)
        types = ", ".join(sorted(possible))
        name = "OF type" if state.of_applicable else "frame (OF criteria)"
        details.append(f"{name} {types}" if len(possible) == 1 else f"{name} one of {types}")
    sins = state.sins
    # SINS ≥ 7 "at a neoplastic level" (§2.4): one given at another level is reported with the
    # level's scores (§3.4) but raises nothing.
    if sins is not None and state.neoplastic:
        if sins.minimum >= th.SINS_CONSULT:
            statuses.append(PRESENT)
        elif sins.maximum < th.SINS_CONSULT:
            statuses.append(ABSENT)
        else:
            statuses.append(MISSING)
            sins_missing = True  # this branch runs at neoplastic levels only
        shown = str(sins.total) if sins.total is not None else f"{sins.minimum}–{sins.maximum}"
        missing = f", not recorded: {', '.join(sins.missing)}" if sins.missing else ""
        details.append(f"SINS {shown}{missing}")
    if PRESENT in statuses:
        status = PRESENT
    elif MISSING in statuses:
        status = MISSING
    else:
        status = ABSENT
    detail = "; ".join(details)
    if status == MISSING and sins_missing:
        # §2.2: a missing SINS component or lesion at a neoplastic (possible) target level is
        # missing information: SINS gates surgical consultation.
        text = msg.instability(MISSING, f"{detail}; complete the SINS")
        return finding(
            "RC-INSTABILITY", MISSING_INFORMATION, MISSING, state.level, SRC_INSTABILITY, text
        )
    text = msg.instability(status, detail)
    return _review("RC-INSTABILITY", status, state, SRC_INSTABILITY, text)


def imaging(state: LevelState, settings: RuleSettings) -> Finding:
    """PRE-IMAGING: unknown acuity → MRI with STIR (bone scan, SPECT/CT or CT when MRI is
    impossible) [CCP2018]; posterior wall unknown at a target level → CT [CIRSE2017] (check)."""
    needs: list[str] = []
    if state.acuity == UNKNOWN:
        if state.neoplastic:
            needs.append(
                "MRI with STIR to show marrow oedema, and the lesion type (lytic, mixed, blastic)"
            )
        else:
            needs.append(
                "MRI with STIR to show marrow oedema (bone scan, SPECT/CT or CT when MRI is "
                "impossible)"
            )
    if (
        state.target
        and settings.ct_when_posterior_wall_unknown
        and state.fracture.posterior_wall is None
    ):
        needs.append("CT to assess the posterior wall")
    status = MISSING if needs else ABSENT
    text = msg.imaging(needs)
    return finding("PRE-IMAGING", PRECONDITION, status, state.level, SRC_IMAGING, text)


def biopsy(state: LevelState) -> Finding:
    """PRE-BIOPSY: etiology unknown (or not recorded), or malignancy suspected → biopsy during
    the procedure. No key of its own in the reference: cites §2.4's sources."""
    if not state.etiology_recorded:
        status, text = (
            PRESENT,
            ("Etiology not recorded (handled as unknown): record it; biopsy during the procedure."),
        )
    elif state.etiology == "unknown":
        status, text = PRESENT, "Etiology unknown: biopsy during the procedure."
    elif state.neoplastic:
        status, text = (
            PRESENT,
            (
                f"Malignancy ({state.etiology}): biopsy during the procedure unless histology is "
                "already confirmed."
            ),
        )
    else:
        status, text = ABSENT, f"Etiology {state.etiology}: no biopsy needed for the decision."
    return finding("PRE-BIOPSY", PRECONDITION, status, state.level, SRC_CONTRA, text)


def leakage(state: LevelState) -> Finding | None:
    """Cement-leakage risk factors at a target level [LEAK2017], [YEOM2003]."""
    fracture = state.fracture
    cleft = bool(fracture.intravertebral_cleft)
    cortical = bool(fracture.cortical_disruption)
    wall = bool(fracture.posterior_wall in ("minor", "distinct") or fracture.retropulsion)
    if not (cleft or cortical or wall):
        return None
    factors: list[str] = []
    if cleft:
        factors.append("intravertebral cleft (OR 1.40) [LEAK2017]")
    if cortical:
        factors.append("cortical disruption (OR 5.56) [LEAK2017]")
    if wall:
        factors.append("posterior-wall involvement: canal leakage [YEOM2003]")
    text = msg.leakage(factors)
    return finding("RISK-CEMENT-LEAKAGE", RISK, PRESENT, state.level, SRC_LEAKAGE, text)
