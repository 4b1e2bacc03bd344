"""Follow-up dates from the procedure date, for the discharge instructions and the report.
Pure. The default schedule of clinical-reference §5.1 [CCP2018]: a phone call on day 1
(24–48 hours), a clinic visit at 2–4 weeks, then 3, 6 and 12 months. Each visit has a
window; the schedule is a parameter so a clinic can use its own (the aftercare issue makes it
a clinic setting).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Visit:
    label: str
    days: int = 0  # offset from the procedure date in days ...
    months: int = 0  # ... or in calendar months
    window_before_days: int = 0
    window_after_days: int = 0


@dataclass(frozen=True)
class DueVisit:
    label: str
    due: dt.date
    earliest: dt.date
    latest: dt.date


# §5.1's windows: ±3 days for day 1 (only the days after: none falls on the procedure day),
# ±7 days around 3 weeks (= 2–4 weeks), ±14 days after that.
DEFAULT_SCHEDULE: tuple[Visit, ...] = (
    Visit("Phone call (24–48 hours)", days=1, window_after_days=3),
    Visit("Clinic visit (2–4 weeks)", days=21, window_before_days=7, window_after_days=7),
    Visit("3 months", months=3, window_before_days=14, window_after_days=14),
    Visit("6 months", months=6, window_before_days=14, window_after_days=14),
    Visit("12 months", months=12, window_before_days=14, window_after_days=14),
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month, or the month's last day (31 January + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def followup_dates(
    procedure_day: dt.date, schedule: tuple[Visit, ...] = DEFAULT_SCHEDULE
) -> list[DueVisit]:
    visits = []
    for visit in schedule:
        due = add_months(procedure_day, visit.months) + dt.timedelta(days=visit.days)
        visits.append(
            DueVisit(
                visit.label,
                due,
                due - dt.timedelta(days=visit.window_before_days),
                due + dt.timedelta(days=visit.window_after_days),
            )
        )
    return visits
