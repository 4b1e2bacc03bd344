"""iCalendar (RFC 5545) files for appointments: an invitation, or its cancellation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar, Event


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable per appointment, so calendars update the entry in place
    sequence: int  # the appointment's version: a reschedule supersedes the earlier file
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    description: str
    cancelled: bool = False


def ics_bytes(entry: CalendarEntry, *, stamp: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Vertebra//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if entry.cancelled else "PUBLISH")
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", entry.starts_at.astimezone(dt.UTC))
    event.add("dtend", entry.ends_at.astimezone(dt.UTC))
    event.add("summary", entry.summary)
    event.add("location", entry.location)
    event.add("description", entry.description)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
