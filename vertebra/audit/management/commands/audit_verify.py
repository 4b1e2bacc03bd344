from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vertebra.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain: prints 'ok' or the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = audit_chain_verify()
        if not verdict.ok:
            raise CommandError(verdict.describe())
        self.stdout.write(verdict.describe())
