"""Pure rules of the procedure record, without a database: what signing needs, the warnings,
and the follow-up dates (§4.1, §4.2, §5.1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from vertebra.procedures.rules.followup import add_months, followup_dates
from vertebra.procedures.rules.record import LevelFacts, RecordFacts, sign_blockers, warnings

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEVEL = LevelFacts(
    level="L1",
    approach="bipedicular",
    side="both",
    needle_gauge=11,
    biopsy_taken=False,
    cement_product="PMMA",
    cement_viscosity="high",
    cement_lot="LOT-1",
    cement_expiry=dt.date(2027, 1, 1),
    volume_ml=Decimal("3.0"),
    volume_confirmed=False,
    leakage="none",
    leaks=0,
    symptomatic_leaks=0,
)
COMPLETE = RecordFacts(
    started_at=T0,
    ended_at=T0 + dt.timedelta(minutes=30),
    position="prone",
    time_out_done=True,
    sedation_level="moderate",
    modality="fluoroscopy_biplane",
    levels=(LEVEL,),
    levels_reason="",
    no_adverse_events=True,
    adverse_events=(),
    observation_start=T0 + dt.timedelta(minutes=35),
    observation_end=T0 + dt.timedelta(minutes=155),
    neuro_check="unchanged",
    neuro_note="",
    recovery_scale="aldrete",
    recovery_score=9,
    disposition="home",
    discharged_at=T0 + dt.timedelta(minutes=160),
    discharge_criteria_met=True,
    admission_reason="",
)


def with_level(**changes: object) -> RecordFacts:
    return dataclasses.replace(COMPLETE, levels=(dataclasses.replace(LEVEL, **changes),))


def test_a_complete_record_has_nothing_missing_and_no_warning() -> None:
    assert sign_blockers(COMPLETE) == []
    assert warnings(COMPLETE, min_recovery_score=9) == []


def test_a_time_out_recorded_as_not_done_is_recorded_not_missing() -> None:
    assert sign_blockers(dataclasses.replace(COMPLETE, time_out_done=False)) == []
    assert sign_blockers(dataclasses.replace(COMPLETE, time_out_done=None)) == [
        "whether the time-out was done"
    ]


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"leakage": ""}, ['L1: the cement leakage (or "no leakage")']),
        ({"leakage": "present"}, ["L1: each leak (type and location)"]),
        ({"leakage": "present", "leaks": 1}, []),
        ({"volume_ml": None}, ["L1: the cement volume"]),
        ({"biopsy_taken": None}, ["L1: whether a biopsy was taken"]),
        ({"cement_lot": "", "cement_expiry": None},
         ["L1: the cement lot number", "L1: the cement expiry date"]),
        ({"volume_ml": Decimal(16)}, ["L1: confirmation that 16 mL is in mL (outside 0.5–15 mL)"]),
        ({"volume_ml": Decimal(16), "volume_confirmed": True}, []),
        ({"volume_ml": Decimal("0.5")}, []),
        ({"volume_ml": Decimal(15)}, []),
    ],
)  # fmt: skip
def test_each_level_needs_its_technique_cement_and_leakage(
    changes: dict[str, object], missing: list[str]
) -> None:
    assert sign_blockers(with_level(**changes)) == missing


def test_more_than_three_levels_needs_the_reason() -> None:
    four = tuple(dataclasses.replace(LEVEL, level=code) for code in ("T11", "T12", "L1", "L2"))
    three = dataclasses.replace(COMPLETE, levels=four[:3])
    assert sign_blockers(three) == []
    assert sign_blockers(dataclasses.replace(COMPLETE, levels=four)) == [
        "the reason for treating 4 levels in one session [LCD]"
    ]
    assert sign_blockers(dataclasses.replace(COMPLETE, levels=four, levels_reason="Myeloma")) == []


def test_adverse_events_are_recorded_or_recorded_as_none() -> None:
    unknown = dataclasses.replace(COMPLETE, no_adverse_events=None)
    assert sign_blockers(unknown) == ['the adverse events (or "no adverse event")']
    with_event = dataclasses.replace(unknown, adverse_events=("transient_pain",))
    assert sign_blockers(with_event) == []


def test_disposition_needs_its_details() -> None:
    admitted = dataclasses.replace(COMPLETE, disposition="admitted", discharged_at=None)
    assert sign_blockers(admitted) == ["why the patient was admitted"]
    assert sign_blockers(dataclasses.replace(admitted, admission_reason="Pain control")) == []
    home = dataclasses.replace(COMPLETE, discharged_at=None, discharge_criteria_met=None)
    assert sign_blockers(home) == [
        "the discharge time",
        "whether the discharge criteria were met",
    ]


def test_times_in_the_wrong_order_and_a_new_deficit_without_findings_block() -> None:
    facts = dataclasses.replace(
        COMPLETE,
        ended_at=T0 - dt.timedelta(minutes=1),
        observation_end=T0,
        neuro_check="new_deficit",
    )
    assert sign_blockers(facts) == [
        "the procedure end is before its start",
        "the observation end is before its start",
        "the new neurological deficit's findings",
    ]


def test_warnings_never_block_and_name_what_to_check() -> None:
    facts = dataclasses.replace(
        with_level(cement_expiry=dt.date(2026, 11, 30), leakage="present", leaks=1,
                   symptomatic_leaks=1),
        recovery_score=8,
        discharge_criteria_met=False,
    )  # fmt: skip
    assert warnings(facts, min_recovery_score=9) == [
        "L1: the cement lot LOT-1 expired on 2026-11-30, before the procedure.",
        'A symptomatic leak is recorded at L1 but no adverse event "symptomatic leakage" '
        "[SIRAE2017].",
        "Discharged home with a recovery score of 8, below the clinic's threshold of 9 "
        "(§4.1, check).",
        "Discharged home although the discharge criteria were recorded as not met.",
    ]
    assert sign_blockers(facts) == []
    # The threshold is the clinic's setting, and a score at it is enough.
    assert warnings(dataclasses.replace(COMPLETE, recovery_score=8), min_recovery_score=8) == []
    # Expiring on the day of the procedure is not expired.
    assert warnings(with_level(cement_expiry=dt.date(2026, 12, 1)), min_recovery_score=9) == []


def test_follow_up_dates_from_the_procedure_day() -> None:
    d = dt.date
    visits = followup_dates(d(2026, 12, 1))
    assert [(v.label, v.due, v.earliest, v.latest) for v in visits] == [
        ("Phone call (24–48 hours)", d(2026, 12, 2), d(2026, 12, 2), d(2026, 12, 5)),
        ("Clinic visit (2–4 weeks)", d(2026, 12, 22), d(2026, 12, 15), d(2026, 12, 29)),
        ("3 months", d(2027, 3, 1), d(2027, 2, 15), d(2027, 3, 15)),
        ("6 months", d(2027, 6, 1), d(2027, 5, 18), d(2027, 6, 15)),
        ("12 months", d(2027, 12, 1), d(2027, 11, 17), d(2027, 12, 15)),
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 12, dt.date(2027, 12, 15)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_month_end(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected
