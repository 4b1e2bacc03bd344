"""The evaluation: every rule of §2.2–§2.6 over one snapshot, the per-level scores of §3, and
the decision from the §2.2 ladder.

Findings are listed in ladder order of their kind (indications, absolute, relative, missing
information, preconditions, risks); within a kind, patient-level findings first, then per level
in input order, each in rule order. Sources: see patient.py, levels.py, workup.py, scores.py.
"""

from __future__ import annotations

from vertebra.evaluation.rules import (
    antithrombotics,
    contraindications,
    model,
    patient,
    scores,
    workup,
)
from vertebra.evaluation.rules import thresholds as th
from vertebra.evaluation.rules.level_state import ACUTE, NOT_ACUTE, LevelState
from vertebra.evaluation.rules.levels import (
    biopsy,
    epidural,
    high_energy,
    imaging,
    instability,
    leakage,
    level_range,
    retropulsion,
    severe_collapse,
)
from vertebra.evaluation.rules.model import CandidateSnapshot
from vertebra.evaluation.rules.results import (
    RULESET_VERSION,
    EvaluationResult,
    Finding,
    LevelResult,
    listed_and_decided,
)
from vertebra.evaluation.rules.screening import who_bone_density
from vertebra.evaluation.rules.settings import RuleSettings

DEFAULT_SETTINGS = RuleSettings()


class _LevelPass:
    """Everything the per-level pass produces for the patient-level rules (internal)."""

    __slots__ = (
        "agg",
        "cleft",
        "found",
        "junction",
        "kyphosis",
        "level_results",
        "osteoporotic",
        "recent",
        "sdi",
        "sdi_at_least",
        "sdi_levels",
    )

    def __init__(self) -> None:
        self.agg = patient.Aggregates()
        # Every finding, in rule order per level then for the patient; evaluate() lists them in
        # ladder order (listed_and_decided).
        self.found: list[Finding] = []
        self.level_results: list[LevelResult] = []
        # Level names, in input order.
        self.osteoporotic: tuple[str, ...] = ()
        self.cleft: tuple[str, ...] = ()
        self.kyphosis: tuple[str, ...] = ()
        self.junction: tuple[str, ...] = ()
        self.recent: tuple[str, ...] = ()
        self.sdi = self.sdi_levels = 0
        self.sdi_at_least = False


def _level_findings(state: LevelState, settings: RuleSettings, out: _LevelPass) -> None:
    """The per-level rules, and the facts of this level that patient-level rules need."""
    found = out.found
    level = state.level
    if not (state.target or state.potential):
        found += (level_range(state), imaging(state, settings))
        return
    agg = out.agg
    fracture = state.fracture
    kyphotic = fracture.kyphotic_deformity
    # IND-PAIN-COURSE items: present where they hold at a target; unknown where unknown, or
    # where they hold at a level that may prove acute.
    height = scores.height_loss_over_25(state.genant)
    if state.target:
        agg.targets += (level,)
        if height is True:
            agg.height_present = True
        elif height is None:
            agg.height_unknown = True
        if kyphotic is True:
            agg.kyphosis_present = True
        elif kyphotic is None:
            agg.kyphosis_unknown = True
    else:
        agg.potential += (level,)
        if height is not False:
            agg.height_unknown = True
        if kyphotic is not False:
            agg.kyphosis_unknown = True
    found += (
        level_range(state),
        high_energy(state),
        retropulsion(state, settings),
        epidural(state),
        severe_collapse(state, settings),
        instability(state, settings),
        imaging(state, settings),
        biopsy(state),
    )
    if state.target:
        risk = leakage(state)
        if risk is not None:
            found.append(risk)
        if fracture.intravertebral_cleft:
            out.cleft += (level,)
        if kyphotic:
            out.kyphosis += (level,)
        if level in model.THORACOLUMBAR_JUNCTION:
            out.junction += (level,)


def _level_result(
    state: LevelState, snapshot: CandidateSnapshot, settings: RuleSettings, out: _LevelPass
) -> LevelResult:
    """Grades and scores of one level (§3), and its share of the spinal deformity index."""
    fracture = state.fracture
    genant = state.genant
    if state.level in model.SDI_LEVELS:
        out.sdi_levels += 1
        if genant is None:
            out.sdi_at_least = True
        else:
            out.sdi += genant.grade
            out.sdi_at_least |= genant.at_least
    type_token = scores.of_type(state.possible_of) if state.of_applicable else None
    score = None
    if type_token in scores.OF_TYPES:  # OF1–OF5: "none" and unknown types have no score
        score = scores.of_score(type_token, fracture, snapshot, settings.of_weights)
    return LevelResult(
        state.level,
        state.target,
        state.acuity,
        state.etiology,
        state.etiology_recorded,
        genant,
        type_token,
        state.of_applicable,
        score,
        state.sins,
    )


def _levels(snapshot: CandidateSnapshot, settings: RuleSettings) -> _LevelPass:
    out = _LevelPass()
    agg = out.agg
    planned = snapshot.planned_procedure_date
    fractures = snapshot.fractures or ()
    if fractures:
        agg.levels_recorded = True
        agg.course_applies = False
    for fracture in fractures:
        state = LevelState(fracture)
        level = state.level
        if state.course:
            agg.course_applies = True
        if state.etiology == "osteoporotic":
            out.osteoporotic += (level,)
        if state.acuity == ACUTE:
            agg.acute += (level,)
        elif state.acuity == NOT_ACUTE:
            agg.not_acute += (level,)
        else:
            agg.unknown += (level,)
        _level_findings(state, settings, out)
        onset = fracture.onset_date
        if (
            state.target
            and planned is not None
            and onset is not None
            and (planned - onset).days < th.RECENT_FRACTURE_DAYS
        ):
            out.recent += (level,)
        out.level_results.append(_level_result(state, snapshot, settings, out))
    return out


def _patient_findings(snapshot: CandidateSnapshot, settings: RuleSettings, out: _LevelPass) -> None:
    """Patient-level rules in rule order: §2.3, §2.4, §2.5, §2.6."""
    found = out.found
    agg = out.agg
    # §2.3 indications and review flags
    found += (
        patient.acute_fracture(agg),
        patient.pain_severity(snapshot),
        patient.conservative_care(snapshot),
    )
    course = patient.pain_course(snapshot, agg)
    if course is not None:
        found.append(course)
    found += (
        patient.age_under_18(snapshot),
        # §2.4 contraindications
        contraindications.pain_not_fracture(snapshot),
        contraindications.improving(snapshot),
        contraindications.no_acute_fracture(agg),
        contraindications.infection(snapshot),
        contraindications.coagulopathy(snapshot, settings),
        contraindications.pregnancy(snapshot, settings),
        contraindications.allergy(snapshot, settings),
        contraindications.neuro(snapshot),
        contraindications.levels_count(agg),
    )
    no_backup = contraindications.backup(snapshot, settings)
    if no_backup is not None:
        found.append(no_backup)
    # §2.5 preconditions
    if not agg.levels_recorded:
        found.append(workup.NO_LEVEL_IMAGING)
    found.append(workup.coag(snapshot, settings))
    found += antithrombotics.antithrombotics(snapshot, settings)
    found.append(workup.pregnancy_test(snapshot))
    if out.osteoporotic:
        found.append(workup.bone_density(out.osteoporotic, snapshot))
    found += (
        workup.allergy_contrast(snapshot),
        workup.allergy_local_anaesthetic(snapshot),
        workup.consent(),
    )
    # §2.6 risks
    embolism = workup.embolism(agg.targets, out.recent)
    if embolism is not None:
        found.append(embolism)
    new_fracture = workup.new_fracture(snapshot, out.cleft, out.kyphosis, out.junction)
    if new_fracture is not None:
        found.append(new_fracture)


def evaluate(
    snapshot: CandidateSnapshot, settings: RuleSettings = DEFAULT_SETTINGS
) -> EvaluationResult:
    """Evaluate one candidate snapshot. Pure: same snapshot and settings, same result."""
    out = _levels(snapshot, settings)
    _patient_findings(snapshot, settings, out)
    findings, decision = listed_and_decided(out.found)
    bone = snapshot.bone_health
    fragility = True if out.osteoporotic or bone.prior_vertebral_fractures else None
    who = who_bone_density(
        bone.t_score,
        sex=snapshot.patient.sex,
        age_years=snapshot.patient.age_years,
        postmenopausal=None,  # not part of the §2.1 snapshot
        fragility_fracture=fragility,
        fracture_establishes_osteoporosis=settings.fragility_fracture_establishes_osteoporosis,
    )
    return EvaluationResult(
        decision,
        RULESET_VERSION,
        findings,
        tuple(out.level_results),
        out.sdi if out.sdi_levels else None,
        out.sdi_at_least,
        who,
    )
