"""Patient-level contraindications and review flags (§2.4), evaluated once per patient.

Sources: [LCD], [SIR2014], [ACRPP], [CIRSE2017]; CI-PREGNANCY [LCD] (L38213 relative: a
setting); CI-ALLERGY [ACRPP]/[CIRSE2017] absolute, [LCD] relative (a setting); RC-LEVELS [LCD];
RC-NO-BACKUP [ACRPP] (check).
"""

from __future__ import annotations

from vertebra.evaluation.rules import thresholds as th
from vertebra.evaluation.rules.model import CandidateSnapshot
from vertebra.evaluation.rules.patient import Aggregates
from vertebra.evaluation.rules.results import (
    ABSENT,
    ABSOLUTE,
    MISSING,
    MISSING_INFORMATION,
    PRECONDITION,
    PRESENT,
    RELATIVE,
    Finding,
    finding,
)
from vertebra.evaluation.rules.settings import RuleSettings
from vertebra.evaluation.rules.sources import cite

SRC_CONTRA = cite("LCD", "SIR2014", "ACRPP", "CIRSE2017")
SRC_PREGNANCY = cite("LCD")
SRC_ALLERGY = cite("ACRPP", "CIRSE2017", "LCD")
SRC_LEVELS = cite("LCD")
SRC_BACKUP = cite("ACRPP")


class _Flag:
    """The three findings of a yes/no contraindication with fixed texts: present / absent /
    missing (work-up, never the decision). Built once at import."""

    __slots__ = ("absent", "missing", "present")

    def __init__(self, rule: str, kind: str, source: str, texts: tuple[str, str, str]) -> None:
        self.present = finding(rule, kind, PRESENT, None, source, texts[0])
        self.absent = finding(rule, kind, ABSENT, None, source, texts[1])
        self.missing = finding(rule, PRECONDITION, MISSING, None, source, texts[2])

    def pick(self, value: bool | None) -> Finding:
        if value is None:
            return self.missing
        return self.present if value else self.absent


def _by_kind(rule: str, source: str, texts: tuple[str, str, str]) -> dict[str, _Flag]:
    """The flag's findings for either kind a setting can give it."""
    return {kind: _Flag(rule, kind, source, texts) for kind in (ABSOLUTE, RELATIVE)}


def pain_not_fracture(snapshot: CandidateSnapshot) -> Finding:
    """CI-PAIN-NOT-FRACTURE: pain not attributable to the fracture, or an asymptomatic fracture
    (NRS 0) [LCD], [SIR2014], [ACRPP], [CIRSE2017]. Missing → missing information (§2.2)."""
    attributable = snapshot.pain.attributable_to_fracture
    if attributable is False:
        return _NOT_ATTRIBUTABLE
    if snapshot.pain.nrs == 0:
        return _ASYMPTOMATIC
    if attributable is None:
        return _ATTRIBUTION_MISSING
    return _ATTRIBUTABLE


_NOT_ATTRIBUTABLE = finding(
    "CI-PAIN-NOT-FRACTURE",
    ABSOLUTE,
    PRESENT,
    None,
    SRC_CONTRA,
    "Pain is not attributable to the imaged fracture: look for another cause.",
)
_ASYMPTOMATIC = finding(
    "CI-PAIN-NOT-FRACTURE",
    ABSOLUTE,
    PRESENT,
    None,
    SRC_CONTRA,
    "Asymptomatic fracture (NRS 0): augmentation is not indicated.",
)
_ATTRIBUTION_MISSING = finding(
    "CI-PAIN-NOT-FRACTURE",
    MISSING_INFORMATION,
    MISSING,
    None,
    SRC_CONTRA,
    "Confirm the pain is focal and concordant with the imaged level (tenderness over the level).",
)
_ATTRIBUTABLE = finding(
    "CI-PAIN-NOT-FRACTURE",
    ABSOLUTE,
    ABSENT,
    None,
    SRC_CONTRA,
    "Pain is attributable to the imaged fracture.",
)


def improving(snapshot: CandidateSnapshot) -> Finding:
    """CI-IMPROVING: improving steadily on medical therapy
    [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    trend = snapshot.pain.trend
    if trend is None:
        return _IMPROVING_MISSING
    if trend == "improving":
        return _IMPROVING_PRESENT
    return finding(
        "CI-IMPROVING", ABSOLUTE, ABSENT, None, SRC_CONTRA, f"Pain {trend}, not improving."
    )


_IMPROVING_PRESENT = finding(
    "CI-IMPROVING",
    ABSOLUTE,
    PRESENT,
    None,
    SRC_CONTRA,
    "Pain is improving steadily on medical therapy: continue it.",
)
_IMPROVING_MISSING = finding(
    "CI-IMPROVING",
    PRECONDITION,
    MISSING,
    None,
    SRC_CONTRA,
    "Ask about the pain trend under medical therapy.",
)


def no_acute_fracture(agg: Aggregates) -> Finding:
    """CI-NO-ACUTE-FRACTURE: levels recorded and every one known not acute (prophylaxis is not
    an indication) [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    if agg.acute:
        return _SOME_ACUTE
    if agg.levels_recorded and not agg.unknown:
        return finding(
            "CI-NO-ACUTE-FRACTURE",
            ABSOLUTE,
            PRESENT,
            None,
            SRC_CONTRA,
            f"No acute fracture ({', '.join(agg.not_acute)} not acute): prophylactic "
            "augmentation is not an indication.",
        )
    return _ACUITY_NOT_ESTABLISHED


_SOME_ACUTE = finding(
    "CI-NO-ACUTE-FRACTURE", ABSOLUTE, ABSENT, None, SRC_CONTRA, "At least one level is acute."
)
_ACUITY_NOT_ESTABLISHED = finding(
    "CI-NO-ACUTE-FRACTURE",
    PRECONDITION,
    MISSING,
    None,
    SRC_CONTRA,
    "Acuity not established: image the levels (MRI with STIR).",
)


def infection(snapshot: CandidateSnapshot) -> Finding:
    """CI-INFECTION: infection at a target level or untreated systemic infection
    [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    facts = snapshot.infection
    if facts.local is True or facts.systemic is True:
        return _LOCAL_INFECTION if facts.local else _SYSTEMIC_INFECTION
    if facts.local is False and facts.systemic is False:
        return _NO_INFECTION
    return _INFECTION_MISSING


def _active_infection(where: str) -> Finding:
    return finding(
        "CI-INFECTION",
        ABSOLUTE,
        PRESENT,
        None,
        SRC_CONTRA,
        f"Active infection ({where}): treat it first.",
    )


_LOCAL_INFECTION = _active_infection("osteomyelitis/discitis at the target level")
_SYSTEMIC_INFECTION = _active_infection("untreated systemic infection")
_NO_INFECTION = finding(
    "CI-INFECTION", ABSOLUTE, ABSENT, None, SRC_CONTRA, "No local or systemic infection."
)
_INFECTION_MISSING = finding(
    "CI-INFECTION",
    PRECONDITION,
    MISSING,
    None,
    SRC_CONTRA,
    "Screen for infection at the target level and systemic infection (sepsis, bacteraemia).",
)


def coagulopathy(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding:
    """CI-COAGULOPATHY: uncorrectable coagulopathy [LCD], [SIR2014], [ACRPP], [CIRSE2017].
    With ``correctable`` unknown, INR and platelets both within target mean no coagulopathy."""
    coagulation = snapshot.coagulation
    correctable = coagulation.correctable
    if correctable is False:
        return _UNCORRECTABLE
    if correctable is True:
        return _CORRECTABLE
    inr, platelets = coagulation.inr, coagulation.platelets_10e9_per_l
    if (
        inr is not None
        and platelets is not None
        and inr <= settings.inr_max
        and platelets >= settings.platelets_min
    ):
        return _WITHIN_TARGET
    return _CORRECTABLE_MISSING


_UNCORRECTABLE = finding(
    "CI-COAGULOPATHY", ABSOLUTE, PRESENT, None, SRC_CONTRA, "Uncorrectable coagulopathy."
)
_CORRECTABLE = finding(
    "CI-COAGULOPATHY", ABSOLUTE, ABSENT, None, SRC_CONTRA, "Any coagulopathy is correctable."
)
_WITHIN_TARGET = finding(
    "CI-COAGULOPATHY",
    ABSOLUTE,
    ABSENT,
    None,
    SRC_CONTRA,
    "INR and platelets within target: no coagulopathy.",
)
_CORRECTABLE_MISSING = finding(
    "CI-COAGULOPATHY",
    PRECONDITION,
    MISSING,
    None,
    SRC_CONTRA,
    "Record whether any coagulopathy is correctable.",
)


def pregnancy_test_needed(snapshot: CandidateSnapshot) -> bool:
    """Pregnancy unknown, sex not male, age < 55 or unknown (§2.5 PRE-PREGNANCY-TEST)."""
    patient = snapshot.patient
    return (
        patient.pregnant is None
        and patient.sex != "male"
        and (patient.age_years is None or patient.age_years < th.PREGNANCY_TEST_BELOW_AGE)
    )


def pregnancy(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding:
    """CI-PREGNANCY: absolute in most LCDs, relative in L38213: a setting [LCD]."""
    kind = ABSOLUTE if settings.pregnancy_contraindication == "absolute" else RELATIVE
    pregnant = snapshot.patient.pregnant
    if pregnant is None and not pregnancy_test_needed(snapshot):
        return _PREGNANCY_NOT_APPLICABLE[kind]
    return _PREGNANCY[kind].pick(pregnant)


_PREGNANCY = _by_kind(
    "CI-PREGNANCY",
    SRC_PREGNANCY,
    (
        "Pregnant: radiation and cement exposure.",
        "Not pregnant.",
        "Pregnancy status unknown: pregnancy test (PRE-PREGNANCY-TEST).",
    ),
)
_PREGNANCY_NOT_APPLICABLE = {
    kind: finding(
        "CI-PREGNANCY",
        kind,
        ABSENT,
        None,
        SRC_PREGNANCY,
        "Pregnancy not applicable (male, or aged 55 or more).",
    )
    for kind in (ABSOLUTE, RELATIVE)
}


def allergy(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding:
    """CI-ALLERGY: allergy to the bone cement or its opacifier ([ACRPP]/[CIRSE2017] absolute,
    [LCD] relative: a setting)."""
    kind = ABSOLUTE if settings.pmma_allergy_contraindication == "absolute" else RELATIVE
    return _ALLERGY[kind].pick(snapshot.allergies.pmma)


_ALLERGY = _by_kind(
    "CI-ALLERGY",
    SRC_ALLERGY,
    (
        "Allergy to the bone cement (PMMA) or its radiopaque opacifier.",
        "No bone-cement allergy.",
        "Ask about allergy to bone cement (PMMA) and its opacifier.",
    ),
)


def _msg_neuro(status: str, names: list[str]) -> str:
    if status == PRESENT:
        return f"{', '.join(names).capitalize()} attributable to the fracture: surgical opinion."
    if status == MISSING:
        return f"Examine for {', '.join(names)}."
    return "No radicular pain, deficit or myelopathy."


_NEURO_SIGNS = ("radicular pain", "neurological deficit", "myelopathy")


def neuro(snapshot: CandidateSnapshot) -> Finding:
    """RC-NEURO: radicular pain, neurological deficit or myelopathy attributable to the fracture
    [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    signs = (snapshot.pain.radicular, snapshot.neuro.deficit, snapshot.neuro.myelopathy)
    present = [name for name, sign in zip(_NEURO_SIGNS, signs, strict=True) if sign is True]
    unknown = [name for name, sign in zip(_NEURO_SIGNS, signs, strict=True) if sign is None]
    if present:
        kind, status, names = RELATIVE, PRESENT, present
    elif unknown:
        kind, status, names = PRECONDITION, MISSING, unknown
    else:
        kind, status, names = RELATIVE, ABSENT, []
    return finding("RC-NEURO", kind, status, None, SRC_CONTRA, _msg_neuro(status, names))


def _msg_levels(targets: int, possible: int) -> str:
    if targets > th.MAX_LEVELS_PER_SESSION:
        return (
            f"{targets} target levels: more than 3 in one session needs a reason and a "
            "specialist opinion."
        )
    if possible > th.MAX_LEVELS_PER_SESSION:
        return (
            f"{targets} target levels known, up to {possible} if the levels of unknown "
            "acuity prove acute: image them."
        )
    return f"{targets} target level{'s' if targets != 1 else ''} (at most 3)."


def levels_count(agg: Aggregates) -> Finding:
    """RC-LEVELS: more than 3 target levels in one session [LCD]; missing when the known targets
    are ≤ 3 but targets plus unknown-acuity levels exceed 3."""
    targets, possible = len(agg.targets), len(agg.targets) + len(agg.potential)
    if targets > th.MAX_LEVELS_PER_SESSION:
        kind, status = RELATIVE, PRESENT
    elif possible > th.MAX_LEVELS_PER_SESSION:
        kind, status = PRECONDITION, MISSING
    else:
        kind, status = RELATIVE, ABSENT
    return finding("RC-LEVELS", kind, status, None, SRC_LEVELS, _msg_levels(targets, possible))


def backup(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding | None:
    """RC-NO-BACKUP: no surgical back-up available [ACRPP] (check; a setting)."""
    if not settings.surgical_backup_required:
        return None
    available = snapshot.surgical_backup_available
    return _BACKUP.pick(None if available is None else not available)


_BACKUP = _Flag(
    "RC-NO-BACKUP",
    RELATIVE,
    SRC_BACKUP,
    (
        "No surgical back-up available.",
        "Surgical back-up available.",
        "Confirm surgical back-up is available.",
    ),
)
