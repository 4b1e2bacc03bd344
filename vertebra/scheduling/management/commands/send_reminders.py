"""`vertebra send-reminders`: send the confirmations, reminders and notices now due. Safe to
run every minute from cron, and from several machines at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vertebra.scheduling.notices import notice_send_due


class Command(BaseCommand):
    help = "Send the appointment e-mails that are due (each once)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = notice_send_due()
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"sent {report.sent}, failed {report.failed} (will retry), "
            f"skipped {report.skipped} (no longer needed or no e-mail address)"
        )
