"""Slot computation (pure): templates, validity, exceptions, buffers, several resources, the
patient's own time, and the days the clocks change in Europe/Berlin and America/New_York."""

from __future__ import annotations

import datetime as dt
from collections import Counter
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

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
MIN = dt.timedelta(minutes=1)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def every_day(start: str, end: str, **validity: dt.date) -> tuple[WeeklyWindow, ...]:
    return tuple(
        WeeklyWindow(day, dt.time.fromisoformat(start), dt.time.fromisoformat(end), **validity)
        for day in range(7)
    )


def request(
    day: dt.date,
    zone: ZoneInfo = BERLIN,
    *,
    kinds: tuple[str, ...] = ("physician",),
    minutes: int = 30,
    buffer: int = 0,
    step: int = 15,
    days: int = 1,
    patient_busy: tuple[Interval, ...] = (),
) -> SlotRequest:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(0), tzinfo=zone)
    return SlotRequest(
        kinds=kinds,
        duration=minutes * MIN,
        buffer=buffer * MIN,
        earliest=start,
        latest=end.astimezone(UTC),
        zone=zone,
        step=step * MIN,
        patient_busy=patient_busy,
    )


def labels(slots: list, zone: ZoneInfo = BERLIN) -> list[str]:
    return [wall_label(slot.start, zone) for slot in slots]


MONDAY = dt.date(2026, 11, 30)  # winter time in Berlin (UTC+1)
DOCTOR = ResourceCalendar(1, "physician", (WeeklyWindow(0, dt.time(8), dt.time(12)),))


def test_a_template_gives_the_grid_inside_its_window() -> None:
    slots = find_slots(request(MONDAY), [DOCTOR])
    assert labels(slots)[:3] == ["08:00", "08:15", "08:30"]
    assert labels(slots)[-1] == "11:30"
    assert len(slots) == 15
    assert slots[0].start == utc(2026, 11, 30, 7, 0)
    assert slots[0].end == utc(2026, 11, 30, 7, 30)
    assert {slot.resource_ids for slot in slots} == {(1,)}


def test_the_buffer_must_fit_in_the_window_too() -> None:
    slots = find_slots(request(MONDAY, minutes=60, buffer=15), [DOCTOR])
    assert labels(slots)[-1] == "10:45"  # 10:45 + 60 + 15 = 12:00
    assert len(slots) == 12


def test_booked_time_and_its_buffer_are_not_offered() -> None:
    busy = (Interval(utc(2026, 11, 30, 8, 0), utc(2026, 11, 30, 9, 15)),)  # 09:00–10:15 local
    doctor = ResourceCalendar(1, "physician", DOCTOR.windows, busy=busy)
    slots = labels(find_slots(request(MONDAY), [doctor]))
    assert "08:30" in slots
    assert "08:45" not in slots  # would end 09:15, inside the booking
    assert "10:00" not in slots
    assert slots[slots.index("08:30") + 1] == "10:15"


def test_exceptions_remove_time_and_validity_dates_bound_a_template() -> None:
    leave = (Interval(utc(2026, 11, 30, 7, 0), utc(2026, 11, 30, 9, 0)),)  # 08:00–10:00 local
    doctor = ResourceCalendar(1, "physician", DOCTOR.windows, exceptions=leave)
    assert labels(find_slots(request(MONDAY), [doctor]))[0] == "10:00"
    expired = ResourceCalendar(
        1,
        "physician",
        (WeeklyWindow(0, dt.time(8), dt.time(12), valid_until=MONDAY - dt.timedelta(days=1)),),
    )
    assert find_slots(request(MONDAY), [expired]) == []
    starting = ResourceCalendar(
        1, "physician", (WeeklyWindow(0, dt.time(8), dt.time(12), valid_from=MONDAY),)
    )
    assert len(find_slots(request(MONDAY), [starting])) == 15
    assert find_slots(request(MONDAY - dt.timedelta(days=7)), [starting]) == []


def test_every_required_resource_must_be_free_for_the_whole_time() -> None:
    nurse = ResourceCalendar(2, "nurse", (WeeklyWindow(0, dt.time(10), dt.time(13)),))
    suite = ResourceCalendar(3, "suite", (WeeklyWindow(0, dt.time(7), dt.time(18)),))
    slots = find_slots(
        request(MONDAY, kinds=("physician", "nurse", "suite"), minutes=60, buffer=15),
        [DOCTOR, nurse, suite],
    )
    assert labels(slots) == ["10:00", "10:15", "10:30", "10:45"]
    assert {slot.resource_ids for slot in slots} == {(1, 2, 3)}
    # A missing kind: no slot at all.
    assert find_slots(request(MONDAY, kinds=("physician", "nurse")), [DOCTOR]) == []


def test_resources_are_chosen_in_preference_order_and_never_twice() -> None:
    first = ResourceCalendar(5, "nurse", (WeeklyWindow(0, dt.time(8), dt.time(9)),))
    second = ResourceCalendar(6, "nurse", (WeeklyWindow(0, dt.time(8), dt.time(12)),))
    slots = find_slots(request(MONDAY, kinds=("nurse",)), [first, second])
    assert slots[0].resource_ids == (5,)
    assert slots[-1].resource_ids == (6,)
    both = find_slots(request(MONDAY, kinds=("nurse", "nurse")), [first, second])
    assert labels(both) == ["08:00", "08:15", "08:30"]
    assert {slot.resource_ids for slot in both} == {(5, 6)}


def test_the_patient_is_never_booked_twice() -> None:
    busy = (Interval(utc(2026, 11, 30, 7, 0), utc(2026, 11, 30, 10, 0)),)  # 08:00–11:00 local
    assert labels(find_slots(request(MONDAY, patient_busy=busy), [DOCTOR])) == [
        "11:00",
        "11:15",
        "11:30",
    ]
    all_morning = (Interval(utc(2026, 11, 30, 7, 0), utc(2026, 11, 30, 11, 0)),)
    assert find_slots(request(MONDAY, patient_busy=all_morning), [DOCTOR]) == []


def test_slot_at_accepts_only_a_free_start_on_the_grid() -> None:
    ask = request(MONDAY)
    slot = slot_at(ask, [DOCTOR], utc(2026, 11, 30, 8, 0))
    assert slot is not None
    assert slot.resource_ids == (1,)
    assert slot_at(ask, [DOCTOR], utc(2026, 11, 30, 8, 5)) is None  # off the grid
    assert slot_at(ask, [DOCTOR], utc(2026, 11, 30, 11, 0)) is None  # after the window
    assert slot_at(ask, [DOCTOR], utc(2026, 11, 30, 10, 45)) is None  # would end at 12:15


# --- the days the clocks change --------------------------------------------------------------


def test_wall_times_in_the_gap_and_in_the_repeated_hour() -> None:
    spring = dt.date(2026, 3, 29)  # Berlin: 02:00 CET → 03:00 CEST (01:00 UTC)
    assert wall_to_utc(spring, dt.time(2, 30), BERLIN, latest=False) == utc(2026, 3, 29, 1, 0)
    assert wall_to_utc(spring, dt.time(2, 30), BERLIN, latest=True) == utc(2026, 3, 29, 1, 0)
    autumn = dt.date(2026, 10, 25)  # Berlin: 03:00 CEST → 02:00 CET (01:00 UTC)
    assert wall_to_utc(autumn, dt.time(2, 30), BERLIN, latest=False) == utc(2026, 10, 25, 0, 30)
    assert wall_to_utc(autumn, dt.time(2, 30), BERLIN, latest=True) == utc(2026, 10, 25, 1, 30)


def test_spring_forward_in_berlin_loses_no_slot_and_invents_none() -> None:
    night = ResourceCalendar(1, "physician", every_day("01:00", "04:00"))
    slots = find_slots(request(dt.date(2026, 3, 29), step=30), [night])
    # 01:00 CET to 04:00 CEST is two real hours: four half-hour slots, none at 02:xx.
    assert labels(slots) == ["01:00", "01:30", "03:00", "03:30"]
    assert [slot.start.hour for slot in slots] == [0, 0, 1, 1]


def test_fall_back_in_berlin_offers_the_repeated_hour_twice_with_distinct_labels() -> None:
    night = ResourceCalendar(1, "physician", every_day("01:00", "04:00"))
    slots = find_slots(request(dt.date(2026, 10, 25), step=30), [night])
    assert labels(slots) == [
        "01:00",
        "01:30",
        "02:00 CEST",
        "02:30 CEST",
        "02:00 CET",
        "02:30 CET",
        "03:00",
        "03:30",
    ]
    assert len({slot.start for slot in slots}) == 8  # four real hours, no duplicate instant


@pytest.mark.parametrize(
    ("zone", "week_of_change"),
    [
        (BERLIN, dt.date(2026, 3, 26)),
        (BERLIN, dt.date(2026, 10, 22)),
        (NEW_YORK, dt.date(2026, 3, 5)),
        (NEW_YORK, dt.date(2026, 10, 29)),
    ],
)
def test_a_day_clinic_keeps_its_wall_clock_hours_across_a_change(
    zone: ZoneInfo, week_of_change: dt.date
) -> None:
    clinic = ResourceCalendar(1, "physician", every_day("08:00", "12:00"))
    slots = find_slots(request(week_of_change, zone, days=7), [clinic], limit=1000)
    per_day = Counter(slot.start.astimezone(zone).date() for slot in slots)
    assert len(per_day) == 7
    assert set(per_day.values()) == {15}
    assert {wall_label(slot.start, zone) for slot in slots} == {
        f"{hour:02d}:{minute:02d}" for hour in range(8, 12) for minute in (0, 15, 30, 45)
    } - {"11:45"}


def test_new_york_offsets_before_and_after_spring_forward() -> None:
    clinic = ResourceCalendar(1, "physician", every_day("08:00", "12:00"))
    saturday = find_slots(request(dt.date(2026, 3, 7), NEW_YORK), [clinic])
    sunday = find_slots(request(dt.date(2026, 3, 8), NEW_YORK), [clinic])
    assert saturday[0].start == utc(2026, 3, 7, 13, 0)  # EST, UTC−5
    assert sunday[0].start == utc(2026, 3, 8, 12, 0)  # EDT, UTC−4
