"""The demo's clock: acts run in time order at their own moment, and the real clock returns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vertebra.clinic.demo.clock import Story, clinic_clock, run_stories
from vertebra.core import timeutil

START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def _story(name: str, offsets: list[int], seen: list[tuple[str, dt.datetime]]) -> Story:
    for minutes in offsets:
        yield START + dt.timedelta(minutes=minutes)
        seen.append((name, timeutil.now()))


def test_stories_interleave_in_time_order_and_stop_at_the_present():
    seen: list[tuple[str, dt.datetime]] = []
    real = timezone.now
    with clinic_clock() as set_moment:
        run_stories(
            [_story("a", [0, 30, 90], seen), _story("b", [10, 30, 40], seen)],
            until=START + dt.timedelta(minutes=60),
            set_moment=set_moment,
        )
    minutes = [(name, int((at - START).total_seconds() // 60)) for name, at in seen]
    # Ties run in the order the stories were given; the act at 90 minutes lies ahead: not run.
    assert minutes == [("a", 0), ("b", 10), ("a", 30), ("b", 30), ("b", 40)]
    assert timezone.now is real


def test_a_story_going_back_in_time_is_refused_and_the_clock_restored():
    real = timezone.now
    with pytest.raises(RuntimeError, match="back in time"), clinic_clock() as set_moment:
        run_stories(
            [_story("a", [30, 10], []), _story("b", [20], [])],
            until=START + dt.timedelta(hours=1),
            set_moment=set_moment,
        )
    assert timezone.now is real
