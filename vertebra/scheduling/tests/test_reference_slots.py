"""Slot computation at its boundaries, from the rules stated in slots.py's contract: validity
dates are inclusive; the whole [start, end + buffer) must lie in a resource's free time; the
patient must be free for [start, end); ``earliest`` is inclusive and ``latest`` exclusive; the
grid is anchored on the UTC epoch; one resource of each kind, never one resource twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from vertebra.scheduling.slots import (
    Interval,
    ResourceCalendar,
    SlotRequest,
    WeeklyWindow,
    find_slots,
    slot_at,
    wall_label,
    wall_to_utc,
)

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
DAY = dt.date(2026, 12, 7)  # a Monday


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def window(start: str = "09:00", end: str = "10:00", **validity: dt.date) -> WeeklyWindow:
    return WeeklyWindow(0, dt.time.fromisoformat(start), dt.time.fromisoformat(end), **validity)


def calendar(resource_id: int = 1, kind: str = "physician", **kwargs: object) -> ResourceCalendar:
    kwargs.setdefault("windows", (window(),))
    return ResourceCalendar(resource_id, kind, **kwargs)  # type: ignore[arg-type]


def request(
    *,
    earliest: dt.datetime | None = None,
    latest: dt.datetime | None = None,
    minutes: int = 30,
    buffer: int = 0,
    kinds: tuple[str, ...] = ("physician",),
    patient_busy: tuple[Interval, ...] = (),
    step: int = 15,
) -> SlotRequest:
    return SlotRequest(
        kinds=kinds,
        duration=dt.timedelta(minutes=minutes),
        buffer=dt.timedelta(minutes=buffer),
        earliest=earliest or at(0),
        latest=latest or at(23),
        zone=UTC_ZONE,
        step=dt.timedelta(minutes=step),
        patient_busy=patient_busy,
    )


def starts(req: SlotRequest, *calendars: ResourceCalendar, limit: int = 50) -> list[str]:
    return [f"{slot.start:%H:%M}" for slot in find_slots(req, calendars, limit)]


def test_an_appointment_may_end_exactly_when_the_window_ends() -> None:
    assert starts(request(), calendar()) == ["09:00", "09:15", "09:30"]
    slots = find_slots(request(), [calendar()])
    assert (slots[-1].end, slots[-1].resource_ids) == (at(10), (1,))


@pytest.mark.parametrize(
    ("buffer", "expected"),
    [(0, ["09:00", "09:15", "09:30"]), (15, ["09:00", "09:15"]), (30, ["09:00"]), (31, [])],
)
def test_the_buffer_must_fit_in_the_window_too(buffer: int, expected: list[str]) -> None:
    assert starts(request(buffer=buffer), calendar()) == expected
    for slot in find_slots(request(buffer=buffer), [calendar()]):
        assert slot.end - slot.start == dt.timedelta(minutes=30)  # the end excludes the buffer


@pytest.mark.parametrize(
    ("earliest", "latest", "expected"),
    [
        (at(9, 15), None, ["09:15", "09:30"]),  # earliest inclusive
        (at(9, 16), None, ["09:30"]),  # next grid instant
        (at(9, 14), None, ["09:15", "09:30"]),
        (None, at(9, 30), ["09:00", "09:15"]),  # latest exclusive
        (None, at(9, 31), ["09:00", "09:15", "09:30"]),
    ],
)
def test_earliest_inclusive_latest_exclusive(
    earliest: dt.datetime | None, latest: dt.datetime | None, expected: list[str]
) -> None:
    assert starts(request(earliest=earliest, latest=latest), calendar()) == expected


@pytest.mark.parametrize(
    ("busy", "expected"),
    [
        (Interval(at(8, 0), at(9, 0)), ["09:00", "09:15", "09:30"]),  # ends as the slot starts
        (Interval(at(9, 0), at(9, 30)), ["09:30"]),
        (Interval(at(9, 29), at(9, 30)), ["09:30"]),
        (Interval(at(10, 0), at(11, 0)), ["09:00", "09:15", "09:30"]),
    ],
)
def test_resource_busy_and_exceptions(busy: Interval, expected: list[str]) -> None:
    assert starts(request(), calendar(busy=(busy,))) == expected
    assert starts(request(), calendar(exceptions=(busy,))) == expected


@pytest.mark.parametrize(
    ("busy", "expected"),
    [
        (Interval(at(9, 30), at(10, 0)), ["09:00"]),  # the patient is free for [09:00, 09:30)
        (Interval(at(8, 0), at(9, 0)), ["09:00", "09:15", "09:30"]),
        (Interval(at(9, 0), at(9, 1)), ["09:15", "09:30"]),
    ],
)
def test_patient_busy(busy: Interval, expected: list[str]) -> None:
    # With a buffer, the patient still only needs [start, end).
    assert starts(request(patient_busy=(busy,)), calendar()) == expected


@pytest.mark.parametrize(
    ("validity", "offered"),
    [
        ({"valid_from": DAY}, True),
        ({"valid_from": DAY + dt.timedelta(days=1)}, False),
        ({"valid_until": DAY}, True),
        ({"valid_until": DAY - dt.timedelta(days=1)}, False),
        (
            {"valid_from": DAY - dt.timedelta(days=7), "valid_until": DAY + dt.timedelta(days=7)},
            True,
        ),
    ],
)
def test_validity_dates_are_inclusive(validity: dict[str, dt.date], offered: bool) -> None:
    assert window(**validity).applies(DAY) is offered
    found = starts(request(), calendar(windows=(window(**validity),)))
    assert bool(found) is offered
    assert not WeeklyWindow(1, dt.time(9), dt.time(10)).applies(DAY)  # a Tuesday window


def test_one_resource_of_each_kind_never_one_twice() -> None:
    first = calendar(1, windows=(window("09:00", "09:30"),))
    second = calendar(2)
    nurse = calendar(3, "nurse")
    two = request(kinds=("physician", "physician"))
    slots = find_slots(two, [first, second])
    assert [(f"{s.start:%H:%M}", s.resource_ids) for s in slots] == [("09:00", (1, 2))]
    mixed = find_slots(request(kinds=("physician", "nurse")), [first, second, nurse])
    assert [s.resource_ids for s in mixed] == [(1, 3), (2, 3), (2, 3)]
    assert find_slots(request(kinds=("physician", "nurse")), [first, second]) == []


def test_limit_and_grid() -> None:
    assert starts(request(), calendar(), limit=2) == ["09:00", "09:15"]
    assert starts(request(), calendar(), limit=1) == ["09:00"]
    assert starts(request(step=20), calendar()) == ["09:00", "09:20"]  # 09:40 would end 10:10
    late = calendar(windows=(window("09:05", "10:00"),))
    assert starts(request(), late) == ["09:15", "09:30"]


def test_slot_at() -> None:
    assert slot_at(request(), [calendar()], at(9, 30)) is not None
    assert slot_at(request(), [calendar()], at(9, 45)) is None
    assert slot_at(request(), [calendar()], at(9, 10)) is None  # off the grid


def test_clock_changes_in_berlin() -> None:
    # Spring gap: 02:30 does not exist on 2026-03-29; the clock jumps at 01:00 UTC.
    assert wall_to_utc(dt.date(2026, 3, 29), dt.time(2, 30), BERLIN, latest=False) == dt.datetime(
        2026, 3, 29, 1, 0, tzinfo=dt.UTC
    )
    # Autumn: 02:30 occurs twice on 2026-10-25 (00:30 and 01:30 UTC).
    day = dt.date(2026, 10, 25)
    first = wall_to_utc(day, dt.time(2, 30), BERLIN, latest=False)
    last = wall_to_utc(day, dt.time(2, 30), BERLIN, latest=True)
    assert (first, last) == (
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),
    )
    assert wall_label(first, BERLIN) == "02:30 CEST"
    assert wall_label(last, BERLIN) == "02:30 CET"
    assert wall_label(dt.datetime(2026, 10, 25, 8, 0, tzinfo=dt.UTC), BERLIN) == "09:00"
    normal = wall_to_utc(dt.date(2026, 12, 7), dt.time(9), BERLIN, latest=True)
    assert normal == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def test_windows_that_touch_or_overlap_are_one_free_time() -> None:
    touching = calendar(windows=(window("09:00", "09:30"), window("09:30", "10:00")))
    assert starts(request(), touching) == ["09:00", "09:15", "09:30"]
    overlapping = calendar(windows=(window("09:00", "09:45"), window("09:30", "10:00")))
    assert starts(request(), overlapping) == ["09:00", "09:15", "09:30"]
    inside = calendar(windows=(window("09:00", "10:00"), window("09:15", "09:30")))
    assert starts(request(), inside) == ["09:00", "09:15", "09:30"]
    three = calendar(
        windows=(window("09:00", "09:20"), window("09:20", "09:40"), window("09:40", "10:00"))
    )
    assert starts(request(), three) == ["09:00", "09:15", "09:30"]


def test_booked_time_cuts_every_window_of_the_day() -> None:
    two = calendar(windows=(window("09:00", "10:00"), window("14:00", "15:00")))
    assert starts(request(), two) == ["09:00", "09:15", "09:30", "14:00", "14:15", "14:30"]
    early = Interval(at(7, 0), at(8, 0))  # before both windows
    assert starts(request(), calendar(windows=two.windows, busy=(early,))) == starts(request(), two)
    afternoon = Interval(at(14, 0), at(14, 30))
    assert starts(request(), calendar(windows=two.windows, busy=(afternoon,))) == [
        "09:00",
        "09:15",
        "09:30",
        "14:30",
    ]
    middle = Interval(at(9, 15), at(9, 30))  # splits the morning: [09:00, 09:15) is too short
    assert starts(request(minutes=15), calendar(busy=(middle,))) == ["09:00", "09:30", "09:45"]
    ends_with_window = Interval(at(9, 30), at(10, 0))
    assert starts(request(), calendar(busy=(ends_with_window,))) == ["09:00"]
    starts_with_window = Interval(at(9, 0), at(9, 30))
    assert starts(request(), calendar(busy=(starts_with_window,))) == ["09:30"]


def test_at_most_fifty_slots_by_default() -> None:
    long = calendar(windows=(window("00:00", "23:45"),))
    assert len(find_slots(request(minutes=15), [long])) == 50


def test_the_patient_needs_no_buffer_at_the_latest_start() -> None:
    wide = calendar(windows=(window("09:00", "10:30"),))
    assert starts(request(latest=at(9, 31), buffer=15), wide) == ["09:00", "09:15", "09:30"]


def test_slot_at_ignores_the_requests_window() -> None:
    narrow = request(earliest=at(0), latest=at(1))
    slot = slot_at(narrow, [calendar()], at(9, 30))
    assert slot is not None
    assert (slot.start, slot.end) == (at(9, 30), at(10, 0))


def test_a_start_between_grid_instants_goes_to_the_next_one() -> None:
    just_after = at(9, 15) + dt.timedelta(milliseconds=500)
    assert starts(request(earliest=just_after), calendar()) == ["09:30"]
    assert starts(request(earliest=at(9, 15)), calendar()) == ["09:15", "09:30"]


def test_windows_on_the_autumn_day_run_from_first_start_to_last_end() -> None:
    sunday = dt.date(2026, 10, 25)
    calendars = [
        ResourceCalendar(1, "physician", (WeeklyWindow(6, dt.time(2, 0), dt.time(2, 30)),))
    ]
    req = SlotRequest(
        kinds=("physician",),
        duration=dt.timedelta(minutes=30),
        buffer=dt.timedelta(0),
        earliest=at(0, 0, sunday) - dt.timedelta(hours=2),
        latest=at(6, 0, sunday),
        zone=BERLIN,
        step=dt.timedelta(minutes=30),
    )
    # 02:00 first occurs at 00:00 UTC (CEST); 02:30 last occurs at 01:30 UTC (CET).
    assert [slot.start for slot in find_slots(req, calendars)] == [
        at(0, 0, sunday),
        at(0, 30, sunday),
        at(1, 0, sunday),
    ]
