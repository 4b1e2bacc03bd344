"""Sending the notices owed to patients (confirmation, reminder, reschedule, cancellation).

`notice_send_due` is what `vertebra send-reminders` runs; it is safe to run every minute from
cron and from several machines at once. Each notice is first claimed in a short transaction (a
lease:
PostgreSQL skips rows another sender holds; SQLite's IMMEDIATE transaction serialises the
claim), then sent, then marked sent. A sender that dies after sending but before marking leaves
the lease to expire, and the notice is sent again: at least once, and exactly once whenever the
sender survives. A failed send is retried with a growing delay, up to a setting, and shown to
staff on the notices page with its error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from vertebra.scheduling.ics import CalendarEntry, ics_bytes
from vertebra.scheduling.models import Appointment, Notice, NoticeKind, NoticeStatus
from vertebra.scheduling.selectors import local_label

LEASE = dt.timedelta(minutes=10)

SUBJECTS = {
    NoticeKind.CONFIRMATION: "Your appointment is booked",
    NoticeKind.REMINDER: "Reminder: your appointment",
    NoticeKind.RESCHEDULED: "Your appointment has moved",
    NoticeKind.CANCELLED: "Your appointment is cancelled",
}


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def calendar_entry(appointment: Appointment) -> CalendarEntry:
    return CalendarEntry(
        uid=f"{appointment.public_id}@vertebra",
        sequence=appointment.version,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=f"{appointment.appointment_type.name}, {settings.VERTEBRA_CLINIC_NAME}",
        location=settings.VERTEBRA_CLINIC_NAME,
        description="Please bring your medication list. To change or cancel, call the clinic "
        "or use the patient portal.",
        cancelled=appointment.status == "cancelled",
    )


def calendar_file(appointment: Appointment) -> tuple[bytes, str]:
    """The appointment's ICS file and its download name (staff page, portal, e-mails)."""
    return (
        ics_bytes(calendar_entry(appointment), stamp=timezone.now()),
        f"appointment-{appointment.public_id}.ics",
    )


def _body(notice: Notice, appointment: Appointment) -> str:
    when = local_label(appointment.starts_at)
    name = appointment.patient.given_name
    what = appointment.appointment_type.name
    lines = {
        NoticeKind.CONFIRMATION: f"your {what} is booked for {when}.",
        NoticeKind.REMINDER: f"this is a reminder of your {what} on {when}.",
        NoticeKind.RESCHEDULED: f"your {what} has moved to {when}.",
        NoticeKind.CANCELLED: f"your {what} of {when} is cancelled.",
    }
    return (
        f"Dear {name},\n\n{lines[NoticeKind(notice.kind)]}\n\n"
        f"The calendar file attached updates your calendar.\n\n{settings.VERTEBRA_CLINIC_NAME}\n"
    )


def _claim(now: dt.datetime) -> Notice | None:
    with transaction.atomic():
        rows = Notice.objects.filter(
            status__in=(NoticeStatus.PENDING, NoticeStatus.FAILED), due_at__lte=now
        ).exclude(claimed_until__gt=now)
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        notice = rows.order_by("due_at", "pk").first()
        if notice is None:
            return None
        notice.claimed_until = now + LEASE
        notice.save(update_fields=["claimed_until"])
        return notice


def _finish(notice: Notice, **changes: object) -> None:
    Notice.objects.filter(pk=notice.pk, claimed_until=notice.claimed_until).update(
        claimed_until=None, **changes
    )


def notice_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> SendReport:
    now = now or timezone.now()
    report = SendReport()
    for _ in range(limit):
        notice = _claim(now)
        if notice is None:
            break
        appointment = Appointment.objects.select_related("patient", "appointment_type").get(
            pk=notice.appointment_id
        )
        if notice.kind == NoticeKind.REMINDER and (
            appointment.version != notice.appointment_version or not appointment.holds_time
        ):
            _finish(notice, status=NoticeStatus.OBSOLETE)
            report.skipped += 1
            continue
        if not appointment.patient.email:
            _finish(notice, status=NoticeStatus.NO_ADDRESS)
            report.skipped += 1
            continue
        message = EmailMessage(
            subject=f"{SUBJECTS[NoticeKind(notice.kind)]} ({settings.VERTEBRA_CLINIC_NAME})",
            body=_body(notice, appointment),
            to=[appointment.patient.email],
        )
        message.attach(
            "appointment.ics",
            ics_bytes(calendar_entry(appointment), stamp=now),
            "text/calendar",
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # any transport failure: record it and retry later
            attempts = notice.attempts + 1
            gave_up = attempts >= settings.VERTEBRA_NOTICE_MAX_ATTEMPTS
            _finish(
                notice,
                status=NoticeStatus.GAVE_UP if gave_up else NoticeStatus.FAILED,
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:500],
                due_at=now + dt.timedelta(minutes=2**attempts),
            )
            report.failed += 1
            report.errors.append(f"notice {notice.pk}: {type(exc).__name__}: {exc}")
            continue
        _finish(notice, status=NoticeStatus.SENT, sent_at=now, attempts=notice.attempts + 1)
        report.sent += 1
    return report
