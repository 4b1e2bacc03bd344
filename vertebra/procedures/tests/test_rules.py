"""Procedure-record rules as tables of cases: codes (§4.6), dose units and the substantial-dose
flag at its thresholds (§4.1, [STECKER2009]), and the entry checks (§4.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vertebra.procedures.rules.checks import LevelEntry, check_interval, check_levels
from vertebra.procedures.rules.coding import TreatedLevel, compute_coding
from vertebra.procedures.rules.dose import DoseError, convert, substantial_dose

OP = "osteoporotic"
at = TreatedLevel  # a level treated, for short tables


def cpt(*levels: TreatedLevel) -> list[tuple[str, tuple[str, ...]]]:
    return [(code.code, code.levels) for code in compute_coding(list(levels)).procedure]


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        # one thoracic level
        ([at("T8", OP)], [("22510", ("T8",))]),
        # two lumbar levels
        ([at("L2", OP), at("L3", OP)], [("22511", ("L2",)), ("22512", ("L3",))]),
        # across regions: the first level treated decides the first-level code
        ([at("T12", OP), at("L1", OP)], [("22510", ("T12",)), ("22512", ("L1",))]),
        ([at("L1", OP), at("T12", OP)], [("22511", ("L1",)), ("22512", ("T12",))]),
        # four levels: one first-level code and three add-ons
        (
            [at(level, OP) for level in ("T11", "T12", "L1", "L2")],
            [("22510", ("T11",)), ("22512", ("T12",)), ("22512", ("L1",)), ("22512", ("L2",))],
        ),
        # augmentation with cavity creation (kyphoplasty)
        ([at("T10", OP, True)], [("22513", ("T10",))]),
        ([at("L4", OP, True), at("L5", OP, True)], [("22514", ("L4",)), ("22515", ("L5",))]),
        # sacral and cervical vertebroplasty
        ([at("S1", OP)], [("22511", ("S1",))]),
        ([at("C7", OP)], [("22510", ("C7",))]),
    ],
)  # fmt: skip
def test_cpt_codes(levels: list[TreatedLevel], expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert cpt(*levels) == expected


def test_cases_the_reference_leaves_to_the_coder_are_notes_not_guesses() -> None:
    mixed = compute_coding([at("T12", OP), at("L1", OP, True)])
    assert mixed.procedure == ()
    assert "code by hand" in mixed.notes[0]
    sacral_kyphoplasty = compute_coding([at("S1", OP, True)])
    assert sacral_kyphoplasty.procedure == ()
    assert sacral_kyphoplasty.notes[0].startswith("Augmentation with cavity creation at S1")
    assert compute_coding([]).notes == ("No level treated: no procedure code.",)


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([at("L1", OP)], [("M80.08XA", ("L1",), False)]),
        ([at("T12", OP), at("L1", OP)], [("M80.08XA", ("T12", "L1"), False)]),
        (
            [at("T9", "metastasis")],
            [("M84.58XA", ("T9",), False), ("C79.51", ("T9",), False)],
        ),
        ([at("L3", "myeloma")], [("M84.58XA", ("L3",), False), ("C90.0-", ("L3",), True)]),
        ([at("T7", "traumatic")], [("S22.0-", ("T7",), True)]),
        ([at("L2", "traumatic")], [("S32.0-", ("L2",), True)]),
        ([at("T6", None)], [("M48.54XA", ("T6",), False)]),
        ([at("L5", "unknown")], [("M48.56XA", ("L5",), False)]),
    ],
)  # fmt: skip
def test_icd10_codes_by_etiology_and_region(
    levels: list[TreatedLevel], expected: list[tuple[str, tuple[str, ...], bool]]
) -> None:
    coding = compute_coding(levels)
    assert [(c.code, c.levels, c.incomplete) for c in coding.diagnosis] == expected
    assert coding.version == "vertebra-codes-1"


def test_a_diagnosis_the_reference_does_not_code_is_left_to_the_coder() -> None:
    coding = compute_coding([at("T5", "haemangioma")])
    assert coding.diagnosis == ()
    assert coding.notes == (
        "T5: no diagnosis code in the reference for etiology haemangioma at this level; code by "
        "hand.",
    )
    assert "need their last characters" in compute_coding([at("T7", "traumatic")]).notes[0]


@pytest.mark.parametrize(
    ("field", "amount", "unit", "stored", "shown"),
    [
        ("kap", "12.5", "Gy·cm²", Decimal("12.5"), "12.5 Gy·cm²"),
        ("kap", "1250", "cGy·cm²", Decimal("12.5"), "1,250 cGy·cm² = 12.5 Gy·cm²"),
        ("kap", "1250", "µGy·m²", Decimal("12.5"), "1,250 µGy·m² = 12.5 Gy·cm²"),
        ("kap", "12500", "mGy·cm²", Decimal("12.5"), "12,500 mGy·cm² = 12.5 Gy·cm²"),
        ("kar", "0.35", "Gy", Decimal("350"), "0.35 Gy = 350 mGy"),
        ("fluoroscopy", "4.5", "min", Decimal("270"), "4.5 min = 270 s"),
    ],
)
def test_dose_units_are_converted_visibly(
    field: str, amount: str, unit: str, stored: Decimal, shown: str
) -> None:
    converted = convert(field, amount, unit)
    assert (converted.value, converted.shown) == (stored, shown)


@pytest.mark.parametrize(
    ("field", "amount", "unit", "message"),
    [
        ("kap", "-1", "Gy·cm²", "kap: must be zero or more"),
        (
            "kap",
            "12",
            "Gy",
            "kap: unit 'Gy' is not one of Gy·cm², dGy·cm², cGy·cm², mGy·cm², µGy·m²",
        ),
        ("kar", "a lot", "mGy", "kar: 'a lot' is not a number"),
        ("fluoroscopy", "NaN", "s", "fluoroscopy: must be zero or more"),
    ],
)  # fmt: skip
def test_bad_dose_entries_are_refused(field: str, amount: str, unit: str, message: str) -> None:
    with pytest.raises(DoseError) as refused:
        convert(field, amount, unit)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("kar", "kap", "seconds", "substantial"),
    [
        ("5000", None, None, False),  # at the threshold: not above it
        ("5000.1", None, None, True),
        (None, "500", None, False),
        (None, "500.01", None, True),
        (None, None, "3600", False),
        (None, None, "3601", True),
        (None, None, None, None),  # nothing recorded: unknown, never assumed low
    ],
)
def test_the_substantial_dose_flag_at_its_thresholds(
    kar: str | None, kap: str | None, seconds: str | None, substantial: bool | None
) -> None:
    flag = substantial_dose(
        kar_mgy=Decimal(kar) if kar else None,
        kap_gy_cm2=Decimal(kap) if kap else None,
        fluoroscopy_s=Decimal(seconds) if seconds else None,
    )
    assert flag.substantial is substantial


def test_the_flag_names_its_reasons_and_what_was_not_recorded() -> None:
    flag = substantial_dose(kar_mgy=Decimal(6200), kap_gy_cm2=None, fluoroscopy_s=Decimal(4200))
    assert flag.reasons == (
        "Ka,r 6,200 mGy > 5,000 mGy [STECKER2009]",
        "fluoroscopy 70 min > 60 min [STECKER2009]",
    )
    assert flag.missing == ("KAP",)


def test_entry_checks() -> None:
    entries = [LevelEntry("T12", Decimal(0)), LevelEntry("L1", Decimal(50)), LevelEntry("L9", None)]
    assert [(p.field, p.kind, p.message) for p in check_levels(entries)] == [
        ("levels[0].volume_ml", "error", "the cement volume must be more than 0 mL"),
        (
            "levels[1].volume_ml",
            "confirm",
            "50 mL at L1 is outside 0.5–15 mL: confirm it is mL (a unit error is likely)",
        ),
        ("levels[2].level", "error", "unknown level 'L9'"),
    ]
    assert check_levels([LevelEntry("L1", Decimal(50))], volumes_confirmed=True) == []
    edges = [LevelEntry("T11", Decimal("0.5")), LevelEntry("T12", Decimal(15))]
    assert check_levels(edges) == []
    assert check_levels([LevelEntry("T12", Decimal("15.01"))])[0].kind == "confirm"
    four = [LevelEntry(level, Decimal(3)) for level in ("T11", "T12", "L1", "L2")]
    assert [(p.field, p.kind) for p in check_levels(four)] == [("levels_reason", "reason")]
    assert check_levels(four, levels_reason="Multiple myeloma, painful levels") == []
    twice = check_levels([LevelEntry("L1", None), LevelEntry("L1", None)])
    assert twice[0].message == "L1 is entered twice"


def test_an_end_before_its_start_is_refused() -> None:
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    assert check_interval("observation", start, start - dt.timedelta(minutes=1))[0].message == (
        "the end is before the start"
    )
    assert check_interval("observation", start, start) == []
    assert check_interval("observation", start, None) == []
