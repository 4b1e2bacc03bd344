"""PRE-ANTITHROMBOTIC against clinical-reference §2.5: each drug's hold interval from the
reference's table, the earliest date (last dose + interval), and the day before it refused.

Day-based holds: earliest date = last-dose date + N days (the dose day is day 0; the procedure
may be on day N). Hour-based with only a date: + ceil(H / 24) + 1 days; with a dose time: the
last dose + H hours. Present when no date is planned or it is earlier than the earliest date;
absent on or after it; missing for an unknown drug or an absent last-dose date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from vertebra.evaluation.rules import RuleSettings, evaluate, parse_snapshot
from vertebra.evaluation.rules import holds as holds_module
from vertebra.evaluation.tests.rule_caches import clear_rule_caches

LAST_DOSE = dt.date(2026, 12, 1)

# §2.5 [ASRA2018]: drug as recorded → hold in days (CrCl not recorded; LMWH/UFH below).
DAY_HOLDS = [
    ("aspirin", 6),
    ("clopidogrel", 7),
    ("prasugrel", 10),
    ("ticagrelor", 5),
    ("warfarin", 5),
    ("dabigatran", 6),  # 6 unless a creatinine clearance ≥ 50 mL/min is recorded
    ("rivaroxaban", 3),
    ("apixaban", 3),
    ("edoxaban", 3),
    ("ibuprofen", 1),
    ("naproxen", 4),
]
# Brand names and spellings the reference's "listed brand synonyms" cover.
BRANDS = [
    ("Xarelto", 3),
    ("ELIQUIS 5 mg twice daily", 3),
    ("Plavix", 7),
    ("Brilinta", 5),
    ("Effient", 10),
    ("Coumadin", 5),
    ("Pradaxa", 6),
    ("Lixiana", 3),
    ("acetylsalicylic acid 100 mg", 6),
    ("Low-Molecular-Weight Heparin", None),  # hour-based, below
    ("Advil", 1),
    ("Aleve", 4),
]
CONFIRM = {"aspirin", "clopidogrel", "prasugrel", "ticagrelor"}


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    clear_rule_caches()
    yield
    clear_rule_caches()


def holds(
    drugs: list[dict[str, Any]],
    planned: dt.date | None,
    crcl: Any = None,
    settings: RuleSettings | None = None,
) -> list[Any]:
    coagulation: dict[str, Any] = {"anticoagulants": drugs}
    if crcl is not None:
        coagulation["crcl_ml_min"] = crcl
    data: dict[str, Any] = {"coagulation": coagulation}
    if planned is not None:
        data["planned_procedure_date"] = planned.isoformat()
    result = evaluate(parse_snapshot(data), settings or RuleSettings())
    found = [f for f in result.findings if f.rule == "PRE-ANTITHROMBOTIC"]
    for finding in found:
        assert (finding.kind, finding.level) == ("precondition", None)
        assert finding.source == "[ASRA2018]"
        assert finding.message.endswith("[ASRA2018]")
    assert result.decision == "incomplete"  # the holds never decide: nothing else recorded
    return found


def hold(drug: str, planned: dt.date | None, **entry: Any) -> Any:
    crcl = entry.pop("crcl", None)
    settings = entry.pop("settings", None)
    (finding,) = holds([{"drug": drug, **entry}], planned, crcl, settings)
    return finding


@pytest.mark.parametrize(("drug", "days"), DAY_HOLDS + [b for b in BRANDS if b[1] is not None])
def test_day_based_hold(drug: str, days: int) -> None:
    earliest = LAST_DOSE + dt.timedelta(days=days)
    on_day = hold(drug, earliest, last_dose_date=LAST_DOSE.isoformat())
    assert (on_day.status, on_day.earliest_date) == ("absent", earliest)
    assert f"earliest {earliest.isoformat()}" in on_day.message
    assert "respects it" in on_day.message
    day_before = hold(drug, earliest - dt.timedelta(days=1), last_dose_date=LAST_DOSE.isoformat())
    assert (day_before.status, day_before.earliest_date) == ("present", earliest)
    assert "too early" in day_before.message
    day_after = hold(drug, earliest + dt.timedelta(days=1), last_dose_date=LAST_DOSE.isoformat())
    assert day_after.status == "absent"
    unit = "day" if days == 1 else "days"
    assert f"Hold {drug} {days} {unit}" in on_day.message
    not_planned = hold(drug, None, last_dose_date=LAST_DOSE.isoformat())
    assert (not_planned.status, not_planned.earliest_date) == ("present", earliest)
    assert "no procedure date planned" in not_planned.message


@pytest.mark.parametrize(("drug", "days"), DAY_HOLDS)
def test_confirm_with_the_prescriber_for_antiplatelets_only(drug: str, days: int) -> None:
    finding = hold(drug, None, last_dose_date=LAST_DOSE.isoformat())
    assert ("confirm with the prescriber or cardiologist" in finding.message) == (drug in CONFIRM)
    assert ("check the INR has normalised (≤ 1.5)" in finding.message) == (drug == "warfarin")


def test_rivaroxaban_is_three_days_not_two() -> None:
    assert hold("rivaroxaban", dt.date(2026, 12, 4), last_dose_date="2026-12-01").status == "absent"
    assert (
        hold("rivaroxaban", dt.date(2026, 12, 3), last_dose_date="2026-12-01").status == "present"
    )


@pytest.mark.parametrize(
    ("crcl", "days"),
    [(None, 6), (Decimal("49"), 6), (Decimal("49.9"), 6), (Decimal("50"), 5), (Decimal("51"), 5)],
)
def test_dabigatran_by_creatinine_clearance(crcl: Decimal | None, days: int) -> None:
    earliest = LAST_DOSE + dt.timedelta(days=days)
    finding = hold("dabigatran", earliest, last_dose_date=LAST_DOSE.isoformat(), crcl=crcl)
    assert (finding.status, finding.earliest_date) == ("absent", earliest)
    before = hold(
        "dabigatran",
        earliest - dt.timedelta(days=1),
        last_dose_date=LAST_DOSE.isoformat(),
        crcl=crcl,
    )
    assert before.status == "present"
    assert ("creatinine clearance ≥ 50 mL/min" in finding.message) == (days == 6)


def test_dabigatran_threshold_is_a_setting() -> None:
    settings = RuleSettings(dabigatran_crcl_min_ml_min=Decimal(30))
    finding = hold(
        "dabigatran",
        None,
        last_dose_date=LAST_DOSE.isoformat(),
        crcl=Decimal(30),
        settings=settings,
    )
    assert finding.earliest_date == LAST_DOSE + dt.timedelta(days=5)
    below = hold(
        "dabigatran",
        None,
        last_dose_date=LAST_DOSE.isoformat(),
        crcl=Decimal(29),
        settings=settings,
    )
    assert below.earliest_date == LAST_DOSE + dt.timedelta(days=6)
    assert "≥ 30 mL/min" in below.message


# Hour-based: LMWH prophylactic 12 h, therapeutic (or not stated) 24 h; UFH subcutaneous 24 h.
@pytest.mark.parametrize(
    ("drug", "intensity", "hours"),
    [
        ("enoxaparin", "prophylactic", 12),
        ("enoxaparin", "therapeutic", 24),
        ("enoxaparin", None, 24),
        ("dalteparin", "prophylactic", 12),
        ("heparin", None, 24),
    ],
)
def test_hour_based_hold_with_only_a_date(drug: str, intensity: str | None, hours: int) -> None:
    entry: dict[str, Any] = {"last_dose_date": LAST_DOSE.isoformat()}
    if intensity:
        entry["intensity"] = intensity
    whole_days = -(-hours // 24) + 1  # ceil(H / 24) + 1
    earliest = LAST_DOSE + dt.timedelta(days=whole_days)
    finding = hold(drug, earliest, **entry)
    assert (finding.status, finding.earliest_date) == ("absent", earliest)
    assert f"{hours} hours" in finding.message
    before = hold(drug, earliest - dt.timedelta(days=1), **entry)
    assert before.status == "present"
    assert ("intensity not stated" in finding.message) == (drug != "heparin" and intensity is None)


@pytest.mark.parametrize(
    ("intensity", "time", "earliest", "shown"),
    [
        ("prophylactic", "08:00", dt.date(2026, 12, 1), "2026-12-01 from 20:00"),
        ("prophylactic", "12:00", dt.date(2026, 12, 2), "2026-12-02 from 00:00"),
        ("prophylactic", "11:59", dt.date(2026, 12, 1), "2026-12-01 from 23:59"),
        ("therapeutic", "08:00", dt.date(2026, 12, 2), "2026-12-02 from 08:00"),
        (None, "23:30", dt.date(2026, 12, 2), "2026-12-02 from 23:30"),
    ],
)
def test_hour_based_hold_with_a_dose_time(
    intensity: str | None, time: str, earliest: dt.date, shown: str
) -> None:
    entry: dict[str, Any] = {"last_dose_date": "2026-12-01", "last_dose_time": time}
    if intensity:
        entry["intensity"] = intensity
    finding = hold("enoxaparin", earliest, **entry)
    assert (finding.status, finding.earliest_date) == ("absent", earliest)
    assert f"earliest {shown}" in finding.message
    assert hold("enoxaparin", earliest - dt.timedelta(days=1), **entry).status == "present"


def test_a_day_based_hold_ignores_the_dose_time() -> None:
    finding = hold("apixaban", None, last_dose_date="2026-12-01", last_dose_time="23:00")
    assert finding.earliest_date == dt.date(2026, 12, 4)
    assert "from" not in finding.message.split("earliest")[1].split(";")[0]


@pytest.mark.parametrize(
    ("setting", "drug", "amount", "earliest"),
    [
        ("hold_rivaroxaban_days", "rivaroxaban", 4, dt.date(2026, 12, 5)),
        ("hold_aspirin_days", "aspirin", 7, dt.date(2026, 12, 8)),
        ("hold_lmwh_prophylactic_hours", "enoxaparin", 36, dt.date(2026, 12, 4)),
    ],
)
def test_intervals_are_settings(setting: str, drug: str, amount: int, earliest: dt.date) -> None:
    settings = RuleSettings.from_dict({setting: amount})
    entry: dict[str, Any] = {"last_dose_date": "2026-12-01"}
    if "prophylactic" in setting:
        entry["intensity"] = "prophylactic"
    finding = hold(drug, None, settings=settings, **entry)
    assert finding.earliest_date == earliest


def test_unknown_drug_and_missing_dates() -> None:
    unknown = hold("mystery-drug", dt.date(2026, 12, 20), last_dose_date="2026-12-01")
    assert (unknown.status, unknown.earliest_date) == ("missing", None)
    assert "hold interval unknown: ask the prescriber" in unknown.message
    nsaid = hold("diclofenac", dt.date(2026, 12, 20), last_dose_date="2026-12-01")
    assert nsaid.status == "missing"
    assert "half-life" in nsaid.message
    undated = hold("apixaban", dt.date(2026, 12, 20))
    assert (undated.status, undated.earliest_date) == ("missing", None)
    assert "Hold apixaban 3 days: record the date of the last dose" in undated.message
    far = hold("apixaban", None, last_dose_date="9999-12-30")
    assert (far.status, far.earliest_date) == ("missing", None)
    assert "check it" in far.message


def test_no_drug_list_and_an_empty_one() -> None:
    data = parse_snapshot({"coagulation": {"inr": Decimal("1.0")}})
    (review,) = [
        f for f in evaluate(data, RuleSettings()).findings if f.rule == "PRE-ANTITHROMBOTIC"
    ]
    assert review.status == "missing"
    (none,) = holds([], dt.date(2026, 12, 10))
    assert none.status == "absent"
    assert none.message.startswith("No antithrombotic medication")


def test_one_finding_per_drug_in_order() -> None:
    found = holds(
        [
            {"drug": "aspirin", "last_dose_date": "2026-12-01"},
            {"drug": "apixaban", "last_dose_date": "2026-12-08"},
        ],
        dt.date(2026, 12, 10),
    )
    assert [(f.status, f.earliest_date) for f in found] == [
        ("absent", dt.date(2026, 12, 7)),
        ("present", dt.date(2026, 12, 11)),
    ]


def test_drug_table_matching() -> None:
    def key(name: str) -> str | None:
        drug = holds_module.match_drug(name)
        return None if drug is None else drug.key

    assert key("Xarelto 20 mg") == "rivaroxaban"
    assert key("  ELIQUIS  ") == "apixaban"
    assert key("low molecular weight heparin") == "lmwh"
    assert key("Low-molecular-weight heparin 40 mg") == "lmwh"
    assert key("aspirinx") is None
    assert key("apixabanum") is None
    assert key("") is None


def test_hold_table_defaults_are_the_reference_values() -> None:
    amounts = holds_module.default_amounts()
    assert amounts == {
        "hold_aspirin_days": 6,
        "hold_clopidogrel_days": 7,
        "hold_prasugrel_days": 10,
        "hold_ticagrelor_days": 5,
        "hold_warfarin_days": 5,
        "hold_dabigatran_days": 6,
        "hold_dabigatran_good_renal_days": 5,
        "hold_rivaroxaban_days": 3,
        "hold_apixaban_days": 3,
        "hold_edoxaban_days": 3,
        "hold_lmwh_prophylactic_hours": 12,
        "hold_lmwh_therapeutic_hours": 24,
        "hold_ufh_subcutaneous_hours": 24,
        "hold_ibuprofen_days": 1,
        "hold_naproxen_days": 4,
    }
    assert holds_module.earliest_after(LAST_DOSE, None, "days", 3) == (dt.date(2026, 12, 4), None)
    assert holds_module.earliest_after(LAST_DOSE, None, "hours", 25) == (dt.date(2026, 12, 4), None)
    assert holds_module.earliest_after(LAST_DOSE, None, "hours", 48) == (dt.date(2026, 12, 4), None)
    assert holds_module.earliest_after(LAST_DOSE, None, "hours", 49) == (dt.date(2026, 12, 5), None)
    assert holds_module.earliest_after(LAST_DOSE, dt.time(8), "hours", 12) == (
        dt.date(2026, 12, 1),
        dt.time(20),
    )


@pytest.mark.parametrize(
    ("drug", "entry", "planned", "message"),
    [
        (
            "ibuprofen",
            {"last_dose_date": "2026-12-01"},
            dt.date(2026, 12, 2),
            "Hold ibuprofen 1 day: earliest 2026-12-02; the planned date 2026-12-02 respects it.",
        ),
        (
            "apixaban",
            {"last_dose_date": "2026-12-01"},
            dt.date(2026, 12, 3),
            "Hold apixaban 3 days: earliest 2026-12-04; the planned date 2026-12-03 is too early.",
        ),
        (
            "aspirin",
            {"last_dose_date": "2026-12-01"},
            None,
            "Hold aspirin 6 days: earliest 2026-12-07; no procedure date planned (confirm with "
            "the prescriber or cardiologist before stopping (secondary prevention or a recent "
            "stent needs a shared decision)).",
        ),
        (
            "enoxaparin",
            {"last_dose_date": "2026-12-01", "last_dose_time": "08:00"},
            dt.date(2026, 12, 2),
            "Hold enoxaparin 24 hours: earliest 2026-12-02 from 08:00; the planned date "
            "2026-12-02 respects it (intensity not stated: therapeutic interval used).",
        ),
        (
            "diclofenac",
            {"last_dose_date": "2026-12-01"},
            None,
            "diclofenac (NSAID (hold by half-life)): hold interval depends on the drug's "
            "half-life: ask the prescriber.",
        ),
        (
            "warfarin",
            {},
            None,
            "Hold warfarin 5 days: record the date of the last dose (and check the INR has "
            "normalised (≤ 1.5)).",
        ),
    ],
)
def test_hold_messages(
    drug: str, entry: dict[str, Any], planned: dt.date | None, message: str
) -> None:
    assert hold(drug, planned, **entry).message == f"{message} [ASRA2018]"


def test_hold_messages_remembered_per_drug_and_intensity() -> None:
    """The texts of a hold are remembered per settings object: asked again in any order,
    each drug keeps its own interval."""
    settings = RuleSettings()
    for _ in range(2):
        for drug, intensity, text in (
            ("enoxaparin", "prophylactic", "Hold enoxaparin 12 hours"),
            ("enoxaparin", None, "Hold enoxaparin 24 hours"),
            ("apixaban", None, "Hold apixaban 3 days"),
        ):
            entry: dict[str, Any] = {"last_dose_date": "2026-12-01"}
            if intensity:
                entry["intensity"] = intensity
            assert hold(drug, None, settings=settings, **entry).message.startswith(text)
