"""The demo clinic: one login per role and fictitious patients at every stage of the pathway,
built through the same services a clinician uses, in the order a clinic works.

Deterministic for a seed and the day it is loaded (dates are counted back from that day so the
worklist looks current). See docs/architecture.md, "The demo clinic", for what it contains and
the invariants its test checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from vertebra.core import timeutil

from . import stories
from .clinic import DEMO_PASSWORD, DEMO_USERS, open_clinic
from .clock import clinic_clock, run_stories
from .people import FAMILY_NAMES, GIVEN_NAMES

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "FAMILY_NAMES", "GIVEN_NAMES", "load_demo_clinic"]

# The clinic opened (calendars, logins) this long before the day the demo is loaded.
HISTORY = dt.timedelta(days=160)


def present() -> dt.datetime:
    """The real present, which the demo is built up to."""
    return timeutil.now()


def load_demo_clinic(
    *,
    patients: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Load the clinic in one transaction (all of it or nothing). `now`: the present the demo
    is built up to (default: the real present)."""
    until = now or present()
    today = until.astimezone(timeutil.clinic_zone()).date()
    finished = [0]

    def done(_index: int) -> None:
        finished[0] += 1
        if progress is not None and (finished[0] == patients or finished[0] % 10 == 0):
            progress(finished[0], patients)

    with transaction.atomic(), clinic_clock() as set_moment:
        set_moment(until - HISTORY)
        clinic = open_clinic(seed=seed, until=until)
        plans = stories.plans(patients=patients, seed=seed, today=today)
        run_stories(
            [stories.story(clinic, plan) for plan in plans],
            until=until,
            set_moment=set_moment,
            on_done=done,
        )
