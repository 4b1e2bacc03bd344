"""Parsing and validation of the §2.1 snapshot: every error names its field path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from vertebra.evaluation.rules import SnapshotError, parse_snapshot


def _error(data: Any) -> tuple[str, str]:
    with pytest.raises(SnapshotError) as info:
        parse_snapshot(data)
    return info.value.path, info.value.message


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ([], "snapshot", "must be an object (got a list)"),
        ({"pain": {"nrs": 11}}, "pain.nrs", "must be an integer from 0 to 10 (got 11)"),
        ({"pain": {"nrs": -1}}, "pain.nrs", "must be an integer from 0 to 10 (got -1)"),
        ({"pain": {"nrs": True}}, "pain.nrs", "must be an integer from 0 to 10 (got true)"),
        (
            {"pain": {"nrs": Decimal("7.5")}},
            "pain.nrs",
            "must be an integer from 0 to 10 (got 7.5)",
        ),
        ({"pain": {"nrs": "7"}}, "pain.nrs", 'must be an integer from 0 to 10 (got "7")'),
        ({"function": {"rmdq": 25}}, "function.rmdq", "must be an integer from 0 to 24 (got 25)"),
        (
            {"patient": {"asa_class": 7}},
            "patient.asa_class",
            "must be an integer from 1 to 6 (got 7)",
        ),
        ({"patient": {"sex": "f"}}, "patient.sex", 'must be one of female, male, other (got "f")'),
        ({"patient": {"pregnant": "no"}}, "patient.pregnant", 'must be true or false (got "no")'),
        ({"patient": {"weight": 60}}, "patient.weight", "unknown field"),
        ({"extra": 1}, "extra", "unknown field"),
        ({"pain": []}, "pain", "must be an object (got a list)"),
        (
            {"fractures": [{"level": "T13"}]},
            "fractures[0].level",
            'unknown level "T13" (expected C1–C7, T1–T12, L1–L5 or S1)',
        ),
        (
            {"fractures": [{"etiology": "osteoporotic"}]},
            "fractures[0].level",
            "is required (one of C1–C7, T1–T12, L1–L5, S1)",
        ),
        (
            {"fractures": [{"level": "L1"}, {"level": "L1"}]},
            "fractures[1].level",
            "duplicate level L1 (each level once)",
        ),
        ({"fractures": {"level": "L1"}}, "fractures", "must be a list (got an object)"),
        (
            {"fractures": [{"level": "L1", "heights_mm": {"anterior": -1}}]},
            "fractures[0].heights_mm.anterior",
            "must be a number ≥ 0 (got -1)",
        ),
        (
            {"fractures": [{"level": "L1", "heights_mm": {"reference": 0}}]},
            "fractures[0].heights_mm.reference",
            "must be a number above 0 (got 0)",
        ),
        (
            {"fractures": [{"level": "L1", "lesion": "sclerotic"}]},
            "fractures[0].lesion",
            'must be one of lytic, mixed, blastic (got "sclerotic")',
        ),
        (
            {"fractures": [{"level": "L1", "sins": {"pain": "severe"}}]},
            "fractures[0].sins.pain",
            'must be one of mechanical, occasional, none (got "severe")',
        ),
        (
            {"fractures": [{"level": "L1", "canal_compromise_percent": 101}]},
            "fractures[0].canal_compromise_percent",
            "must be a number from 0 to 100 (got 101)",
        ),
        (
            {"fractures": [{"level": "L1", "onset_date": "2026-13-01"}]},
            "fractures[0].onset_date",
            'must be a date YYYY-MM-DD (got "2026-13-01")',
        ),
        (
            {"planned_procedure_date": "20261210"},
            "planned_procedure_date",
            'must be a date YYYY-MM-DD (got "20261210")',
        ),
        (
            {"coagulation": {"anticoagulants": [{"last_dose_date": "2026-12-01"}]}},
            "coagulation.anticoagulants[0].drug",
            "is required (the drug's name)",
        ),
        (
            {"coagulation": {"anticoagulants": [{"drug": "apixaban", "last_dose_time": "24:00"}]}},
            "coagulation.anticoagulants[0].last_dose_time",
            'must be a time HH:MM (got "24:00")',
        ),
        (
            {"coagulation": {"anticoagulants": [{"drug": "lmwh", "intensity": "high"}]}},
            "coagulation.anticoagulants[0].intensity",
            'must be one of prophylactic, therapeutic (got "high")',
        ),
        (
            {"coagulation": {"inr": float("nan")}},
            "coagulation.inr",
            "must be a finite number (got NaN)",
        ),
        (
            {"coagulation": {"inr": Decimal("1E+12")}},
            "coagulation.inr",
            "is out of range (got 1E+12)",
        ),
        (
            # Beyond the decimal context's exponent range: compared without arithmetic.
            {"bone_health": {"t_score": Decimal("1E+999999999")}},
            "bone_health.t_score",
            "is out of range (got 1E+999999999)",
        ),
        (
            {"coagulation": {"anticoagulants": [{"drug": "\ud800"}]}},
            "coagulation.anticoagulants[0].drug",
            'must be a non-empty line of printable text of at most 200 characters (got "\\ud800")',
        ),
        (
            {"coagulation": {"anticoagulants": [{"drug": "aspirin\u0000"}]}},
            "coagulation.anticoagulants[0].drug",
            "must be a non-empty line of printable text of at most 200 characters "
            '(got "aspirin\\u0000")',
        ),
        (
            {"bone_health": {"t_score": Decimal("-2.5000000000000000000000001")}},
            "bone_health.t_score",
            "has more than 20 decimal places (got -2.5000000000000000000000001)",
        ),
    ],
)
def test_invalid_input_names_the_field(data: Any, path: str, message: str) -> None:
    assert _error(data) == (path, message)


def test_absent_and_null_both_mean_not_assessed() -> None:
    assert parse_snapshot({}) == parse_snapshot(
        {"patient": None, "pain": {"nrs": None}, "fractures": None}
    )
    assert parse_snapshot({}).fractures is None
    assert parse_snapshot({"fractures": []}).fractures == ()


def test_a_zero_with_a_huge_exponent_is_zero() -> None:
    parsed = parse_snapshot({"bone_health": {"t_score": Decimal("0E+999999999")}})
    assert str(parsed.bone_health.t_score) == "0"


def test_numbers_are_exact_decimals() -> None:
    snapshot = parse_snapshot(
        {
            "coagulation": {"inr": 1.1, "platelets_10e9_per_l": 240},
            "fractures": [
                {"level": "L1", "heights_mm": {"anterior": Decimal("19.90"), "reference": 28}}
            ],
        }
    )
    assert snapshot.coagulation.inr == Decimal("1.1")
    assert str(snapshot.coagulation.inr) == "1.1"  # via str(), not the binary expansion
    assert snapshot.coagulation.platelets_10e9_per_l == Decimal(240)
    assert snapshot.fractures is not None
    heights = snapshot.fractures[0].heights_mm
    assert heights is not None
    assert (heights.anterior, heights.middle, heights.reference) == (Decimal("19.90"), None, 28)
    assert str(heights.anterior) == "19.90"


def test_dates_times_and_lists_parse() -> None:
    snapshot = parse_snapshot(
        {
            "planned_procedure_date": "2026-12-10",
            "coagulation": {
                "anticoagulants": [
                    {
                        "drug": " Apixaban ",
                        "last_dose_date": "2026-12-07",
                        "last_dose_time": "08:30",
                        "intensity": "therapeutic",
                    }
                ]
            },
        }
    )
    assert snapshot.planned_procedure_date == dt.date(2026, 12, 10)
    entries = snapshot.coagulation.anticoagulants
    assert entries is not None
    assert entries[0].drug == "Apixaban"
    assert entries[0].last_dose_time == dt.time(8, 30)


def test_snapshot_error_is_a_value_error_with_path_and_message() -> None:
    error = SnapshotError("pain.nrs", "must be an integer from 0 to 10 (got 11)")
    assert isinstance(error, ValueError)
    assert str(error) == "pain.nrs: must be an integer from 0 to 10 (got 11)"
