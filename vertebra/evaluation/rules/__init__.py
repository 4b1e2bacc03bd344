"""Vertebroplasty candidate evaluation: a pure rule engine (no Django).

Implements clinical-reference §2.2–§2.6 (decision ladder, indications, contraindications,
preconditions and work-up, risk profile) and §3 (Genant, OF type, OF score, SINS, VCF
probability, WHO bone density). Every rule cites its source key; see sources.SOURCES.

    snapshot = parse_snapshot(json.loads(text, parse_float=decimal.Decimal))
    result = evaluate(snapshot, RuleSettings())
    document = result_to_json(result)

"""

from vertebra.evaluation.rules.engine import DEFAULT_SETTINGS, evaluate
from vertebra.evaluation.rules.model import CandidateSnapshot
from vertebra.evaluation.rules.render import result_to_json, result_to_text
from vertebra.evaluation.rules.results import (
    DECISIONS,
    KINDS,
    RULESET_VERSION,
    EvaluationResult,
    Finding,
    LevelResult,
)
from vertebra.evaluation.rules.scores import GenantResult, OfScoreResult, SinsResult, genant, sins
from vertebra.evaluation.rules.screening import (
    VcfProbability,
    VcfSigns,
    WhoCategory,
    vcf_probability,
    who_bone_density,
)
from vertebra.evaluation.rules.settings import (
    SETTINGS_SPEC,
    RuleSettings,
    SettingSpec,
    check_consistent,
)
from vertebra.evaluation.rules.snapshot import SnapshotError, parse_snapshot
from vertebra.evaluation.rules.sources import SOURCES

__all__ = [
    "DECISIONS",
    "DEFAULT_SETTINGS",
    "KINDS",
    "RULESET_VERSION",
    "SETTINGS_SPEC",
    "SOURCES",
    "CandidateSnapshot",
    "EvaluationResult",
    "Finding",
    "GenantResult",
    "LevelResult",
    "OfScoreResult",
    "RuleSettings",
    "SettingSpec",
    "SinsResult",
    "SnapshotError",
    "VcfProbability",
    "VcfSigns",
    "WhoCategory",
    "check_consistent",
    "evaluate",
    "genant",
    "parse_snapshot",
    "result_to_json",
    "result_to_text",
    "sins",
    "vcf_probability",
    "who_bone_density",
]
