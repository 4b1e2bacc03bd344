"""Procedure-record rules checked against clinical-reference §4 (not against the code's output).

Every expectation below is read from the reference (§4.1 step 2 dose thresholds, §4.2 entry
limits, §4.6 codes, §5.1 follow-up) or from docs/clinical/procedure-record.md where it states
the reference's choice. Thresholds are checked just below, at and just above the boundary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from vertebra.procedures.rules.checks import LevelEntry, check_interval, check_levels
from vertebra.procedures.rules.coding import TreatedLevel, compute_coding
from vertebra.procedures.rules.dose import (
    DoseError,
    DoseThresholds,
    convert,
    plain_number,
    substantial_dose,
)
from vertebra.procedures.rules.followup import Visit, add_months, followup_dates
from vertebra.procedures.rules.record import sign_blockers, warnings

CERVICAL = tuple(f"C{n}" for n in range(1, 8))
THORACIC = tuple(f"T{n}" for n in range(1, 13))
LUMBAR = tuple(f"L{n}" for n in range(1, 6))
SACRAL = ("S1",)


def _cpt(levels: list[TreatedLevel]) -> list[str]:
    return [code.code for code in compute_coding(levels).procedure]


# --- §4.6 CPT: every row of the table, for every level of its region -------------------------

# (region levels, kyphoplasty?, first-level code, add-on code); None: code by hand.
CPT_TABLE = [
    (CERVICAL, False, "22510", "22512"),  # vertebroplasty, first cervicothoracic level
    (THORACIC, False, "22510", "22512"),
    (LUMBAR, False, "22511", "22512"),  # first lumbosacral level
    (SACRAL, False, "22511", "22512"),
    (THORACIC, True, "22513", "22515"),  # augmentation with cavity creation: thoracic
    (LUMBAR, True, "22514", "22515"),  # lumbar
    (CERVICAL, True, None, None),  # 22513/22514 name thoracic and lumbar only: code by hand
    (SACRAL, True, None, None),
]


@pytest.mark.parametrize(
    ("level", "kyphoplasty", "first", "add_on"),
    [
        (level, kyphoplasty, first, add_on)
        for levels, kyphoplasty, first, add_on in CPT_TABLE
        for level in levels
    ],
)
def test_every_level_of_every_region_gets_its_cpt_code(
    level: str, kyphoplasty: bool, first: str | None, add_on: str | None
) -> None:
    single = compute_coding([TreatedLevel(level, "osteoporotic", kyphoplasty)])
    if first is None:
        assert single.procedure == ()
        assert any("code by hand" in note for note in single.notes)
        assert any(level in note for note in single.notes)
        return
    assert [(c.system, c.code, c.levels) for c in single.procedure] == [("CPT", first, (level,))]
    # A second level (of the same technique) adds one add-on code, whatever its region.
    other = "L3" if level != "L3" else "T8"
    pair = _cpt(
        [TreatedLevel(level, "osteoporotic", kyphoplasty), TreatedLevel(other, None, kyphoplasty)]
    )
    assert pair == [first, add_on]


@pytest.mark.parametrize("level", CERVICAL)
def test_cervical_kyphoplasty_is_coded_by_hand_never_22513(level: str) -> None:
    coding = compute_coding([TreatedLevel(level, "osteoporotic", cavity_creation=True)])
    assert "22513" not in _cpt([TreatedLevel(level, "osteoporotic", True)])
    assert coding.procedure == ()
    assert "code by hand" in coding.notes[0]
    # The same level by vertebroplasty is cervicothoracic: 22510.
    assert _cpt([TreatedLevel(level, "osteoporotic")]) == ["22510"]


def test_the_first_level_treated_decides_and_each_further_level_is_an_add_on() -> None:
    levels = [TreatedLevel(name, "osteoporotic") for name in ("L1", "T12", "T11", "L2")]
    coding = compute_coding(levels)
    assert [(c.code, c.levels) for c in coding.procedure] == [
        ("22511", ("L1",)),
        ("22512", ("T12",)),
        ("22512", ("T11",)),
        ("22512", ("L2",)),
    ]
    kypho = [TreatedLevel(name, "osteoporotic", True) for name in ("T12", "L1", "L2")]
    assert _cpt(kypho) == ["22513", "22515", "22515"]


def test_mixed_techniques_and_unknown_levels_are_left_to_the_coder() -> None:
    mixed = compute_coding(
        [TreatedLevel("L1", "osteoporotic", True), TreatedLevel("L2", "osteoporotic")]
    )
    assert mixed.procedure == ()
    assert "code by hand" in mixed.notes[0]
    unknown = compute_coding([TreatedLevel("X9", "osteoporotic")])
    assert unknown.procedure == ()
    assert "X9" in unknown.notes[0]
    empty = compute_coding([])
    assert (empty.procedure, empty.diagnosis) == ((), ())
    assert empty.notes == ("No level treated: no procedure code.",)


def test_cpt_texts_name_the_technique() -> None:
    (vp,) = compute_coding([TreatedLevel("T8", "osteoporotic")]).procedure
    assert "vertebroplasty" in vp.text.lower()
    assert vp.incomplete is False
    (kp,) = compute_coding([TreatedLevel("T8", "osteoporotic", True)]).procedure
    assert "cavity creation" in kp.text
    assert compute_coding([]).version == "vertebra-codes-1"


# --- §4.6 ICD-10-CM by etiology and region ---------------------------------------------------

# (etiology, level) -> [(code, incomplete)]; [] with a "code by hand" note.
ICD_TABLE = [
    ("osteoporotic", "T8", [("M80.08XA", False)]),
    ("osteoporotic", "L2", [("M80.08XA", False)]),
    ("osteoporotic", "C5", [("M80.08XA", False)]),
    ("metastasis", "T8", [("M84.58XA", False), ("C79.51", False)]),
    ("myeloma", "L2", [("M84.58XA", False), ("C90.0-", True)]),
    ("traumatic", "T8", [("S22.0-", True)]),
    ("traumatic", "L2", [("S32.0-", True)]),
    ("traumatic", "C5", []),
    ("unknown", "T8", [("M48.54XA", False)]),
    ("unknown", "L2", [("M48.56XA", False)]),
    (None, "T12", [("M48.54XA", False)]),
    (None, "L1", [("M48.56XA", False)]),
    (None, "S1", []),
    ("unknown", "C3", []),
    ("haemangioma", "T8", []),
]


@pytest.mark.parametrize(("etiology", "level", "codes"), ICD_TABLE)
def test_icd10_code_by_etiology_and_region(
    etiology: str | None, level: str, codes: list[tuple[str, bool]]
) -> None:
    coding = compute_coding([TreatedLevel(level, etiology)])
    assert [(c.system, c.code, c.incomplete, c.levels) for c in coding.diagnosis] == [
        ("ICD-10-CM", code, incomplete, (level,)) for code, incomplete in codes
    ]
    incomplete_note = any("need their last characters" in note for note in coding.notes)
    assert incomplete_note == any(incomplete for _, incomplete in codes)
    if not codes:
        assert any(level in note and "code by hand" in note for note in coding.notes)
    if etiology in (None, "unknown") and codes:
        assert any("M48.55XA" in note and level in note for note in coding.notes)
    if not codes and etiology is None:
        assert any("not recorded" in note for note in coding.notes)


def test_one_diagnosis_code_lists_every_level_it_covers() -> None:
    coding = compute_coding(
        [
            TreatedLevel("T12", "osteoporotic"),
            TreatedLevel("L1", "osteoporotic"),
            TreatedLevel("L2", "metastasis"),
        ]
    )
    assert [(c.code, c.levels) for c in coding.diagnosis] == [
        ("M80.08XA", ("T12", "L1")),
        ("M84.58XA", ("L2",)),
        ("C79.51", ("L2",)),
    ]
    assert coding.notes == ()


# --- §4.1 step 2 substantial radiation dose [STECKER2009]: Ka,r > 5 Gy, KAP > 500, > 60 min ----

D = Decimal


@pytest.mark.parametrize(
    ("field", "below", "at", "above"),
    [
        ("kar_mgy", D("4999.9"), D(5000), D("5000.1")),
        ("kap_gy_cm2", D("499.9"), D(500), D("500.1")),
        ("fluoroscopy_s", D(3599), D(3600), D(3601)),
    ],
)
def test_substantial_dose_boundary(field: str, below: Decimal, at: Decimal, above: Decimal) -> None:
    others = {"kar_mgy": D(0), "kap_gy_cm2": D(0), "fluoroscopy_s": D(0)}

    def flag(value: Decimal) -> bool | None:
        return substantial_dose(**{**others, field: value}).substantial

    assert flag(below) is False
    assert flag(at) is False  # a value exactly at a threshold is not above it
    assert flag(above) is True
    result = substantial_dose(**{**others, field: above})
    assert len(result.reasons) == 1
    assert result.reasons[0].endswith("[STECKER2009]")
    assert result.missing == ()


def test_substantial_dose_reasons_state_value_and_threshold() -> None:
    result = substantial_dose(kar_mgy=D(6000), kap_gy_cm2=D(600), fluoroscopy_s=D(3900))
    assert result.substantial is True
    assert result.reasons == (
        "Ka,r 6,000 mGy > 5,000 mGy [STECKER2009]",
        "KAP 600 Gy·cm² > 500 Gy·cm² [STECKER2009]",
        "fluoroscopy 65 min > 60 min [STECKER2009]",
    )


def test_dose_unknown_when_nothing_recorded_and_partial_otherwise() -> None:
    none = substantial_dose(kar_mgy=None, kap_gy_cm2=None, fluoroscopy_s=None)
    assert none.substantial is None
    assert none.missing == ("Ka,r", "KAP", "fluoroscopy time")
    some = substantial_dose(kar_mgy=None, kap_gy_cm2=D(10), fluoroscopy_s=None)
    assert some.substantial is False
    assert some.missing == ("Ka,r", "fluoroscopy time")
    high = substantial_dose(kar_mgy=None, kap_gy_cm2=None, fluoroscopy_s=D(3700))
    assert high.substantial is True
    assert high.missing == ("Ka,r", "KAP")
    only_kar = substantial_dose(kar_mgy=D(1), kap_gy_cm2=None, fluoroscopy_s=None)
    assert only_kar.substantial is False


def test_dose_thresholds_are_settings_with_the_reference_defaults() -> None:
    defaults = DoseThresholds()
    assert (defaults.kar_mgy, defaults.kap_gy_cm2, defaults.fluoroscopy_s) == (5000, 500, 3600)
    stricter = DoseThresholds(kar_mgy=D(3000), kap_gy_cm2=D(300), fluoroscopy_s=D(1800))
    flagged = substantial_dose(
        kar_mgy=D(3001), kap_gy_cm2=D(301), fluoroscopy_s=D(1801), thresholds=stricter
    )
    assert flagged.substantial is True
    assert len(flagged.reasons) == 3
    assert (
        substantial_dose(
            kar_mgy=D(3000), kap_gy_cm2=D(300), fluoroscopy_s=D(1800), thresholds=stricter
        ).substantial
        is False
    )


# --- §4.2 dose units: converted on entry, visibly ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "amount", "unit", "stored", "shown"),
    [
        ("kap", "1250", "cGy·cm²", D("12.5"), "1,250 cGy·cm² = 12.5 Gy·cm²"),
        ("kap", "100", "µGy·m²", D(1), "100 µGy·m² = 1 Gy·cm²"),
        ("kap", "10", "dGy·cm²", D(1), "10 dGy·cm² = 1 Gy·cm²"),
        ("kap", "2000", "mGy·cm²", D(2), "2,000 mGy·cm² = 2 Gy·cm²"),
        ("kap", "42", "Gy·cm²", D(42), "42 Gy·cm²"),
        ("kar", "1.5", "Gy", D(1500), "1.5 Gy = 1,500 mGy"),
        ("kar", "2500", "µGy", D("2.5"), "2,500 µGy = 2.5 mGy"),
        ("kar", "300", "mGy", D(300), "300 mGy"),
        ("fluoroscopy", "2", "min", D(120), "2 min = 120 s"),
        ("fluoroscopy", "95", "s", D(95), "95 s"),
        ("fluoroscopy", "0", "s", D(0), "0 s"),
        ("kap", " 1,250 ", "cGy·cm²", D("12.5"), "1,250 cGy·cm² = 12.5 Gy·cm²"),
    ],
)
def test_dose_units_convert_to_the_stored_unit(
    field: str, amount: str, unit: str, stored: Decimal, shown: str
) -> None:
    converted = convert(field, amount, unit)
    assert converted.value == stored
    assert converted.shown == shown


@pytest.mark.parametrize(
    ("field", "amount", "unit", "message"),
    [
        ("kap", "-1", "Gy·cm²", "must be zero or more"),
        ("kap", "-0.001", "Gy·cm²", "must be zero or more"),
        ("kar", "abc", "mGy", "'abc' is not a number"),
        ("kar", "NaN", "mGy", "must be zero or more"),
        ("kar", "Infinity", "mGy", "must be zero or more"),
        ("kap", "5", "Gy·m²", "unit 'Gy·m²' is not one of"),
        ("fluoroscopy", "5", "h", "unit 'h' is not one of s, min"),
    ],
)
def test_dose_entry_refuses(field: str, amount: str, unit: str, message: str) -> None:
    with pytest.raises(DoseError) as caught:
        convert(field, amount, unit)
    assert caught.value.field == field
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")


def test_plain_number_groups_thousands_and_drops_trailing_zeros() -> None:
    assert plain_number(D("1250.00")) == "1,250"
    assert plain_number(D("12.50")) == "12.5"
    assert plain_number(D("1234567.25")) == "1,234,567.25"
    assert plain_number(D("-1500")) == "-1,500"
    assert plain_number(D("0.001")) == "0.001"


# --- §4.2 entry checks ------------------------------------------------------------------------


def _kinds(entries: list[LevelEntry], **kwargs: object) -> list[tuple[str, str]]:
    return [(p.field, p.kind) for p in check_levels(entries, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        (D(0), "error"),  # ≤ 0 refused
        (D("-1"), "error"),
        (D("0.49"), "confirm"),  # outside 0.5–15 mL: confirm it is mL
        (D("0.5"), None),
        (D("0.51"), None),
        (D("14.9"), None),
        (D(15), None),
        (D("15.1"), "confirm"),
    ],
)
def test_cement_volume_limits(volume: Decimal, expected: str | None) -> None:
    problems = check_levels([LevelEntry("L1", volume)])
    assert [p.kind for p in problems] == ([] if expected is None else [expected])
    if expected is not None:
        assert problems[0].field == "levels[0].volume_ml"
    if expected == "confirm":
        assert "0.5–15 mL" in problems[0].message
        assert check_levels([LevelEntry("L1", volume)], volumes_confirmed=True) == []
    if expected == "error":
        assert check_levels([LevelEntry("L1", volume)], volumes_confirmed=True)[0].kind == "error"


def test_more_than_three_levels_need_a_reason() -> None:
    three = [LevelEntry(name, D(3)) for name in ("T12", "L1", "L2")]
    four = [*three, LevelEntry("L3", D(3))]
    assert check_levels(three) == []
    problems = check_levels(four)
    assert [(p.field, p.kind) for p in problems] == [("levels_reason", "reason")]
    assert "4 levels" in problems[0].message
    assert "[LCD]" in problems[0].message
    assert check_levels(four, levels_reason="  ") == problems
    assert check_levels(four, levels_reason="multiple myeloma") == []


def test_level_names_and_duplicates() -> None:
    every = [LevelEntry(name, None) for name in (*CERVICAL, *THORACIC, *LUMBAR, *SACRAL)]
    assert _kinds(every, levels_reason="all") == []
    assert _kinds([LevelEntry("S2", None)]) == [("levels[0].level", "error")]
    assert _kinds([LevelEntry("L6", None)]) == [("levels[0].level", "error")]
    twice = check_levels([LevelEntry("L1", None), LevelEntry("L1", None)])
    assert [(p.field, p.kind) for p in twice] == [("levels[1].level", "error")]
    assert "twice" in twice[0].message


def test_an_end_before_its_start_is_refused() -> None:
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert check_interval("procedure", start, start) == []
    assert check_interval("procedure", start, start + dt.timedelta(seconds=1)) == []
    refused = check_interval("procedure", start, start - dt.timedelta(seconds=1))
    assert [(p.field, p.kind) for p in refused] == [("procedure", "error")]
    assert check_interval("procedure", None, start) == []
    assert check_interval("procedure", start, None) == []


# --- §5.1 follow-up schedule -------------------------------------------------------------------


def test_default_follow_up_schedule_and_windows() -> None:
    visits = followup_dates(dt.date(2026, 12, 1))
    assert [(v.due, v.earliest, v.latest) for v in visits] == [
        (dt.date(2026, 12, 2), dt.date(2026, 12, 2), dt.date(2026, 12, 5)),  # day 1
        (dt.date(2026, 12, 22), dt.date(2026, 12, 15), dt.date(2026, 12, 29)),  # 2–4 weeks
        (dt.date(2027, 3, 1), dt.date(2027, 2, 15), dt.date(2027, 3, 15)),  # 3 months ±14
        (dt.date(2027, 6, 1), dt.date(2027, 5, 18), dt.date(2027, 6, 15)),
        (dt.date(2027, 12, 1), dt.date(2027, 11, 17), dt.date(2027, 12, 15)),
    ]
    assert "24–48" in visits[0].label


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 12, 15), 12, dt.date(2027, 12, 15)),
        (dt.date(2026, 1, 15), 11, dt.date(2026, 12, 15)),
        (dt.date(2026, 3, 31), 0, dt.date(2026, 3, 31)),
    ],
)
def test_calendar_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_a_schedule_is_a_parameter() -> None:
    (visit,) = followup_dates(
        dt.date(2027, 1, 31),
        (Visit("x", days=2, months=1, window_before_days=1, window_after_days=3),),
    )
    assert (visit.label, visit.due, visit.earliest, visit.latest) == (
        "x",
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 5),
    )


# --- §4.1 what signing needs (procedure-record.md, "to sign") and the warnings ---------------

# The complete record of the record-rule tests: the same facts, one definition.
from vertebra.procedures.tests.test_record_rules import COMPLETE, LEVEL, T0  # noqa: E402


def test_an_empty_record_lists_everything_signing_needs() -> None:
    empty = dataclasses.replace(
        COMPLETE,
        ended_at=None,
        position="",
        time_out_done=None,
        sedation_level="",
        modality="",
        levels=(),
        no_adverse_events=None,
        observation_start=None,
        observation_end=None,
        neuro_check="",
        recovery_scale="",
        recovery_score=None,
        disposition="",
        discharged_at=None,
        discharge_criteria_met=None,
    )
    assert sign_blockers(COMPLETE) == []
    assert sign_blockers(empty) == [
        "the procedure end time",
        "the patient's position",
        "whether the time-out was done",
        "the anaesthesia / sedation",
        "the imaging guidance modality",
        "at least one level treated",
        'the adverse events (or "no adverse event")',
        "the observation start",
        "the observation end",
        "the neurological check against baseline",
        "the recovery score's scale",
        "the recovery score",
        "the disposition (home the same day or admitted)",
    ]


def test_an_empty_level_lists_everything_signing_needs() -> None:
    level = dataclasses.replace(
        LEVEL,
        approach="",
        side="",
        needle_gauge=None,
        biopsy_taken=None,
        cement_product="",
        cement_viscosity="",
        cement_lot="",
        cement_expiry=None,
        volume_ml=None,
        leakage="",
    )
    assert sign_blockers(dataclasses.replace(COMPLETE, levels=(level,))) == [
        "L1: the approach",
        "L1: the side(s)",
        "L1: the needle gauge",
        "L1: whether a biopsy was taken",
        "L1: the cement product",
        "L1: the cement viscosity",
        "L1: the cement lot number",
        "L1: the cement expiry date",
        "L1: the cement volume",
        'L1: the cement leakage (or "no leakage")',
    ]


def test_recorded_zero_and_false_are_recorded_not_missing() -> None:
    recorded = dataclasses.replace(COMPLETE, recovery_score=0, time_out_done=False)
    assert sign_blockers(recorded) == []


def test_ends_at_their_start_are_allowed_and_before_it_refused() -> None:
    same = dataclasses.replace(COMPLETE, ended_at=T0, observation_start=T0, observation_end=T0)
    assert sign_blockers(same) == []
    before = dataclasses.replace(
        COMPLETE,
        ended_at=T0 - dt.timedelta(minutes=1),
        observation_end=COMPLETE.observation_start - dt.timedelta(minutes=1),  # type: ignore[operator]
    )
    assert sign_blockers(before) == [
        "the procedure end is before its start",
        "the observation end is before its start",
    ]


def test_a_symptomatic_leak_recorded_as_an_adverse_event_needs_no_warning() -> None:
    leak = dataclasses.replace(LEVEL, leakage="present", leaks=1, symptomatic_leaks=1)
    other = dataclasses.replace(LEVEL, level="L2", leakage="present", leaks=1, symptomatic_leaks=1)
    without = dataclasses.replace(COMPLETE, levels=(leak, other))
    assert warnings(without, min_recovery_score=9) == [
        'A symptomatic leak is recorded at L1, L2 but no adverse event "symptomatic leakage" '
        "[SIRAE2017]."
    ]
    with_event = dataclasses.replace(
        without, no_adverse_events=False, adverse_events=("symptomatic_leakage",)
    )
    assert warnings(with_event, min_recovery_score=9) == []


def test_an_expired_lot_without_a_number_is_still_named() -> None:
    expired = dataclasses.replace(LEVEL, cement_lot="", cement_expiry=dt.date(2026, 11, 30))
    found = warnings(dataclasses.replace(COMPLETE, levels=(expired,)), min_recovery_score=9)
    assert found == ["L1: the cement lot (no lot) expired on 2026-11-30, before the procedure."]
    on_the_day = dataclasses.replace(LEVEL, cement_expiry=T0.date())
    assert warnings(dataclasses.replace(COMPLETE, levels=(on_the_day,)), min_recovery_score=9) == []


@pytest.mark.parametrize(("score", "warned"), [(8, True), (9, False), (10, False)])
def test_discharge_home_below_the_recovery_threshold(score: int, warned: bool) -> None:
    facts = dataclasses.replace(COMPLETE, recovery_score=score)
    found = warnings(facts, min_recovery_score=9)
    assert bool(found) == warned
    admitted = dataclasses.replace(facts, disposition="admitted", admission_reason="pain")
    assert warnings(admitted, min_recovery_score=9) == []


def test_coder_notes_wording() -> None:
    mixed = compute_coding(
        [TreatedLevel("L1", "osteoporotic", True), TreatedLevel("L2", "osteoporotic")]
    )
    assert mixed.notes == (
        "Vertebroplasty and augmentation with cavity creation in one session: the CPT "
        "families 22510–22512 and 22513–22515 are not combined automatically; code by hand.",
    )
    cervical = compute_coding([TreatedLevel("C5", "osteoporotic", True)])
    assert cervical.notes[0] == (
        "Augmentation with cavity creation at C5: CPT 22513/22514 name thoracic and lumbar "
        "levels only; code by hand."
    )
    unknown = compute_coding([TreatedLevel("T8", None)])
    assert unknown.notes == (
        "T8: etiology not recorded, coded as collapsed vertebra NEC; M48.55XA (thoracolumbar "
        "region) is the coder's choice where it applies.",
    )
    sacral = compute_coding([TreatedLevel("S1", None)])
    assert sacral.notes == (
        "S1: no diagnosis code in the reference for etiology not recorded at this level; "
        "code by hand.",
    )
    myeloma = compute_coding([TreatedLevel("L2", "myeloma")])
    assert myeloma.notes == ("Codes ending in '-' need their last characters from the code set.",)
    for code in myeloma.diagnosis:
        assert code.text
    assert "Multiple myeloma" in myeloma.diagnosis[1].text


def test_no_reason_listed_when_the_dose_is_not_substantial() -> None:
    assert substantial_dose(kar_mgy=D(1), kap_gy_cm2=D(1), fluoroscopy_s=D(1)).reasons == ()
    assert substantial_dose(kar_mgy=None, kap_gy_cm2=None, fluoroscopy_s=None).reasons == ()
