"""Patient-level indication criteria and review flags (§2.3).

Sources: [LCD], [CCP2018], [SIR2014]; [GENANT1993] for the height item of IND-PAIN-COURSE.
"""

from __future__ import annotations

from vertebra.evaluation.rules import thresholds as th
from vertebra.evaluation.rules.model import CandidateSnapshot
from vertebra.evaluation.rules.results import (
    ABSENT,
    INDICATION,
    MET,
    MISSING,
    MISSING_INFORMATION,
    NOT_MET,
    PRECONDITION,
    PRESENT,
    RELATIVE,
    Finding,
    finding,
)
from vertebra.evaluation.rules.sources import cite

SRC_INDICATION = cite("LCD", "CCP2018", "SIR2014")
SRC_COURSE = cite("LCD", "CCP2018", "SIR2014", "GENANT1993")


class Aggregates:
    """What the level pass learned that patient-level rules need (internal)."""

    __slots__ = (
        "acute",
        "course_applies",
        "height_present",
        "height_unknown",
        "kyphosis_present",
        "kyphosis_unknown",
        "levels_recorded",
        "not_acute",
        "potential",
        "targets",
        "unknown",
    )

    def __init__(self) -> None:
        self.levels_recorded = False
        # Level names, in input order.
        self.acute: tuple[str, ...] = ()
        self.unknown: tuple[str, ...] = ()
        self.not_acute: tuple[str, ...] = ()
        self.targets: tuple[str, ...] = ()
        self.potential: tuple[str, ...] = ()
        # §2.2: with no level recorded the etiology is unknown, so criterion 4 applies.
        self.course_applies = True
        self.height_present = self.height_unknown = False
        self.kyphosis_present = self.kyphosis_unknown = False


# --- §2.3 indications ---------------------------------------------------------------------------


def _msg_acute(levels: tuple[str, ...]) -> str:
    return f"Acute fracture on imaging at {', '.join(levels)}."


def _msg_acuity_unknown(levels: tuple[str, ...]) -> str:
    return (
        f"Acuity unknown at {', '.join(levels)}: obtain MRI with STIR (bone scan, SPECT/CT "
        "or CT when MRI is impossible)."
    )


_NO_LEVEL_RECORDED = finding(
    "IND-ACUTE-FRACTURE",
    MISSING_INFORMATION,
    MISSING,
    None,
    SRC_INDICATION,
    "No fracture level recorded: record the imaged levels and their acuity (MRI with STIR).",
)
_NO_LEVEL_ACUTE = finding(
    "IND-ACUTE-FRACTURE",
    INDICATION,
    NOT_MET,
    None,
    SRC_INDICATION,
    "No level is acute on imaging: augmentation is not indicated.",
)


def acute_fracture(agg: Aggregates) -> Finding:
    """IND-ACUTE-FRACTURE: at least one acute level (any region) [LCD], [CCP2018], [SIR2014]."""
    rule = "IND-ACUTE-FRACTURE"
    if agg.acute:
        return finding(rule, INDICATION, MET, None, SRC_INDICATION, _msg_acute(agg.acute))
    if not agg.levels_recorded:
        return _NO_LEVEL_RECORDED
    if agg.unknown:
        text = _msg_acuity_unknown(agg.unknown)
        return finding(rule, MISSING_INFORMATION, MISSING, None, SRC_INDICATION, text)
    return _NO_LEVEL_ACUTE


def _msg_severity(nrs: int, hospitalized: bool | None) -> str:
    if nrs >= th.NRS_SEVERE:
        return f"Pain NRS {nrs}: severe (≥ 8 meets the criterion in or out of hospital)."
    if nrs < th.NRS_OUTPATIENT:
        return f"Pain NRS {nrs}: below the threshold (≥ 5 outpatient, ≥ 8 in hospital)."
    if hospitalized is None:
        return (
            f"Pain NRS {nrs}: record whether the patient is hospitalised (threshold ≥ 8 in "
            "hospital, ≥ 5 outpatient)."
        )
    if hospitalized:
        return f"Pain NRS {nrs} in hospital: the threshold for inpatients is ≥ 8."
    return f"Pain NRS {nrs} as an outpatient: meets the threshold of ≥ 5."


_NRS_NOT_RECORDED = finding(
    "IND-PAIN-SEVERITY",
    MISSING_INFORMATION,
    MISSING,
    None,
    SRC_INDICATION,
    "Pain severity not recorded: record the NRS (0–10) at the fracture.",
)


def pain_severity(snapshot: CandidateSnapshot) -> Finding:
    """IND-PAIN-SEVERITY: NRS ≥ 8 if hospitalized, ≥ 5 if not; ≥ 8 met whatever
    ``hospitalized`` says; ≤ 4 not met [LCD], [CCP2018], [SIR2014]."""
    nrs = snapshot.pain.nrs
    if nrs is None:
        return _NRS_NOT_RECORDED
    hospitalized = snapshot.patient.hospitalized
    if nrs >= th.NRS_SEVERE:
        kind, status = INDICATION, MET
    elif nrs < th.NRS_OUTPATIENT:
        kind, status = INDICATION, NOT_MET
    elif hospitalized is None:
        kind, status = MISSING_INFORMATION, MISSING
    elif hospitalized:
        kind, status = INDICATION, NOT_MET
    else:
        kind, status = INDICATION, MET
    text = _msg_severity(nrs, hospitalized)
    return finding("IND-PAIN-SEVERITY", kind, status, None, SRC_INDICATION, text)


def _msg_care(tried: bool | None, failures: tuple[str, ...]) -> str:
    listed = "; ".join(failures)
    if tried is True:
        extra = f" Failure of medical therapy: {listed}." if failures else ""
        return f"Optimal non-surgical management was given.{extra}"
    if failures:
        return f"Failure of medical therapy: {listed}. Confirm that analgesia was given."
    if tried is False:
        return (
            "Optimal non-surgical management not yet tried (analgesics, activity "
            "modification, bracing, physical therapy) and no failure of medical therapy "
            "recorded."
        )
    return (
        "Record whether optimal non-surgical management was tried, or which failure of "
        "medical therapy occurred."
    )


_NON_AMBULATORY = "non-ambulatory because of pain despite 24 h of analgesia"
_PT_INTOLERABLE = "physical therapy intolerable because of pain"
_SIDE_EFFECTS = "unacceptable analgesic side effects"


def conservative_care(snapshot: CandidateSnapshot) -> Finding:
    """IND-CONSERVATIVE-CARE: optimal non-surgical management tried, or a [SIR2014] failure of
    medical therapy [LCD], [CCP2018], [SIR2014]."""
    care = snapshot.conservative_care
    failures: tuple[str, ...] = ()
    if care.non_ambulatory_due_to_pain:
        failures += (_NON_AMBULATORY,)
    if care.physical_therapy_intolerable:
        failures += (_PT_INTOLERABLE,)
    if care.analgesic_side_effects:
        failures += (_SIDE_EFFECTS,)
    tried = care.tried
    if tried is True or failures:
        kind, status = INDICATION, MET
    elif tried is False:
        kind, status = INDICATION, NOT_MET
    else:
        kind, status = MISSING_INFORMATION, MISSING
    text = _msg_care(tried, failures)
    return finding("IND-CONSERVATIVE-CARE", kind, status, None, SRC_INDICATION, text)


def pain_course(snapshot: CandidateSnapshot, agg: Aggregates) -> Finding | None:
    """IND-PAIN-COURSE (criterion 4; not applied to metastasis, myeloma, haemangioma): worsening
    pain; or stable pain with NRS ≥ 5 and ≥ 2 of height loss > 25 %, kyphotic deformity,
    RMDQ > 17 [LCD], [CCP2018], [SIR2014], [GENANT1993]."""
    if not agg.course_applies:
        return None
    trend = snapshot.pain.trend
    if trend is None:
        return _TREND_MISSING
    if trend == "worsening":
        return _WORSENING
    if trend == "improving":
        return _IMPROVING
    return _stable_course(snapshot, agg)


_TREND_MISSING = finding(
    "IND-PAIN-COURSE",
    MISSING_INFORMATION,
    MISSING,
    None,
    SRC_COURSE,
    "Record the pain trend under non-surgical management (worsening, stable or improving).",
)
_WORSENING = finding(
    "IND-PAIN-COURSE",
    INDICATION,
    MET,
    None,
    SRC_COURSE,
    "Pain worsening despite non-surgical management.",
)
_IMPROVING = finding(
    "IND-PAIN-COURSE",
    INDICATION,
    NOT_MET,
    None,
    SRC_COURSE,
    "Pain improving under non-surgical management (see CI-IMPROVING).",
)


def _stable_course(snapshot: CandidateSnapshot, agg: Aggregates) -> Finding:
    """IND-PAIN-COURSE with stable pain: ≥ 2 items present → met; present + unknown < 2 → not
    met; otherwise missing. An item is present when it holds at any target level."""
    rule = "IND-PAIN-COURSE"
    nrs = snapshot.pain.nrs
    rmdq = snapshot.function.rmdq
    present: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    if agg.height_present:
        present += (_HEIGHT_ITEM,)
    elif agg.height_unknown:
        unknown += (_HEIGHT_ITEM,)
    if agg.kyphosis_present:
        present += (_KYPHOSIS_ITEM,)
    elif agg.kyphosis_unknown:
        unknown += (_KYPHOSIS_ITEM,)
    if rmdq is None:
        unknown += (_RMDQ_ITEM,)
    elif rmdq > th.RMDQ_ITEM_ABOVE:
        present += (_RMDQ_ITEM,)
    if nrs is not None and nrs < th.COURSE_NRS:
        kind, status = INDICATION, NOT_MET
    elif nrs is not None and len(present) >= th.COURSE_ITEMS_NEEDED:
        kind, status = INDICATION, MET
    elif len(present) + len(unknown) < th.COURSE_ITEMS_NEEDED:
        kind, status = INDICATION, NOT_MET
    else:
        kind, status = MISSING_INFORMATION, MISSING
    return finding(rule, kind, status, None, SRC_COURSE, _msg_stable(nrs, present, unknown))


_HEIGHT_ITEM = "height loss > 25 %"
_KYPHOSIS_ITEM = "kyphotic deformity"
_RMDQ_ITEM = "RMDQ > 17"


def _msg_stable(nrs: int | None, present: tuple[str, ...], unknown: tuple[str, ...]) -> str:
    facts = f"present: {', '.join(present) or 'none'}" + (
        f"; not known: {', '.join(unknown)}" if unknown else ""
    )
    if nrs is not None and nrs < th.COURSE_NRS:
        return f"Stable pain with NRS {nrs}: stable pain needs NRS ≥ 5."
    if nrs is not None and len(present) >= th.COURSE_ITEMS_NEEDED:
        return f"Stable pain, NRS {nrs}, with two or more items ({facts})."
    if len(present) + len(unknown) < th.COURSE_ITEMS_NEEDED:
        return f"Stable pain without two of height loss > 25 %, kyphosis, RMDQ > 17 ({facts})."
    need = "record the pain NRS; " if nrs is None else ""
    return f"Stable pain: {need}complete the items ({facts})."


_AGE_MISSING = finding(
    "RC-AGE-UNDER-18", PRECONDITION, MISSING, None, SRC_INDICATION, "Record the patient's age."
)
_ADULT = finding("RC-AGE-UNDER-18", RELATIVE, ABSENT, None, SRC_INDICATION, "Adult patient.")


def age_under_18(snapshot: CandidateSnapshot) -> Finding:
    """RC-AGE-UNDER-18 [LCD], [CCP2018], [SIR2014]."""
    age = snapshot.patient.age_years
    if age is None:
        return _AGE_MISSING
    if age < th.ADULT_AGE:
        text = f"Age {age}: under 18, outside the adult pathway; specialist opinion."
        return finding("RC-AGE-UNDER-18", RELATIVE, PRESENT, None, SRC_INDICATION, text)
    return _ADULT
