"""Reading calendars: resources with their availability and booked time, free slots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from vertebra.patients.models import Patient
from vertebra.scheduling import slots
from vertebra.scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    AvailabilityTemplate,
    BookedTime,
    Resource,
)

STEP = dt.timedelta(minutes=15)  # the booking grid


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- reading calendars -------------------------------------------------------------------------


def calendars(
    kinds: Sequence[str],
    earliest: dt.datetime,
    latest: dt.datetime,
    *,
    preferred: Resource | None = None,
    ignore_booked: bool = False,
) -> list[slots.ResourceCalendar]:
    """The active resources of ``kinds`` with templates, exceptions and booked time around
    [earliest, latest). With ``preferred``, it is the only resource of its kind."""
    resources = Resource.objects.filter(kind__in=kinds, active=True).order_by("name", "pk")
    if preferred is not None:
        resources = resources.exclude(Q(kind=preferred.kind) & ~Q(pk=preferred.pk))
    resources_list = list(resources)
    ids = [resource.pk for resource in resources_list]
    margin = dt.timedelta(days=2)
    windows: dict[int, list[slots.WeeklyWindow]] = {pk: [] for pk in ids}
    for template in AvailabilityTemplate.objects.filter(resource_id__in=ids):
        windows[template.resource_id].append(
            slots.WeeklyWindow(
                template.weekday,
                template.start_time,
                template.end_time,
                template.valid_from,
                template.valid_until,
            )
        )
    exceptions: dict[int, list[slots.Interval]] = {pk: [] for pk in ids}
    for exception in AvailabilityException.objects.filter(
        resource_id__in=ids, ends_at__gt=earliest - margin, starts_at__lt=latest + margin
    ):
        exceptions[exception.resource_id].append(
            slots.Interval(exception.starts_at, exception.ends_at)
        )
    busy: dict[int, list[slots.Interval]] = {pk: [] for pk in ids}
    if not ignore_booked:
        for row in BookedTime.objects.filter(
            resource_id__in=ids,
            active=True,
            blocked_until__gt=earliest - margin,
            starts_at__lt=latest + margin,
        ).values_list("resource_id", "starts_at", "blocked_until"):
            busy[row[0]].append(slots.Interval(row[1], row[2]))
    return [
        slots.ResourceCalendar(
            resource.pk,
            resource.kind,
            tuple(windows[resource.pk]),
            tuple(exceptions[resource.pk]),
            tuple(busy[resource.pk]),
        )
        for resource in resources_list
    ]


def patient_busy(
    patient: Patient,
    earliest: dt.datetime,
    latest: dt.datetime,
    *,
    ignore: Appointment | None = None,
) -> tuple[slots.Interval, ...]:
    rows = BookedTime.objects.filter(
        patient=patient, active=True, blocked_until__gt=earliest, starts_at__lt=latest
    )
    if ignore is not None:
        rows = rows.exclude(appointment=ignore)
    return tuple(
        slots.Interval(start, end) for start, end in rows.values_list("starts_at", "blocked_until")
    )


def slot_request(
    appointment_type: AppointmentType,
    earliest: dt.datetime,
    latest: dt.datetime,
    busy: tuple[slots.Interval, ...] = (),
) -> slots.SlotRequest:
    return slots.SlotRequest(
        kinds=tuple(appointment_type.required_kinds),
        duration=dt.timedelta(minutes=appointment_type.duration_minutes),
        buffer=dt.timedelta(minutes=appointment_type.buffer_minutes),
        earliest=earliest,
        latest=latest,
        zone=clinic_zone(),
        step=STEP,
        patient_busy=busy,
    )


def free_slots(
    appointment_type: AppointmentType,
    *,
    earliest: dt.datetime,
    latest: dt.datetime,
    clinician: Resource | None = None,
    patient: Patient | None = None,
    limit: int = 40,
) -> list[slots.Slot]:
    """The next free slots for a type, across all its resources at once."""
    earliest = max(earliest, timezone.now())
    if earliest >= latest:
        return []
    busy = patient_busy(patient, earliest, latest + dt.timedelta(days=1)) if patient else ()
    request = slot_request(appointment_type, earliest, latest, busy)
    return slots.find_slots(
        request,
        calendars(request.kinds, earliest, latest, preferred=clinician),
        limit=limit,
    )


def local_label(instant: dt.datetime) -> str:
    """A date and time as the clinic reads it, e.g. "Mon 30 Nov 2026 09:00"."""
    local = instant.astimezone(clinic_zone())
    return f"{local:%a %d %b %Y} {slots.wall_label(instant, clinic_zone())}"
