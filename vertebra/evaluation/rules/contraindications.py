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


def _text(text: str) -> str:
    return text


def _flag(
    rule: str, kind: str, value: bool | None, source: str, texts: tuple[str, str, str]
) -> Finding:
    """A yes/no contraindication: present / absent / missing (work-up, never the decision)."""
    if value is None:
        return finding(rule, PRECONDITION, MISSING, None, source, _text, texts[2])
    if value:
        return finding(rule, kind, PRESENT, None, source, _text, texts[0])
    return finding(rule, kind, ABSENT, None, source, _text, texts[1])


def pain_not_fracture(snapshot: CandidateSnapshot) -> Finding:
    """CI-PAIN-NOT-FRACTURE: pain not attributable to the fracture, or an asymptomatic fracture
    (NRS 0) [LCD], [SIR2014], [ACRPP], [CIRSE2017]. Missing → missing information (§2.2)."""
    rule = "CI-PAIN-NOT-FRACTURE"
    attributable = snapshot.pain.attributable_to_fracture
    if attributable is False:
        return finding(
            rule,
            ABSOLUTE,
            PRESENT,
            None,
            SRC_CONTRA,
            _text,
            "Pain is not attributable to the imaged fracture: look for another cause.",
        )
    if snapshot.pain.nrs == 0:
        return finding(
            rule,
            ABSOLUTE,
            PRESENT,
            None,
            SRC_CONTRA,
            _text,
            "Asymptomatic fracture (NRS 0): augmentation is not indicated.",
        )
    if attributable is None:
        return finding(
            rule,
            MISSING_INFORMATION,
            MISSING,
            None,
            SRC_CONTRA,
            _text,
            "Confirm the pain is focal and concordant with the imaged level "
            "(tenderness over the level).",
        )
    return finding(
        rule,
        ABSOLUTE,
        ABSENT,
        None,
        SRC_CONTRA,
        _text,
        "Pain is attributable to the imaged fracture.",
    )


def improving(snapshot: CandidateSnapshot) -> Finding:
    """CI-IMPROVING: improving steadily on medical therapy
    [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    trend = snapshot.pain.trend
    return _flag(
        "CI-IMPROVING",
        ABSOLUTE,
        None if trend is None else trend == "improving",
        SRC_CONTRA,
        (
            "Pain is improving steadily on medical therapy: continue it.",
            f"Pain {trend}, not improving." if trend else "",
            "Ask about the pain trend under medical therapy.",
        ),
    )


def no_acute_fracture(agg: Aggregates) -> Finding:
    """CI-NO-ACUTE-FRACTURE: levels recorded and every one known not acute (prophylaxis is not
    an indication) [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    rule = "CI-NO-ACUTE-FRACTURE"
    if agg.acute:
        return finding(
            rule, ABSOLUTE, ABSENT, None, SRC_CONTRA, _text, "At least one level is acute."
        )
    if agg.levels_recorded and not agg.unknown:
        return finding(
            rule,
            ABSOLUTE,
            PRESENT,
            None,
            SRC_CONTRA,
            _text,
            f"No acute fracture ({', '.join(agg.not_acute)} not acute): prophylactic "
            "augmentation is not an indication.",
        )
    return finding(
        rule,
        PRECONDITION,
        MISSING,
        None,
        SRC_CONTRA,
        _text,
        "Acuity not established: image the levels (MRI with STIR).",
    )


def infection(snapshot: CandidateSnapshot) -> Finding:
    """CI-INFECTION: infection at a target level or untreated systemic infection
    [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    facts = snapshot.infection
    if facts.local is True or facts.systemic is True:
        where = (
            "osteomyelitis/discitis at the target level"
            if facts.local
            else "untreated systemic infection"
        )
        return finding(
            "CI-INFECTION",
            ABSOLUTE,
            PRESENT,
            None,
            SRC_CONTRA,
            _text,
            f"Active infection ({where}): treat it first.",
        )
    if facts.local is False and facts.systemic is False:
        return finding(
            "CI-INFECTION",
            ABSOLUTE,
            ABSENT,
            None,
            SRC_CONTRA,
            _text,
            "No local or systemic infection.",
        )
    return finding(
        "CI-INFECTION",
        PRECONDITION,
        MISSING,
        None,
        SRC_CONTRA,
        _text,
        "Screen for infection at the target level and systemic infection (sepsis, bacteraemia).",
    )


def coagulopathy(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding:
    """CI-COAGULOPATHY: uncorrectable coagulopathy [LCD], [SIR2014], [ACRPP], [CIRSE2017].
    With ``correctable`` unknown, INR and platelets both within target mean no coagulopathy."""
    coagulation = snapshot.coagulation
    correctable = coagulation.correctable
    if correctable is False:
        return finding(
            "CI-COAGULOPATHY",
            ABSOLUTE,
            PRESENT,
            None,
            SRC_CONTRA,
            _text,
            "Uncorrectable coagulopathy.",
        )
    if correctable is True:
        return finding(
            "CI-COAGULOPATHY",
            ABSOLUTE,
            ABSENT,
            None,
            SRC_CONTRA,
            _text,
            "Any coagulopathy is correctable.",
        )
    inr, platelets = coagulation.inr, coagulation.platelets_10e9_per_l
    if (
        inr is not None
        and platelets is not None
        and inr <= settings.inr_max
        and platelets >= settings.platelets_min
    ):
        return finding(
            "CI-COAGULOPATHY",
            ABSOLUTE,
            ABSENT,
            None,
            SRC_CONTRA,
            _text,
            "INR and platelets within target: no coagulopathy.",
        )
    return finding(
        "CI-COAGULOPATHY",
        PRECONDITION,
        MISSING,
        None,
        SRC_CONTRA,
        _text,
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
        return finding(
            "CI-PREGNANCY",
            kind,
            ABSENT,
            None,
            SRC_PREGNANCY,
            _text,
            "Pregnancy not applicable (male, or aged 55 or more).",
        )
    return _flag(
        "CI-PREGNANCY",
        kind,
        pregnant,
        SRC_PREGNANCY,
        (
            "Pregnant: radiation and cement exposure.",
            "Not pregnant.",
            "Pregnancy status unknown: pregnancy test (PRE-PREGNANCY-TEST).",
        ),
    )


def allergy(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding:
    """CI-ALLERGY: allergy to the bone cement or its opacifier ([ACRPP]/[CIRSE2017] absolute,
    [LCD] relative: a setting)."""
    kind = ABSOLUTE if settings.pmma_allergy_contraindication == "absolute" else RELATIVE
    return _flag(
        "CI-ALLERGY",
        kind,
        snapshot.allergies.pmma,
        SRC_ALLERGY,
        (
            "Allergy to the bone cement (PMMA) or its radiopaque opacifier.",
            "No bone-cement allergy.",
            "Ask about allergy to bone cement (PMMA) and its opacifier.",
        ),
    )


def _msg_neuro(status: str, names: tuple[str, ...]) -> str:
    if status == PRESENT:
        return f"{', '.join(names).capitalize()} attributable to the fracture: surgical opinion."
    if status == MISSING:
        return f"Examine for {', '.join(names)}."
    return "No radicular pain, deficit or myelopathy."


def neuro(snapshot: CandidateSnapshot) -> Finding:
    """RC-NEURO: radicular pain, neurological deficit or myelopathy attributable to the fracture
    [LCD], [SIR2014], [ACRPP], [CIRSE2017]."""
    present: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    for value, name in (
        (snapshot.pain.radicular, "radicular pain"),
        (snapshot.neuro.deficit, "neurological deficit"),
        (snapshot.neuro.myelopathy, "myelopathy"),
    ):
        if value is True:
            present += (name,)
        elif value is None:
            unknown += (name,)
    if present:
        return finding(
            "RC-NEURO", RELATIVE, PRESENT, None, SRC_CONTRA, _msg_neuro, PRESENT, present
        )
    if unknown:
        return finding(
            "RC-NEURO", PRECONDITION, MISSING, None, SRC_CONTRA, _msg_neuro, MISSING, unknown
        )
    return finding("RC-NEURO", RELATIVE, ABSENT, None, SRC_CONTRA, _msg_neuro, ABSENT, ())


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
    return finding("RC-LEVELS", kind, status, None, SRC_LEVELS, _msg_levels, targets, possible)


def backup(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding | None:
    """RC-NO-BACKUP: no surgical back-up available [ACRPP] (check; a setting)."""
    if not settings.surgical_backup_required:
        return None
    available = snapshot.surgical_backup_available
    return _flag(
        "RC-NO-BACKUP",
        RELATIVE,
        None if available is None else not available,
        SRC_BACKUP,
        (
            "No surgical back-up available.",
            "Surgical back-up available.",
            "Confirm surgical back-up is available.",
        ),
    )
