"""The demo's clock: the clinic's past replayed in the order it happened.

Every service stamps its acts with Django's clock (`django.utils.timezone.now`, which
`vertebra.core.timeutil` and the models' `auto_now` fields read too): a consent's signing time,
an evaluation's date, a status change, an audit event. The services take no "time of the act"
parameter, and they should not: a clinician records what happens now. To build a clinic with a
past, the demo (and only the demo, inside the `demo` command) sets that clock to the moment of
each act while it calls the same services a clinician does. Each patient's care is a story
(a generator that yields the moment of its next act); the stories run interleaved in time
order, so the audit trail's sequence and its times agree, as they would in a real clinic.
Acts later than the real present are never run: what lies ahead stays booked.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager

from django.utils import timezone

# A story yields the moment of its next act; it is resumed with the clock set to that moment.
Story = Generator[dt.datetime, None, None]


@contextmanager
def clinic_clock() -> Iterator[Callable[[dt.datetime], None]]:
    """Within the block, Django's clock reads the moment last set (UTC, aware)."""
    original = timezone.now
    moment = [original()]

    def now() -> dt.datetime:
        return moment[0]

    def set_moment(at: dt.datetime) -> None:
        moment[0] = at.astimezone(dt.UTC)

    timezone.now = now  # type: ignore[assignment]
    try:
        yield set_moment
    finally:
        timezone.now = original  # type: ignore[assignment]


def run_stories(
    stories: list[Story],
    *,
    until: dt.datetime,
    set_moment: Callable[[dt.datetime], None],
    on_done: Callable[[int], None] | None = None,
) -> None:
    """Run every story's acts in time order (ties: the order the stories were given) up to
    `until`; a story whose next act lies after `until` stops there."""
    queue: list[tuple[dt.datetime, int, Story]] = []

    def advance(index: int, story: Story) -> None:
        try:
            at = next(story)
        except StopIteration:
            if on_done is not None:
                on_done(index)
            return
        if at <= until:
            heapq.heappush(queue, (at, index, story))
        elif on_done is not None:
            on_done(index)

    for index, story in enumerate(stories):
        advance(index, story)  # a story yields before its first act
    last = None
    while queue:
        at, index, story = heapq.heappop(queue)
        if last is not None and at < last:  # a story asked for a moment already past
            raise RuntimeError(f"Demo story {index} goes back in time to {at.isoformat()}.")
        last = at
        set_moment(at)
        advance(index, story)
