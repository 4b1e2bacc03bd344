"""Notices against a real SMTP server on loopback (aiosmtpd): each sent once however often the
sender runs, re-sent after a reschedule, retried after a failure; the ICS files parse back."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from vertebra.core.actor import Actor
from vertebra.patients.models import Patient
from vertebra.scheduling import services
from vertebra.scheduling.models import Notice, NoticeStatus
from vertebra.scheduling.notices import notice_send_due
from vertebra.scheduling.services import BookingRequest
from vertebra.scheduling.tests.conftest import Clinic

pytestmark = pytest.mark.django_db


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.VERTEBRA_CLINIC_NAME = "Test Spine Clinic"
    try:
        yield mailbox
    finally:
        controller.stop()


def calendar_of(message: Message) -> Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return Calendar.from_ical(payload)
    raise AssertionError("no calendar attachment")


@pytest.fixture
def booked(
    clinic: Clinic, make_patient: Callable[..., Patient], scheduler: Actor
) -> Callable[..., Any]:
    def book(email_address: str = "zoe@example.org", days: int = 3) -> Any:
        return services.appointment_book(
            actor=scheduler,
            request=BookingRequest(
                patient=make_patient(email=email_address),
                appointment_type=clinic.types["consultation"],
                starts_at=clinic.at(days, 10),
            ),
        )

    return book


def test_each_notice_is_sent_once_however_often_the_sender_runs(
    smtp: Mailbox, booked: Callable[..., Any]
) -> None:
    appointment = booked()
    assert notice_send_due().sent == 1
    assert notice_send_due().sent == 0
    assert smtp.subjects() == ["Your appointment is booked (Test Spine Clinic)"]
    message = smtp.messages[0]
    assert message["To"] == "zoe@example.org"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "your Consultation is booked for" in text
    event = calendar_of(message).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{appointment.public_id}@vertebra"
    assert event.decoded("DTSTART") == appointment.starts_at
    assert event.decoded("DTEND") == appointment.ends_at
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CONFIRMED"
    # The reminder waits for its time (24 h before), then goes once.
    remind_at = appointment.starts_at - dt.timedelta(hours=24)
    assert notice_send_due(now=remind_at - dt.timedelta(minutes=1)).sent == 0
    assert notice_send_due(now=remind_at).sent == 1
    assert notice_send_due(now=remind_at + dt.timedelta(minutes=5)).sent == 0
    assert smtp.subjects()[1] == "Reminder: your appointment (Test Spine Clinic)"
    assert set(appointment.notices.values_list("status", flat=True)) == {"sent"}


def test_a_reschedule_sends_its_notice_and_a_new_reminder(
    smtp: Mailbox, booked: Callable[..., Any], clinic: Clinic, scheduler: Actor
) -> None:
    appointment = booked()
    notice_send_due()
    moved = services.appointment_reschedule(
        actor=scheduler,
        appointment_id=appointment.pk,
        expected_version=1,
        starts_at=clinic.at(5, 14),
    )
    notice_send_due()
    assert smtp.subjects()[1] == "Your appointment has moved (Test Spine Clinic)"
    event = calendar_of(smtp.messages[1]).walk("VEVENT")[0]
    assert (event.decoded("DTSTART"), int(event["SEQUENCE"])) == (moved.starts_at, 2)
    # The old reminder is not sent; the new one is, at its own time.
    assert notice_send_due(now=appointment.starts_at - dt.timedelta(hours=24)).sent == 0
    assert notice_send_due(now=moved.starts_at - dt.timedelta(hours=24)).sent == 1
    assert len(smtp.messages) == 3
    cancelled = services.appointment_cancel(
        actor=scheduler, appointment_id=moved.pk, expected_version=2, reason="Feeling better"
    )
    notice_send_due()
    event = calendar_of(smtp.messages[3]).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == cancelled.version


def test_a_failed_send_is_recorded_and_retried(
    smtp: Mailbox, booked: Callable[..., Any], settings: Any
) -> None:
    booked()
    settings.EMAIL_PORT = free_port()  # nothing listens there
    now = dt.datetime.now(dt.UTC)
    report = notice_send_due(now=now)
    assert (report.sent, report.failed) == (0, 1)
    notice = Notice.objects.get(kind="confirmation")
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, 1)
    assert "ConnectionRefusedError" in notice.last_error
    assert notice.due_at == now + dt.timedelta(minutes=2)
    assert smtp.messages == []
    settings.EMAIL_PORT = smtp.port
    assert notice_send_due(now=now + dt.timedelta(minutes=1)).sent == 0  # not yet due again
    assert notice_send_due(now=now + dt.timedelta(minutes=2)).sent == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (NoticeStatus.SENT, 2)


def test_a_patient_without_e_mail_is_shown_not_retried(
    smtp: Mailbox, booked: Callable[..., Any]
) -> None:
    booked(email_address="")
    report = notice_send_due()
    assert (report.sent, report.skipped) == (0, 1)
    assert Notice.objects.get(kind="confirmation").status == NoticeStatus.NO_ADDRESS
    assert smtp.messages == []


def test_the_command_reports_what_it_did(
    smtp: Mailbox, booked: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    booked()
    call_command("send_reminders")
    assert capsys.readouterr().out.strip() == (
        "sent 1, failed 0 (will retry), skipped 0 (no longer needed or no e-mail address)"
    )


@pytest.mark.django_db(transaction=True)
def test_senders_running_at_once_send_each_notice_once(
    smtp: Mailbox, users: Any, make_patient: Callable[..., Patient]
) -> None:
    import threading

    from django.db import connections

    from vertebra.core.models import Role
    from vertebra.scheduling.tests.conftest import make_clinic

    clinic = make_clinic(users)
    scheduler = Actor(user=users[Role.SCHEDULER])
    for hour in range(8, 18):
        services.appointment_book(
            actor=scheduler,
            request=BookingRequest(
                patient=make_patient(email=f"p{hour}@example.org"),
                appointment_type=clinic.types["follow_up"],
                starts_at=clinic.at(3, hour),
            ),
        )
    gate = threading.Barrier(4)
    totals: list[int] = []

    def sender() -> None:
        gate.wait(timeout=30)
        try:
            totals.append(notice_send_due().sent)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(totals) == 10
    assert sorted(str(m["To"]) for m in smtp.messages) == sorted(
        f"p{hour}@example.org" for hour in range(8, 18)
    )
