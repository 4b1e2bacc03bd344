"""Acuity and target of a level (§2.2) and its grades (§3), computed once per level.

Sources: [LCD], [CCP2018], [SIR2014] (acuity, target T1–L5); [GENANT1993]; [OF2018];
[SINS2010].
"""

from __future__ import annotations

from vertebra.evaluation.rules import model, scores
from vertebra.evaluation.rules.model import FractureFacts

ACUTE, NOT_ACUTE, UNKNOWN = "acute", "not_acute", "unknown"
_NO_SINS_FACTS = model.SinsFacts()


def acuity(fracture: FractureFacts, neoplastic: bool) -> str:
    """§2.2: MRI oedema decides when recorded, else bone-scan uptake, else unknown. For
    metastasis and myeloma a lytic or mixed lesion is acute whatever the oedema fields say.

    Conservative readings (docs/clinical/evaluation.md, Interpretations): without MRI, bone-scan
    uptake at a blastic lesion leaves acuity unknown (uptake does not tell a blastic lesion from
    a fracture), while no uptake is "not acute" as at any level; with the lesion type unknown, a
    neoplastic level without oedema may still be lytic, so its acuity is unknown rather than
    "not acute".
    """
    oedema: bool | None = fracture.mri_oedema
    if neoplastic:
        lesion = fracture.lesion
        if lesion in ("lytic", "mixed") or oedema is True:
            return ACUTE
        if lesion == "blastic" and (
            oedema is False or (oedema is None and fracture.bone_scan_uptake is False)
        ):
            return NOT_ACUTE
        return UNKNOWN
    if oedema is not None:
        return ACUTE if oedema else NOT_ACUTE
    uptake = fracture.bone_scan_uptake
    if uptake is not None:
        return ACUTE if uptake else NOT_ACUTE
    return UNKNOWN


class LevelState:
    """Working facts of one level during an evaluation (internal, built once per level)."""

    __slots__ = (
        "acuity",
        "course",
        "etiology",
        "etiology_recorded",
        "fracture",
        "genant",
        "in_range",
        "level",
        "neoplastic",
        "of_applicable",
        "possible_of",
        "potential",
        "sins",
        "target",
    )

    def __init__(self, fracture: FractureFacts) -> None:
        self.fracture = fracture
        self.level = level = fracture.level
        recorded = fracture.etiology
        # An etiology that was not recorded is handled as "unknown" (and flagged by PRE-BIOPSY).
        self.etiology_recorded = recorded is not None
        self.etiology = etiology = recorded or "unknown"
        self.neoplastic = neoplastic = etiology in model.NEOPLASTIC_ETIOLOGIES
        self.course = etiology not in model.NO_COURSE_ETIOLOGIES
        self.of_applicable = etiology in model.OF_ETIOLOGIES
        self.acuity = level_acuity = acuity(fracture, neoplastic)
        self.in_range = in_range = level in model.TREATABLE_LEVELS
        self.target = in_range and level_acuity == ACUTE
        # A level that may prove acute: its findings are reported as missing, never dropped.
        self.potential = in_range and level_acuity == UNKNOWN
        self.genant = genant = scores.genant(fracture.heights_mm)
        self.possible_of = (
            frozenset()
            if neoplastic
            else scores.possible_of_types(
                fracture.tension_band_failure,
                fracture.both_endplates,
                scores.is_deformed(genant),
                fracture.posterior_wall,
                fracture.mri_oedema,
            )
        )
        # §3.4: computed at every metastasis or myeloma level, at others only when given
        # (RC-INSTABILITY reads it at the first only).
        sins_facts = fracture.sins
        if neoplastic or sins_facts is not None:
            sins_facts = sins_facts or _NO_SINS_FACTS
            self.sins: scores.SinsResult | None = scores.sins(
                level,
                fracture.lesion,
                sins_facts.pain,
                sins_facts.alignment,
                sins_facts.collapse,
                sins_facts.posterolateral,
            )
        else:
            self.sins = None
