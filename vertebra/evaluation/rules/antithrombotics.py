"""PRE-ANTITHROMBOTIC (§2.5): the hold of each listed antithrombotic and its earliest safe
procedure date [ASRA2018]. The drug table, intervals and date arithmetic are in holds.py; this
is the rule and its texts. It never changes the decision.
"""

from __future__ import annotations

import datetime as dt

from vertebra.evaluation.rules import holds
from vertebra.evaluation.rules.model import Antithrombotic, CandidateSnapshot
from vertebra.evaluation.rules.results import (
    ABSENT,
    MISSING,
    PRECONDITION,
    PRESENT,
    Finding,
    restated,
)
from vertebra.evaluation.rules.settings import RuleSettings
from vertebra.evaluation.rules.sources import cite

SRC_HOLD = cite("ASRA2018")


def _hold_finding(status: str, message: str, earliest: dt.date | None) -> Finding:
    return Finding(
        "PRE-ANTITHROMBOTIC",
        PRECONDITION,
        status,
        None,
        f"{message} {SRC_HOLD}",
        SRC_HOLD,
        earliest,
    )


def _amount(unit: str, amount: int) -> str:
    singular = unit[:-1]
    return f"{amount} {singular if amount == 1 else unit}"


class _HoldPlan:
    """Everything PRE-ANTITHROMBOTIC says about one listed drug that does not depend on its
    dates: the hold interval, the "Hold <drug> <interval>" text and its notes, from the drug's
    name as recorded, its intensity, whether the creatinine clearance reaches the dabigatran
    threshold, and the settings (intervals, thresholds as printed)."""

    __slots__ = ("amount", "fixed", "hold", "tail", "undated", "unit")

    def __init__(
        self, name: str, intensity: str | None, good_renal_function: bool, settings: RuleSettings
    ) -> None:
        # The finding when no date matters (unknown drug or interval), else None.
        self.fixed: Finding | None = None
        self.unit, self.amount, self.hold, self.tail = "", 0, "", ""
        self.undated = _NOT_REVIEWED  # replaced below wherever a hold applies
        drug = holds.match_drug(name)
        if drug is None:
            self.fixed = _hold_finding(
                MISSING, f"{name}: hold interval unknown: ask the prescriber.", None
            )
            return
        interval = holds.hold_interval(
            drug, intensity=intensity, good_renal_function=good_renal_function
        )
        if interval is None:
            self.fixed = _hold_finding(
                MISSING,
                f"{name} ({drug.label}): hold interval depends on the "
                "drug's half-life: ask the prescriber.",
                None,
            )
            return
        amount = settings.hold_amounts[interval.setting]
        notes: list[str] = []
        if drug.key == "lmwh" and intensity is None:
            notes.append("intensity not stated: therapeutic interval used")
        if drug.key == "dabigatran" and interval.variant == "default":
            notes.append(
                f"shorter hold only with creatinine clearance ≥ "
                f"{settings.dabigatran_crcl_min_ml_min} mL/min recorded"
            )
        if drug.key == "warfarin":
            notes.append(f"and check the INR has normalised (≤ {settings.inr_max})")
        if drug.confirm_with_prescriber:
            notes.append(
                "confirm with the prescriber or cardiologist before stopping (secondary "
                "prevention or a recent stent needs a shared decision)"
            )
        self.unit, self.amount = interval.unit, amount
        self.tail = f" ({'; '.join(notes)})" if notes else ""
        self.hold = f"Hold {name} {_amount(interval.unit, amount)}"
        self.undated = _hold_finding(
            MISSING, f"{self.hold}: record the date of the last dose{self.tail}.", None
        )


# Templates of the dated PRE-ANTITHROMBOTIC findings: a dated finding is its template with the
# message and earliest date of the evaluation (results.restated).
_HOLD_DUE = _hold_finding(PRESENT, "", None)
_HOLD_RESPECTED = _hold_finding(ABSENT, "", None)


def antithrombotic(
    entry: Antithrombotic,
    snapshot: CandidateSnapshot,
    settings: RuleSettings,
    good_renal_function: bool,
) -> Finding:
    """PRE-ANTITHROMBOTIC for one listed drug: the earliest safe date [ASRA2018].
    Status present when no procedure date is planned or it is earlier than the earliest date;
    absent when it is on or after it; missing for an unknown drug or an absent last-dose date.
    ``good_renal_function``: a creatinine clearance at or above the dabigatran setting."""
    plan = _HoldPlan(entry.drug, entry.intensity, good_renal_function, settings)
    if plan.fixed is not None:
        return plan.fixed
    last_dose = entry.last_dose_date
    if last_dose is None:
        return plan.undated
    try:
        earliest, at_time = holds.earliest_after(
            last_dose, entry.last_dose_time, plan.unit, plan.amount
        )
    except OverflowError:
        # The hold would end after 9999-12-31: a mistyped date, reported rather than computed.
        message = (
            f"{plan.hold}: the last dose date {last_dose.isoformat()} leaves no earliest date "
            f"in the calendar: check it{plan.tail}."
        )
        return restated(plan.undated, f"{message} {SRC_HOLD}", None)
    when = f"{earliest.isoformat()}" + (f" from {at_time.strftime('%H:%M')}" if at_time else "")
    hold, tail = plan.hold, plan.tail
    planned = snapshot.planned_procedure_date
    if planned is None:
        message = f"{hold}: earliest {when}; no procedure date planned{tail}."
        return restated(_HOLD_DUE, f"{message} {SRC_HOLD}", earliest, at_time)
    if planned < earliest:
        message = (
            f"{hold}: earliest {when}; the planned date {planned.isoformat()} is too early{tail}."
        )
        return restated(_HOLD_DUE, f"{message} {SRC_HOLD}", earliest, at_time)
    message = f"{hold}: earliest {when}; the planned date {planned.isoformat()} respects it{tail}."
    return restated(_HOLD_RESPECTED, f"{message} {SRC_HOLD}", earliest, at_time)


_NOT_REVIEWED = _hold_finding(
    MISSING,
    "Review antithrombotic medication (antiplatelets, "
    "anticoagulants, NSAIDs) and the last dose of each.",
    None,
)
_NONE_TAKEN = _hold_finding(ABSENT, "No antithrombotic medication.", None)


def antithrombotics(snapshot: CandidateSnapshot, settings: RuleSettings) -> list[Finding]:
    coagulation = snapshot.coagulation
    entries = coagulation.anticoagulants
    if entries is None:
        return [_NOT_REVIEWED]
    if not entries:
        return [_NONE_TAKEN]
    crcl = coagulation.crcl_ml_min
    good_renal_function = crcl is not None and crcl >= settings.dabigatran_crcl_min_ml_min
    return [antithrombotic(entry, snapshot, settings, good_renal_function) for entry in entries]
