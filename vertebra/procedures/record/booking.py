"""The booked procedure appointment of a referral, as the procedure record sees it (issue 14).

Scheduling and procedures are sibling layers (architecture.md §9): neither imports the other,
because a procedure is not a booking. The record still needs to know which booking it was the
session of, so this module defines what it needs (`BookedSession`: the appointment's public id
and time) and a hook, `register_booking_lookup`, through which the composition layer
(`vertebra.clinic`, which may import both) supplies the function that finds it. Without a
registered lookup (a deployment without scheduling, or a unit test), the record simply has no
booking, reported as "no booked procedure appointment found", never guessed.

At start the record copies the appointment's public id and start time (no foreign key across
the layers); a start further from the booked time than `VERTEBRA_PROCEDURE_START_TOLERANCE_HOURS`
warns (rules/record.py), which catches a record started for the wrong session or patient.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from vertebra.patients.models import Referral


@dataclass(frozen=True)
class BookedSession:
    """The booked procedure appointment: its public id and when it starts (aware, UTC)."""

    appointment_id: uuid.UUID
    starts_at: dt.datetime


BookingLookup = Callable[[Referral, dt.datetime], BookedSession | None]

_lookup: BookingLookup | None = None


def register_booking_lookup(lookup: BookingLookup | None) -> None:
    """Called once by the composition layer (vertebra.clinic's AppConfig.ready); None unsets."""
    global _lookup  # one process-wide hook, set at start-up
    _lookup = lookup


def booked_session(referral: Referral, at: dt.datetime) -> BookedSession | None:
    """The referral's procedure appointment nearest to `at`, if a lookup is registered."""
    return _lookup(referral, at) if _lookup is not None else None
