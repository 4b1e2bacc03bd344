"""Reading calendars: resources with their availability and booked time, free slots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone

from vertebra.patients.models import Patient, Referral
from vertebra.scheduling import slots
from vertebra.scheduling.models import (
    HOLDS_TIME,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    AvailabilityException,
    AvailabilityTemplate,
    BookedTime,
    Notice,
    NoticeStatus,
    Resource,
)

STEP = dt.timedelta(minutes=15)  # the booking grid
SEARCH_CHUNK = dt.timedelta(days=7)


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
    """The next free slots for a type, across all its resources at once.

    The range is searched a week at a time, nearest first, and the search stops as soon as
    ``limit`` slots are found: the usual question ("the next free times") is answered from the
    first week's bookings instead of loading and computing the whole range."""
    earliest = max(earliest, timezone.now())
    found: list[slots.Slot] = []
    chunk_start = earliest
    while chunk_start < latest and len(found) < limit:
        chunk_end = min(chunk_start + SEARCH_CHUNK, latest)
        busy = (
            patient_busy(patient, chunk_start, chunk_end + dt.timedelta(days=1)) if patient else ()
        )
        request = slot_request(appointment_type, chunk_start, chunk_end, busy)
        found += slots.find_slots(
            request,
            calendars(request.kinds, chunk_start, chunk_end, preferred=clinician),
            limit=limit - len(found),
        )
        chunk_start = chunk_end
    return found


# How far from today a calendar, a day list or a slot search may look. A date further off is a
# typing error, and one near year 1 or 9999 would overflow the date arithmetic that follows.
REACH_YEARS = 10


def day_out_of_reach(day: dt.date) -> str | None:
    """The message for a date too far from today to look at, or None."""
    today = clinic_today()
    if abs((day - today).days) > REACH_YEARS * 366:
        return f"Choose a date within {REACH_YEARS} years of today ({today:%Y-%m-%d})."
    return None


def clinician_problem(appointment_type: AppointmentType, clinician: Resource | None) -> str | None:
    """Why ``clinician`` cannot serve ``appointment_type`` (the message booking gives), or None.
    A slot search for such a clinician would otherwise answer other clinicians' times."""
    if clinician is None:
        return None
    if clinician.kind in appointment_type.required_kinds and clinician.active:
        return None
    names = dict(Resource._meta.get_field("kind").choices or [])
    needed = ", ".join(str(names.get(kind, kind)) for kind in appointment_type.required_kinds)
    return f"{clinician} can't serve this type (it needs: {needed})."


def local_label(instant: dt.datetime) -> str:
    """A date and time as the clinic reads it, e.g. "Mon 30 Nov 2026 09:00"."""
    local = instant.astimezone(clinic_zone())
    return f"{local:%a %d %b %Y} {slots.wall_label(instant, clinic_zone())}"


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants a local clinic day starts and ends (23 or 25 hours on change days)."""
    zone = clinic_zone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end.astimezone(dt.UTC)


def clinic_today() -> dt.date:
    return timezone.now().astimezone(clinic_zone()).date()


def appointments_between(
    start: dt.datetime, end: dt.datetime, *, resource: Resource | None = None
) -> list[Appointment]:
    """Appointments overlapping [start, end), cancelled ones included (shown struck out), with
    patient, type and resources in three queries whatever their number."""
    rows = Appointment.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if resource is not None:
        rows = rows.filter(booked__resource=resource).distinct()
    return list(
        rows.select_related("patient", "appointment_type")
        .prefetch_related(_resources_held())
        .order_by("starts_at", "pk")
    )


def _resources_held() -> Prefetch[Any]:
    """An appointment's active resource rows as ``resources_held``: the lists show these, and
    the patient's own row (no resource) or a moved appointment's old rows are not among them."""
    return Prefetch(
        "booked",
        queryset=BookedTime.objects.filter(active=True, resource__isnull=False)
        .select_related("resource")
        .order_by("pk"),
        to_attr="resources_held",
    )


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    appointments: list[Appointment]
    exceptions: list[AvailabilityException]
    windows: list[str]


def resource_calendar(resource: Resource, first_day: dt.date, days: int) -> list[CalendarDay]:
    start, _ = day_bounds(first_day)
    _, end = day_bounds(first_day + dt.timedelta(days=days - 1))
    appointments = appointments_between(start, end, resource=resource)
    exceptions = list(
        AvailabilityException.objects.filter(
            resource=resource, starts_at__lt=end, ends_at__gt=start
        )
    )
    templates = list(AvailabilityTemplate.objects.filter(resource=resource))
    result = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        day_start, day_end = day_bounds(day)
        windows = [
            f"{t.start_time:%H:%M}–{t.end_time:%H:%M}"
            for t in templates
            if slots.WeeklyWindow(
                t.weekday, t.start_time, t.end_time, t.valid_from, t.valid_until
            ).applies(day)
        ]
        result.append(
            CalendarDay(
                day,
                [a for a in appointments if a.starts_at < day_end and a.ends_at > day_start],
                [e for e in exceptions if e.starts_at < day_end and e.ends_at > day_start],
                windows,
            )
        )
    return result


def appointment_get(public_id: str) -> Appointment | None:
    try:
        return (
            Appointment.objects.select_related(
                "patient", "appointment_type", "referral", "hold_override_by"
            )
            .prefetch_related("booked__resource", "notices")
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, ValidationError):
        return None


def patient_appointments(patient: Patient) -> list[Appointment]:
    return list(
        Appointment.objects.filter(patient=patient)
        .select_related("appointment_type")
        .prefetch_related(_resources_held())
        .order_by("-starts_at")
    )


def notices_needing_attention() -> list[Notice]:
    return list(
        Notice.objects.filter(
            status__in=(NoticeStatus.FAILED, NoticeStatus.GAVE_UP, NoticeStatus.NO_ADDRESS)
        )
        .select_related("appointment__patient", "appointment__appointment_type")
        .order_by("-due_at")[:200]
    )


def resources_with_setup() -> list[Resource]:
    return list(Resource.objects.prefetch_related("templates").order_by("kind", "name"))


def open_referral(patient: Patient) -> Referral | None:
    """The patient's open referral a procedure is booked for: the latest active one that is not
    closed (the booking page preselects it)."""
    return (
        Referral.objects.filter(patient=patient, record_status="active")
        .exclude(status="closed")
        .order_by("-referral_date", "-id")
        .first()
    )


def referral_procedure_booking(referral: Referral) -> Appointment | None:
    """The referral's booked procedure, which the pre-procedure checklist checks the
    antithrombotic hold against and the procedure report reads its override from: the earliest
    one still holding time, else the latest completed one."""
    procedures = Appointment.objects.filter(
        referral=referral, appointment_type__requires_decision_to_treat=True
    ).select_related("hold_override_by")
    return (
        procedures.filter(status__in=HOLDS_TIME).order_by("starts_at").first()
        or procedures.filter(status=AppointmentStatus.COMPLETED).order_by("-starts_at").first()
    )
