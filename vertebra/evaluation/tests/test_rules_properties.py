"""Property tests (hypothesis) over generated valid snapshots covering every §2.1 field."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vertebra.evaluation.rules import (
    evaluate,
    model,
    parse_snapshot,
    result_to_json,
    result_to_text,
)

PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, or an explicit null (absent keys come from fixed_dictionaries' optional)."""
    return st.one_of(st.none(), strategy)


def _group(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={key: _maybe(value) for key, value in fields.items()})


BOOL = st.booleans()
DATES = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)).map(
    lambda day: day.isoformat()
)
TIMES = st.times().map(lambda t: t.strftime("%H:%M"))
WEEKS = st.decimals(min_value=0, max_value=200, places=1)
MM = st.decimals(min_value=0, max_value=40, places=2)


@st.composite
def heights(draw: st.DrawFn, consistent: bool) -> dict[str, Any]:
    values = {key: draw(_maybe(MM)) for key in ("anterior", "middle", "posterior")}
    known = [value for value in values.values() if value is not None]
    if consistent:
        # The reference is the intact height: never below a measured height.
        floor = max([*known, Decimal("0.01")])
        reference = draw(_maybe(st.decimals(min_value=floor, max_value=floor + 20, places=2)))
    else:
        reference = draw(_maybe(st.decimals(min_value=Decimal("0.01"), max_value=40, places=2)))
    out = {key: value for key, value in values.items() if value is not None or draw(BOOL)}
    if reference is not None or draw(BOOL):
        out["reference"] = reference
    return out


SINS = _group(
    {
        "pain": st.sampled_from(model.SINS_PAIN),
        "alignment": st.sampled_from(model.SINS_ALIGNMENT),
        "collapse": st.sampled_from(model.SINS_COLLAPSE),
        "posterolateral": st.sampled_from(model.SINS_POSTEROLATERAL),
    }
)


def fracture(level: str, consistent: bool) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"level": st.just(level)},
        optional={
            "etiology": _maybe(st.sampled_from(model.ETIOLOGIES)),
            "high_energy_trauma": _maybe(BOOL),
            "onset_date": _maybe(DATES),
            "mri_oedema": _maybe(BOOL),
            "bone_scan_uptake": _maybe(BOOL),
            "heights_mm": _maybe(heights(consistent)),
            "kyphotic_deformity": _maybe(BOOL),
            "height_loss_progression": _maybe(BOOL),
            "posterior_wall": _maybe(st.sampled_from(model.POSTERIOR_WALL)),
            "retropulsion": _maybe(BOOL),
            "canal_compromise_percent": _maybe(st.decimals(min_value=0, max_value=100, places=1)),
            "epidural_extension": _maybe(BOOL),
            "intravertebral_cleft": _maybe(BOOL),
            "cortical_disruption": _maybe(BOOL),
            "both_endplates": _maybe(BOOL),
            "tension_band_failure": _maybe(BOOL),
            "lesion": _maybe(st.sampled_from(model.LESIONS)),
            "sins": _maybe(SINS),
        },
    )


@st.composite
def fractures(draw: st.DrawFn, consistent: bool) -> list[dict[str, Any]]:
    levels = draw(st.lists(st.sampled_from(model.LEVELS), unique=True, max_size=5))
    return [draw(fracture(level, consistent)) for level in levels]


DRUG_NAMES = st.sampled_from(
    [
        "aspirin",
        "Plavix",
        "prasugrel",
        "ticagrelor",
        "warfarin",
        "dabigatran",
        "Xarelto",
        "apixaban",
        "edoxaban",
        "enoxaparin",
        "heparin",
        "ibuprofen",
        "naproxen",
        "diclofenac",
        "unknownol",
    ]
)
ANTICOAGULANT = st.fixed_dictionaries(
    {"drug": DRUG_NAMES},
    optional={
        "last_dose_date": _maybe(DATES),
        "last_dose_time": _maybe(TIMES),
        "intensity": _maybe(st.sampled_from(model.INTENSITIES)),
    },
)


def snapshots(consistent: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "patient": _maybe(
                _group(
                    {
                        "age_years": st.integers(0, 150),
                        "sex": st.sampled_from(model.SEXES),
                        "pregnant": BOOL,
                        "hospitalized": BOOL,
                        "asa_class": st.integers(1, 6),
                        "can_lie_prone": BOOL,
                    }
                )
            ),
            "pain": _maybe(
                _group(
                    {
                        "nrs": st.integers(0, 10),
                        "trend": st.sampled_from(model.PAIN_TRENDS),
                        "duration_weeks": WEEKS,
                        "attributable_to_fracture": BOOL,
                        "radicular": BOOL,
                    }
                )
            ),
            "conservative_care": _maybe(
                _group(
                    {
                        "tried": BOOL,
                        "duration_weeks": WEEKS,
                        "non_ambulatory_due_to_pain": BOOL,
                        "physical_therapy_intolerable": BOOL,
                        "analgesic_side_effects": BOOL,
                    }
                )
            ),
            "function": _maybe(
                _group(
                    {"rmdq": st.integers(0, 24), "ambulation": st.sampled_from(model.AMBULATION)}
                )
            ),
            "neuro": _maybe(_group({"deficit": BOOL, "myelopathy": BOOL})),
            "infection": _maybe(_group({"local": BOOL, "systemic": BOOL})),
            "coagulation": _maybe(
                _group(
                    {
                        "inr": st.decimals(min_value=Decimal("0.8"), max_value=5, places=1),
                        "platelets_10e9_per_l": st.integers(0, 600),
                        "correctable": BOOL,
                        "crcl_ml_min": st.decimals(min_value=0, max_value=150, places=0),
                        "anticoagulants": st.lists(ANTICOAGULANT, max_size=3),
                    }
                )
            ),
            "allergies": _maybe(
                _group({"pmma": BOOL, "contrast": BOOL, "local_anaesthetic": BOOL})
            ),
            "bone_health": _maybe(
                _group(
                    {
                        "t_score": st.decimals(min_value=-6, max_value=3, places=1),
                        "osteoporosis_treatment": BOOL,
                        "prior_vertebral_fractures": st.integers(0, 10),
                        "chronic_corticosteroids": BOOL,
                    }
                )
            ),
            "surgical_backup_available": _maybe(BOOL),
            "planned_procedure_date": _maybe(DATES),
            "fractures": _maybe(fractures(consistent)),
        },
    )


FINDING_KEYS = {"rule", "kind", "status", "level", "message", "source"}


@PROFILE
@given(snapshots())
def test_no_valid_snapshot_crashes(data: dict[str, Any]) -> None:
    result = evaluate(parse_snapshot(data))
    document = result_to_json(result)
    json.dumps(document)
    assert set(document) == {"decision", "ruleset_version", "findings", "levels"}
    for finding in document["findings"]:
        hold = finding["rule"] == "PRE-ANTITHROMBOTIC"
        extra = {"earliest_date", "earliest_time"} if hold else set()
        assert set(finding) == FINDING_KEYS | extra
        assert finding["source"]
        assert finding["source"] in finding["message"]
    assert result_to_text(result).startswith("Decision: ")


@PROFILE
@given(snapshots())
def test_results_are_deterministic(data: dict[str, Any]) -> None:
    first = evaluate(parse_snapshot(data))
    second = evaluate(parse_snapshot(copy.deepcopy(data)))
    assert first == second
    assert json.dumps(result_to_json(first)) == json.dumps(result_to_json(second))
    assert result_to_text(first) == result_to_text(second)


def _set(data: dict[str, Any], group: str, key: str, value: object) -> None:
    if not isinstance(data.get(group), dict):
        data[group] = {}
    data[group][key] = value


ABSOLUTE = (
    ("pain", "attributable_to_fracture", False),
    ("pain", "trend", "improving"),
    ("infection", "systemic", True),
    ("infection", "local", True),
    ("coagulation", "correctable", False),
    ("patient", "pregnant", True),
    ("allergies", "pmma", True),
    ("fractures", "", "all not acute"),
)


@PROFILE
@given(snapshots(), st.sampled_from(ABSOLUTE))
def test_an_absolute_contraindication_always_means_not_recommended(
    data: dict[str, Any], change: tuple[str, str, object]
) -> None:
    group, key, value = change
    data = copy.deepcopy(data)
    if group == "fractures":
        levels = data.get("fractures") or [{"level": "L1"}]
        for entry in levels:
            entry["mri_oedema"] = False
            entry["lesion"] = "blastic"
        data["fractures"] = levels
    else:
        _set(data, group, key, value)
    assert evaluate(parse_snapshot(data)).decision == "not_recommended"


def _leaves(data: object, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every present fact (leaf or whole group), except the keys that identify a
    record (a level, a drug's name)."""
    paths: list[tuple[Any, ...]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("level", "drug"):
                continue
            paths.append((*path, key))
            paths.extend(_leaves(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths.extend(_leaves(value, (*path, index)))
    return paths


def _without(data: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    node: Any = copied
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return copied


def _reclassifies(data: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """Removals that the reference itself makes non-monotone (docs: Interpretations)."""
    if len(path) >= 3 and path[0] == "fractures":
        entry = data["fractures"][path[1]]
        if path[2] == "etiology" and entry.get("etiology") in model.NO_COURSE_ETIOLOGIES:
            return True  # absent etiology is handled as "unknown": another rule path
        if path[2] == "mri_oedema" and entry.get("bone_scan_uptake") is not None:
            return True  # MRI decides over the bone scan; without it the bone scan decides
    return False


@PROFILE
@given(snapshots(consistent=True), st.data())
def test_removing_a_fact_never_turns_incomplete_into_recommended(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    before = evaluate(parse_snapshot(data)).decision
    assume(before == "incomplete")
    paths = _leaves(data)
    assume(paths)
    path = draw.draw(st.sampled_from(paths))
    assume(not _reclassifies(data, path))
    after = evaluate(parse_snapshot(_without(data, path))).decision
    assert after != "recommended", path


@PROFILE
@given(snapshots(consistent=True))
def test_removing_any_single_fact_from_an_incomplete_case(data: dict[str, Any]) -> None:
    """Exhaustive over the facts of each generated incomplete snapshot."""
    assume(evaluate(parse_snapshot(data)).decision == "incomplete")
    for path in _leaves(data):
        if not _reclassifies(data, path):
            after = evaluate(parse_snapshot(_without(data, path))).decision
            assert after != "recommended", path
