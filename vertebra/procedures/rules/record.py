"""Is a procedure record complete enough to sign, and what should its reader be warned of?
Pure (clinical-reference §4.1, §4.2, §4.4).

Signing needs every item §4.1 names for the session, each either recorded or explicitly
recorded as absent ("no leakage", "no adverse event"): missing information is reported as
missing, never taken as normal. The dose fields are optional (§4.1 step 2: vendor-variable),
and so are the drugs (a session under local anaesthetic alone lists only that).

Warnings never block signing: they are shown on the record and printed on the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from vertebra.procedures.rules.checks import MAX_LEVELS_WITHOUT_REASON, TYPICAL_VOLUME_ML


@dataclass(frozen=True)
class LevelFacts:
    level: str
    approach: str
    side: str
    needle_gauge: int | None
    biopsy_taken: bool | None
    cement_product: str
    cement_viscosity: str
    cement_lot: str
    cement_expiry: dt.date | None
    volume_ml: Decimal | None
    volume_confirmed: bool
    leakage: str  # "" (not assessed) | none | present
    leaks: int
    symptomatic_leaks: int


@dataclass(frozen=True)
class RecordFacts:
    started_at: dt.datetime
    ended_at: dt.datetime | None
    position: str
    time_out_done: bool | None
    sedation_level: str
    modality: str
    levels: tuple[LevelFacts, ...]
    levels_reason: str
    no_adverse_events: bool | None
    adverse_events: tuple[str, ...]  # kinds of the events recorded
    observation_start: dt.datetime | None
    observation_end: dt.datetime | None
    neuro_check: str
    neuro_note: str
    recovery_scale: str
    recovery_score: int | None
    disposition: str
    discharged_at: dt.datetime | None
    discharge_criteria_met: bool | None
    admission_reason: str
    # The booked procedure appointment's start, when one was found at start (issue 14).
    booked_starts_at: dt.datetime | None = None
    # Times of the entries (drugs given, vital signs), each with what it is.
    entry_times: tuple[tuple[str, dt.datetime], ...] = ()


def sign_blockers(facts: RecordFacts, *, now: dt.datetime | None = None) -> list[str]:
    """What is still missing or contradictory; an empty list means the record may be signed.
    With `now`, a time recorded in the future is refused too: what has not happened yet cannot
    be signed as done (issue 14)."""
    missing: list[str] = []
    if now is not None:
        missing.extend(future_times(facts, now))

    def need(present: object, what: str) -> None:
        if present is None or present == "":
            missing.append(what)

    need(facts.ended_at, "the procedure end time")
    if facts.ended_at is not None and facts.ended_at < facts.started_at:
        missing.append("the procedure end is before its start")
    need(facts.position, "the patient's position")
    need(facts.time_out_done, "whether the time-out was done")
    need(facts.sedation_level, "the anaesthesia / sedation")
    need(facts.modality, "the imaging guidance modality")
    if not facts.levels:
        missing.append("at least one level treated")
    for level in facts.levels:
        _level_blockers(level, missing)
    if len(facts.levels) > MAX_LEVELS_WITHOUT_REASON and not facts.levels_reason.strip():
        missing.append(f"the reason for treating {len(facts.levels)} levels in one session [LCD]")
    if facts.no_adverse_events is not True and not facts.adverse_events:
        missing.append('the adverse events (or "no adverse event")')
    need(facts.observation_start, "the observation start")
    need(facts.observation_end, "the observation end")
    if (
        facts.observation_start is not None
        and facts.observation_end is not None
        and facts.observation_end < facts.observation_start
    ):
        missing.append("the observation end is before its start")
    need(facts.neuro_check, "the neurological check against baseline")
    if facts.neuro_check == "new_deficit" and not facts.neuro_note.strip():
        missing.append("the new neurological deficit's findings")
    need(facts.recovery_scale, "the recovery score's scale")
    need(facts.recovery_score, "the recovery score")
    need(facts.disposition, "the disposition (home the same day or admitted)")
    if facts.disposition == "home":
        need(facts.discharged_at, "the discharge time")
        need(facts.discharge_criteria_met, "whether the discharge criteria were met")
    if facts.disposition == "admitted" and not facts.admission_reason.strip():
        missing.append("why the patient was admitted")
    return missing


def future_times(facts: RecordFacts, now: dt.datetime) -> list[str]:
    """Each recorded time that lies after `now`, named."""
    named = [
        ("the procedure start", facts.started_at),
        ("the procedure end", facts.ended_at),
        ("the observation start", facts.observation_start),
        ("the observation end", facts.observation_end),
        ("the discharge time", facts.discharged_at),
        *facts.entry_times,
    ]
    return [f"{what} is in the future" for what, at in named if at is not None and at > now]


def _level_blockers(level: LevelFacts, missing: list[str]) -> None:
    at = level.level
    for value, what in (
        (level.approach, "the approach"),
        (level.side, "the side(s)"),
        (level.needle_gauge, "the needle gauge"),
        (level.biopsy_taken, "whether a biopsy was taken"),
        (level.cement_product, "the cement product"),
        (level.cement_viscosity, "the cement viscosity"),
        (level.cement_lot, "the cement lot number"),
        (level.cement_expiry, "the cement expiry date"),
        (level.volume_ml, "the cement volume"),
    ):
        if value is None or value == "":
            missing.append(f"{at}: {what}")
    volume = level.volume_ml
    if (
        volume is not None
        and not TYPICAL_VOLUME_ML[0] <= volume <= TYPICAL_VOLUME_ML[1]
        and not level.volume_confirmed
    ):
        missing.append(f"{at}: confirmation that {volume} mL is in mL (outside 0.5–15 mL)")
    if level.leakage == "":
        missing.append(f'{at}: the cement leakage (or "no leakage")')
    elif level.leakage == "present" and level.leaks == 0:
        missing.append(f"{at}: each leak (type and location)")


def warnings(
    facts: RecordFacts, *, min_recovery_score: int, start_tolerance_hours: float | None = None
) -> list[str]:
    """Facts worth a second look; they never block signing."""
    found: list[str] = []
    if facts.booked_starts_at is not None and start_tolerance_hours is not None:
        offset_h = (facts.started_at - facts.booked_starts_at).total_seconds() / 3600
        if abs(offset_h) > start_tolerance_hours:
            found.append(
                f"The procedure started {abs(offset_h):.1f} h "
                f"{'after' if offset_h > 0 else 'before'} its booked time, more than the "
                f"clinic's {start_tolerance_hours:g} h: is this the booked session?"
            )
    procedure_day = facts.started_at.date()
    for level in facts.levels:
        if level.cement_expiry is not None and level.cement_expiry < procedure_day:
            found.append(
                f"{level.level}: the cement lot {level.cement_lot or '(no lot)'} expired on "
                f"{level.cement_expiry.isoformat()}, before the procedure."
            )
    symptomatic = [level.level for level in facts.levels if level.symptomatic_leaks]
    if symptomatic and "symptomatic_leakage" not in facts.adverse_events:
        found.append(
            f"A symptomatic leak is recorded at {', '.join(symptomatic)} but no adverse event "
            '"symptomatic leakage" [SIRAE2017].'
        )
    if (
        facts.disposition == "home"
        and facts.recovery_score is not None
        and facts.recovery_score < min_recovery_score
    ):
        found.append(
            f"Discharged home with a recovery score of {facts.recovery_score}, below the "
            f"clinic's threshold of {min_recovery_score} (§4.1, check)."
        )
    if facts.discharge_criteria_met is False and facts.disposition == "home":
        found.append("Discharged home although the discharge criteria were recorded as not met.")
    return found
