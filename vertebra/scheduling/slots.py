"""Slot computation: when can an appointment of a type take place? Pure, framework-free.

Availability is written in the clinic's wall-clock time (weekly windows with validity dates)
and everything else in UTC. Each day's windows are turned into UTC instants one by one, so on
the days the clocks change no slot is duplicated, lost or mislabelled: a window that starts in
the spring gap starts when the clock jumps; a window in the repeated autumn hour runs from its
first start to its last end. Slots are computed on a grid of ``step`` on UTC (every time zone
in use today is offset from UTC by a whole number of quarter hours, so a 15-minute grid is a
15-minute grid in local time too).

An appointment of a type needs one resource of each required kind, each free and available
for its duration plus the type's buffer (turnover): the whole [start, end + buffer) must lie in
the resource's availability. The patient must be free for [start, end).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

UTC = dt.UTC


@dataclass(frozen=True)
class WeeklyWindow:
    """A weekly availability window in the clinic's wall-clock time; weekday 0 is Monday."""

    weekday: int
    start: dt.time
    end: dt.time
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # inclusive

    def applies(self, day: dt.date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True, order=True)
class Interval:
    """[start, end) in UTC."""

    start: dt.datetime
    end: dt.datetime

    def contains(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True)
class ResourceCalendar:
    resource_id: int
    kind: str
    windows: tuple[WeeklyWindow, ...]
    exceptions: tuple[Interval, ...] = ()  # leave, holidays, maintenance
    busy: tuple[Interval, ...] = ()  # booked time, buffers included


@dataclass(frozen=True)
class SlotRequest:
    kinds: tuple[str, ...]  # one resource of each, in this order
    duration: dt.timedelta
    buffer: dt.timedelta
    earliest: dt.datetime  # no slot starts before this instant
    latest: dt.datetime  # no slot starts at or after this instant
    zone: ZoneInfo
    step: dt.timedelta = dt.timedelta(minutes=15)
    patient_busy: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime  # the appointment's end, without the buffer
    resource_ids: tuple[int, ...]  # one per required kind, in the request's order


def wall_to_utc(day: dt.date, wall: dt.time, zone: ZoneInfo, *, latest: bool) -> dt.datetime:
    """The UTC instant of a wall-clock time on a day. An ambiguous time (the repeated autumn
    hour) gives its first occurrence, or its last with ``latest``; a time that does not exist
    (the spring gap) gives the instant the clock jumps."""
    naive = dt.datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return max(first, second) if latest else min(first, second)
    # In the gap fold=0 reads the time with the offset before the change and fold=1 with the
    # one after; the jump lies between the two instants: find it to the second.
    low, high = int(min(first, second).timestamp()), int(max(first, second).timestamp())
    after = dt.datetime.fromtimestamp(high, UTC).astimezone(zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if dt.datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return dt.datetime.fromtimestamp(high, UTC)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def _subtract(base: list[Interval], taken: Iterable[Interval]) -> list[Interval]:
    """``base`` minus ``taken``; both sorted and merged results."""
    result = base
    for cut in _merge(taken):
        pieces: list[Interval] = []
        for interval in result:
            if cut.end <= interval.start or cut.start >= interval.end:
                pieces.append(interval)
                continue
            if interval.start < cut.start:
                pieces.append(Interval(interval.start, cut.start))
            if cut.end < interval.end:
                pieces.append(Interval(cut.end, interval.end))
        result = pieces
    return result


def available(
    calendar: ResourceCalendar, first_day: dt.date, last_day: dt.date, zone: ZoneInfo
) -> list[Interval]:
    """The resource's availability in UTC from ``first_day`` to ``last_day`` (local dates,
    inclusive), exceptions removed; bookings are not removed here."""
    windows: list[Interval] = []
    day = first_day
    while day <= last_day:
        for window in calendar.windows:
            if window.applies(day):
                start = wall_to_utc(day, window.start, zone, latest=False)
                end = wall_to_utc(day, window.end, zone, latest=True)
                if start < end:
                    windows.append(Interval(start, end))
        day += dt.timedelta(days=1)
    return _subtract(_merge(windows), calendar.exceptions)


def free(
    calendar: ResourceCalendar, first_day: dt.date, last_day: dt.date, zone: ZoneInfo
) -> list[Interval]:
    """Availability minus booked time."""
    return _subtract(available(calendar, first_day, last_day, zone), calendar.busy)


class _FreeTime:
    """One resource's free intervals with a bisect lookup."""

    def __init__(self, resource_id: int, intervals: list[Interval]) -> None:
        self.resource_id = resource_id
        self.intervals = intervals
        self._starts = [interval.start for interval in intervals]

    def fits(self, start: dt.datetime, end: dt.datetime) -> bool:
        index = bisect_right(self._starts, start) - 1
        return index >= 0 and self.intervals[index].contains(start, end)


def _local_days(request: SlotRequest) -> tuple[dt.date, dt.date]:
    # One day of margin either side: a UTC instant can fall on the neighbouring local date.
    first = request.earliest.astimezone(request.zone).date() - dt.timedelta(days=1)
    last = request.latest.astimezone(request.zone).date() + dt.timedelta(days=1)
    return first, last


def _on_grid(instant: dt.datetime, step: dt.timedelta) -> dt.datetime:
    """The first grid instant at or after ``instant`` (grid anchored on the UTC epoch)."""
    seconds = int(step.total_seconds())
    stamp = instant.timestamp()
    aligned = -(-int(stamp) // seconds) * seconds
    if aligned < stamp:
        aligned += seconds
    return dt.datetime.fromtimestamp(aligned, UTC)


def find_slots(
    request: SlotRequest, calendars: Sequence[ResourceCalendar], limit: int = 50
) -> list[Slot]:
    """The first ``limit`` slots in time order. For each slot the resources are chosen in the
    order of ``calendars`` (the caller's preference), never one resource twice."""
    first_day, last_day = _local_days(request)
    by_kind: dict[str, list[_FreeTime]] = {kind: [] for kind in request.kinds}
    for calendar in calendars:
        if calendar.kind in by_kind:
            by_kind[calendar.kind].append(
                _FreeTime(calendar.resource_id, free(calendar, first_day, last_day, request.zone))
            )
    if any(not candidates for candidates in by_kind.values()):
        return []
    patient = _FreeTime(
        0,
        _subtract(
            [Interval(request.earliest, request.latest + request.duration + request.buffer)],
            request.patient_busy,
        ),
    )
    # Candidate starts: the grid inside the free time of the first required kind.
    starts: set[dt.datetime] = set()
    for resource in by_kind[request.kinds[0]]:
        for interval in resource.intervals:
            instant = _on_grid(max(interval.start, request.earliest), request.step)
            while instant < min(interval.end, request.latest):
                starts.add(instant)
                instant += request.step
    slots: list[Slot] = []
    for start in sorted(starts):
        slot = _fit(request, by_kind, patient, start)
        if slot is not None:
            slots.append(slot)
            if len(slots) >= limit:
                break
    return slots


def _fit(
    request: SlotRequest,
    by_kind: dict[str, list[_FreeTime]],
    patient: _FreeTime,
    start: dt.datetime,
) -> Slot | None:
    end = start + request.duration
    blocked_until = end + request.buffer
    if not patient.fits(start, end):
        return None
    chosen: list[int] = []
    for kind in request.kinds:
        for resource in by_kind[kind]:
            if resource.resource_id not in chosen and resource.fits(start, blocked_until):
                chosen.append(resource.resource_id)
                break
        else:
            return None
    return Slot(start, end, tuple(chosen))


def slot_at(
    request: SlotRequest, calendars: Sequence[ResourceCalendar], start: dt.datetime
) -> Slot | None:
    """The slot starting exactly at ``start`` (on the grid) if the resources and the patient
    allow it; ``request.earliest``/``latest`` are ignored."""
    exact = replace(request, earliest=start, latest=start + dt.timedelta(seconds=1))
    found = find_slots(exact, calendars, limit=1)
    return found[0] if found and found[0].start == start else None


def wall_label(instant: dt.datetime, zone: ZoneInfo) -> str:
    """ "HH:MM" in the clinic's time, with the zone's abbreviation when that wall time occurs
    twice on that day (the repeated autumn hour), so the two are never mistaken."""
    local = instant.astimezone(zone)
    naive = local.replace(tzinfo=None)
    other = naive.replace(tzinfo=zone, fold=1 - local.fold).astimezone(UTC)
    if other != instant.astimezone(UTC) and other.astimezone(zone).replace(tzinfo=None) == naive:
        return f"{local:%H:%M} {local.tzname()}"
    return f"{local:%H:%M}"
