"""Antithrombotic hold intervals and the earliest safe procedure date [ASRA2018]
(clinical-reference §2.5 PRE-ANTITHROMBOTIC).

The drug table and its default intervals are versioned data in ``holds.json``; the intervals
themselves are rule settings (check each against [ASRA2018] locally).

Date arithmetic (§2.5):
- day-based holds: earliest date = last-dose date + N calendar days (dose day is day 0);
- hour-based holds with only a date: last-dose date + ceil(H / 24) + 1 days;
- hour-based holds with a last-dose time: the earliest moment is the last dose + H hours; the
  earliest date is that moment's date and the time is stated in the message.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

_DATA = json.loads(
    resources.files("vertebra.evaluation.rules").joinpath("holds.json").read_text("utf-8")
)
HOLDS_TABLE_VERSION: str = _DATA["version"]


@dataclass(frozen=True, slots=True)
class Drug:
    key: str
    label: str
    drug_class: str  # antiplatelet | anticoagulant | nsaid
    confirm_with_prescriber: bool
    source: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HoldInterval:
    setting: str
    drug: str
    variant: str  # default | prophylactic | good_renal_function
    unit: str  # days | hours
    default: int
    source: str
    label: str


DRUGS: tuple[Drug, ...] = tuple(
    Drug(
        row["key"],
        row["label"],
        row["class"],
        row["confirm_with_prescriber"],
        row["source"],
        tuple(row["names"]),
    )
    for row in _DATA["drugs"]
)
INTERVALS: tuple[HoldInterval, ...] = tuple(
    HoldInterval(
        row["setting"],
        row["drug"],
        row["variant"],
        row["unit"],
        row["default"],
        row["source"],
        row["label"],
    )
    for row in _DATA["intervals"]
)
_BY_NAME: dict[str, Drug] = {name: drug for drug in DRUGS for name in drug.names}
_INTERVALS_BY_DRUG: dict[tuple[str, str], HoldInterval] = {
    (row.drug, row.variant): row for row in INTERVALS
}


def _normalise(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


_BY_NORMALISED: dict[str, Drug] = {_normalise(name): drug for name, drug in _BY_NAME.items()}


def match_drug(name: str) -> Drug | None:
    """The table row for a recorded drug name: generic or brand, any case, dose text allowed
    after the name ("Eliquis 5 mg twice daily"). None when the drug is not in the table.

    The longest run of leading words that is a name in the table decides, so that
    "acetylsalicylic acid 100 mg" matches before a shorter name could."""
    words = _normalise(name).split(" ")
    for count in range(len(words), 0, -1):
        found = _BY_NORMALISED.get(" ".join(words[:count]))
        if found is not None:
            return found
    return None


def hold_interval(
    drug: Drug, *, intensity: str | None, good_renal_function: bool
) -> HoldInterval | None:
    """Which interval applies: LMWH by intensity (none stated → therapeutic); dabigatran the
    shorter interval only with good renal function (a creatinine clearance at or above the
    threshold setting is given)."""
    variant = "default"
    if drug.key == "lmwh" and intensity == "prophylactic":
        variant = "prophylactic"
    elif drug.key == "dabigatran" and good_renal_function:
        variant = "good_renal_function"
    return _INTERVALS_BY_DRUG.get((drug.key, variant))


def earliest_after(
    last_dose_date: dt.date, last_dose_time: dt.time | None, unit: str, amount: int
) -> tuple[dt.date, dt.time | None]:
    """The earliest safe date (and, for hour-based holds with a dose time, the time)."""
    if unit == "days":
        return last_dose_date + dt.timedelta(days=amount), None
    if last_dose_time is None:
        whole_days = -(-amount // 24)  # ceil(H / 24) in integers
        return last_dose_date + dt.timedelta(days=whole_days + 1), None
    # Naive local clinic time on purpose: a dose time has no zone, and only the date and
    # wall-clock time are reported.
    moment = dt.datetime.combine(last_dose_date, last_dose_time) + dt.timedelta(hours=amount)
    return moment.date(), moment.time()


def default_amounts() -> Mapping[str, int]:
    return {row.setting: row.default for row in INTERVALS}
