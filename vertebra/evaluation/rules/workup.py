"""Preconditions and work-up (§2.5) and the patient-level risk profile (§2.6). None of these
ever changes the decision.

PRE-ANTITHROMBOTIC is in antithrombotics.py, PRE-IMAGING of a level in levels.py. Sources:
[CCP2018] (imaging when no level is recorded); [ASRA2018], [SIR2019COAG] (coagulation);
[LCD] (pregnancy, bone-density referral); [ACRPP], [CIRSE2017] (allergies); [PCE2021],
[REFX2022] (consent risks, §4.5); [PCE2021] pulmonary cement embolism; [REFX2022], [VERTOS2]
new fractures.
"""

from __future__ import annotations

from decimal import Decimal

from vertebra.evaluation.rules import thresholds as th
from vertebra.evaluation.rules.contraindications import pregnancy_test_needed
from vertebra.evaluation.rules.model import CandidateSnapshot
from vertebra.evaluation.rules.results import (
    ABSENT,
    MISSING,
    PRECONDITION,
    PRESENT,
    RISK,
    Finding,
    finding,
)
from vertebra.evaluation.rules.settings import RuleSettings
from vertebra.evaluation.rules.sources import cite

SRC_COAG = cite("ASRA2018", "SIR2019COAG")
SRC_PREGNANCY = cite("LCD")
SRC_BMD = cite("LCD")
SRC_ALLERGY = cite("ACRPP", "CIRSE2017")
SRC_CONSENT = cite("PCE2021", "REFX2022")
SRC_EMBOLISM = cite("PCE2021")
SRC_NEW_FRACTURE = cite("REFX2022", "VERTOS2")
SRC_IMAGING = cite("CCP2018")
_OSTEOPOROSIS_T = Decimal("-2.5")

# §2.2: with no fracture recorded, acuity is missing (IND-ACUTE-FRACTURE), and PRE-IMAGING is
# its work-up, for the patient: there is no level to name.
NO_LEVEL_IMAGING = finding(
    "PRE-IMAGING",
    PRECONDITION,
    MISSING,
    None,
    SRC_IMAGING,
    "No fractured level recorded: MRI with STIR to identify the acute fracture (bone scan, "
    "SPECT/CT or CT when MRI is impossible).",
)


def _msg_coag(
    status: str,
    inr: str | None,
    platelets: str | None,
    inr_high: bool,
    platelets_low: bool,
    inr_max: str,
    platelets_min: str,
) -> str:
    unknown = [name for name, value in (("INR", inr), ("platelets", platelets)) if value is None]
    order = f" Order {' and '.join(unknown)}." if unknown else ""
    if status == PRESENT:
        out = []
        if inr_high:
            out.append(f"INR {inr} (target ≤ {inr_max})")
        if platelets_low:
            out.append(f"platelets {platelets} ×10⁹/L (target ≥ {platelets_min})")
        return f"Out of range: {'; '.join(out)}: correct before the procedure.{order}"
    if status == MISSING:
        return (
            f"High bleeding-risk procedure:{order[:-1]} (targets INR ≤ {inr_max}, "
            f"platelets ≥ {platelets_min} ×10⁹/L)."
        )
    return f"INR {inr} and platelets {platelets} ×10⁹/L within target."


def _as_text(value: Decimal | None) -> str | None:
    """A Decimal as recorded: Decimal("1.5") == Decimal("1.50"), but a message shows it as
    recorded."""
    return None if value is None else str(value)


def coag(snapshot: CandidateSnapshot, settings: RuleSettings) -> Finding:
    """PRE-COAG: high bleeding-risk procedure [ASRA2018]; INR ≤ setting (1.5–1.8
    [SIR2019COAG]); platelets ≥ setting (50 ×10⁹/L)."""
    inr, platelets = snapshot.coagulation.inr, snapshot.coagulation.platelets_10e9_per_l
    inr_max, platelets_min = settings.inr_max, settings.platelets_min
    inr_high = inr is not None and inr > inr_max
    platelets_low = platelets is not None and platelets < platelets_min
    if inr_high or platelets_low:
        status = PRESENT
    elif inr is None or platelets is None:
        status = MISSING
    else:
        status = ABSENT
    text = _msg_coag(
        status,
        _as_text(inr),
        _as_text(platelets),
        inr_high,
        platelets_low,
        settings.inr_max_text,
        settings.platelets_min_text,
    )
    return finding("PRE-COAG", PRECONDITION, status, None, SRC_COAG, text)


def pregnancy_test(snapshot: CandidateSnapshot) -> Finding:
    """PRE-PREGNANCY-TEST: sex female or not known male, age < 55 or unknown, pregnancy
    unknown → test [LCD]."""
    return _PREGNANCY_TEST if pregnancy_test_needed(snapshot) else _NO_PREGNANCY_TEST


_PREGNANCY_TEST = finding(
    "PRE-PREGNANCY-TEST",
    PRECONDITION,
    PRESENT,
    None,
    SRC_PREGNANCY,
    "Pregnancy status unknown: pregnancy test before the procedure.",
)
_NO_PREGNANCY_TEST = finding(
    "PRE-PREGNANCY-TEST", PRECONDITION, ABSENT, None, SRC_PREGNANCY, "No pregnancy test needed."
)


def bone_density(osteoporotic_levels: tuple[str, ...], snapshot: CandidateSnapshot) -> Finding:
    """PRE-BMD: every osteoporotic fracture → document referral for bone-density evaluation and
    osteoporosis education/treatment [LCD]. Listed only when a level is osteoporotic."""
    treated = snapshot.bone_health.osteoporosis_treatment
    now = (
        " (currently on treatment: document it)"
        if treated
        else ""
        if treated is None
        else " (not on treatment)"
    )
    return finding(
        "PRE-BMD",
        PRECONDITION,
        PRESENT,
        None,
        SRC_BMD,
        f"Osteoporotic fracture at {', '.join(osteoporotic_levels)}: document the "
        f"referral for bone-density evaluation and osteoporosis education and "
        f"treatment{now}.",
    )


def allergy_contrast(snapshot: CandidateSnapshot) -> Finding:
    """PRE-ALLERGY-CONTRAST: a contrast allergy is not a contraindication [ACRPP], [CIRSE2017]."""
    return _yes_no(_CONTRAST, snapshot.allergies.contrast)


def allergy_local_anaesthetic(snapshot: CandidateSnapshot) -> Finding:
    """PRE-ALLERGY-LA: local-anaesthetic allergy → alternative agent [ACRPP], [CIRSE2017]."""
    return _yes_no(_LOCAL_ANAESTHETIC, snapshot.allergies.local_anaesthetic)


def _yes_no(findings: tuple[Finding, Finding, Finding], value: bool | None) -> Finding:
    """(missing, present, absent) by the recorded yes/no."""
    if value is None:
        return findings[0]
    return findings[1] if value else findings[2]


def _precondition(rule: str, source: str, *texts: str) -> tuple[Finding, Finding, Finding]:
    missing, present, absent = texts
    return (
        finding(rule, PRECONDITION, MISSING, None, source, missing),
        finding(rule, PRECONDITION, PRESENT, None, source, present),
        finding(rule, PRECONDITION, ABSENT, None, source, absent),
    )


_CONTRAST = _precondition(
    "PRE-ALLERGY-CONTRAST",
    SRC_ALLERGY,
    "Ask about allergy to iodinated contrast.",
    "Contrast allergy: avoid iodinated contrast or premedicate per local protocol.",
    "No contrast allergy.",
)
_LOCAL_ANAESTHETIC = _precondition(
    "PRE-ALLERGY-LA",
    SRC_ALLERGY,
    "Ask about allergy to local anaesthetics.",
    "Local-anaesthetic allergy: plan an alternative agent.",
    "No local-anaesthetic allergy.",
)
_CONSENT = finding(
    "PRE-CONSENT",
    PRECONDITION,
    PRESENT,
    None,
    SRC_CONSENT,
    "Obtain informed consent covering cement leakage (symptomatic < 1 %), "
    "pulmonary cement embolism (1.9 % on CT), infection, bleeding, allergy, new "
    "adjacent fractures (13.4 %) and radiation.",
)


def consent() -> Finding:
    """PRE-CONSENT: informed consent covering the risks of §4.5 [PCE2021], [REFX2022]."""
    return _CONSENT


def embolism(targets: tuple[str, ...], recent: tuple[str, ...]) -> Finding | None:
    """Pulmonary cement embolism risk factors [PCE2021]: ≥ 3 treated levels (OR 2.41),
    thoracic levels, procedure < 2 weeks after the fracture."""
    factors: list[str] = []
    if len(targets) >= th.EMBOLISM_LEVELS:
        factors.append(f"{len(targets)} treated levels (≥ 3: OR 2.41)")
    thoracic = [level for level in targets if level[0] == "T"]
    if thoracic:
        factors.append(f"thoracic level{'s' if len(thoracic) > 1 else ''} {', '.join(thoracic)}")
    if recent:
        factors.append(f"procedure < 2 weeks after the fracture at {', '.join(recent)}")
    if not factors:
        return None
    return finding(
        "RISK-CEMENT-EMBOLISM",
        RISK,
        PRESENT,
        None,
        SRC_EMBOLISM,
        f"Pulmonary cement embolism risk factors: {'; '.join(factors)}. Reported "
        "CT-screened incidence 1.9 %.",
    )


def _msg_new_fracture(
    t_score: str | None,
    prior: int,
    female: bool,
    cleft: tuple[str, ...],
    kyphosis: tuple[str, ...],
    junction: tuple[str, ...],
    steroids: bool,
    age: int | None,
) -> str:
    factors: list[str] = []
    if t_score is not None:
        factors.append(f"low bone density (T-score {t_score}; lower is worse)")
    if prior:
        factors.append(
            f"{prior} prior vertebral fracture{'s' if prior > 1 else ''} (OR 1.43 "
            "per fracture [VERTOS2])"
        )
    if female:
        factors.append("female sex (OR 1.34)")
    if cleft:
        factors.append(f"intravertebral cleft at {', '.join(cleft)}")
    if kyphosis:
        factors.append(f"kyphosis at {', '.join(kyphosis)}")
    if junction:
        factors.append(f"thoracolumbar junction (T11–L2): {', '.join(junction)}")
    if steroids:
        factors.append("chronic corticosteroids")
    age_note = f" Age {age} (risk rises with age)." if age is not None else ""
    return (
        f"New adjacent fracture risk factors: {'; '.join(factors)}. Pooled incidence "
        f"13.4 %.{age_note}"
    )


def new_fracture(
    snapshot: CandidateSnapshot,
    cleft: tuple[str, ...],
    kyphosis: tuple[str, ...],
    junction: tuple[str, ...],
) -> Finding | None:
    """New (adjacent) fracture risk factors [REFX2022], [VERTOS2]; pooled incidence 13.4 %.
    "Older age" has no threshold in the reference: the age is stated, never counted."""
    bone = snapshot.bone_health
    t_score = bone.t_score
    low_bmd = t_score if t_score is not None and t_score <= _OSTEOPOROSIS_T else None
    prior = bone.prior_vertebral_fractures or 0
    female = snapshot.patient.sex == "female"
    steroids = bone.chronic_corticosteroids is True
    if not (low_bmd is not None or prior or female or cleft or kyphosis or junction or steroids):
        return None
    text = _msg_new_fracture(
        _as_text(low_bmd),
        prior,
        female,
        cleft,
        kyphosis,
        junction,
        steroids,
        snapshot.patient.age_years,
    )
    return finding("RISK-NEW-FRACTURE", RISK, PRESENT, None, SRC_NEW_FRACTURE, text)
