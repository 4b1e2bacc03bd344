"""Entry checks of the procedure record (clinical-reference §4.2). Pure.

Each problem is an error (refused), or needs a confirmation or a reason before the entry is
accepted; nothing is silently corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

LEVELS: tuple[str, ...] = (
    *(f"C{n}" for n in range(1, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    "S1",
)
MAX_LEVELS_WITHOUT_REASON = 3  # [LCD]
# Outside this range a volume is probably a unit error: it needs a confirmation (§4.2, check).
TYPICAL_VOLUME_ML = (Decimal("0.5"), Decimal(15))

ERROR, CONFIRM, REASON = "error", "confirm", "reason"


@dataclass(frozen=True)
class Problem:
    field: str
    kind: str  # error | confirm | reason
    message: str


@dataclass(frozen=True)
class LevelEntry:
    level: str
    volume_ml: Decimal | None


def check_levels(
    entries: list[LevelEntry], *, levels_reason: str = "", volumes_confirmed: bool = False
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"levels[{index}]"
        if entry.level not in LEVELS:
            problems.append(Problem(f"{where}.level", ERROR, f"unknown level {entry.level!r}"))
        elif entry.level in seen:
            problems.append(Problem(f"{where}.level", ERROR, f"{entry.level} is entered twice"))
        seen.add(entry.level)
        volume = entry.volume_ml
        if volume is None:
            continue
        if volume <= 0:
            problems.append(
                Problem(f"{where}.volume_ml", ERROR, "the cement volume must be more than 0 mL")
            )
        elif not TYPICAL_VOLUME_ML[0] <= volume <= TYPICAL_VOLUME_ML[1] and not volumes_confirmed:
            problems.append(
                Problem(
                    f"{where}.volume_ml",
                    CONFIRM,
                    f"{volume} mL at {entry.level} is outside 0.5–15 mL: confirm it is mL "
                    "(a unit error is likely)",
                )
            )
    if len(entries) > MAX_LEVELS_WITHOUT_REASON and not levels_reason.strip():
        problems.append(
            Problem(
                "levels_reason",
                REASON,
                f"{len(entries)} levels in one session: more than 3 needs a recorded reason [LCD]",
            )
        )
    return problems


def check_interval(field: str, start: dt.datetime | None, end: dt.datetime | None) -> list[Problem]:
    if start is not None and end is not None and end < start:
        return [Problem(field, ERROR, "the end is before the start")]
    return []
