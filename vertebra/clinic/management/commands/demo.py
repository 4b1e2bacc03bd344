from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vertebra.clinic.demo import DEMO_PASSWORD, DEMO_USERS, load_demo_clinic
from vertebra.core.models import User


class Command(BaseCommand):
    help = (
        "Load a deterministic synthetic demo clinic (fictitious people only); migrates the "
        "database first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database already has users"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("The demo clinic has known passwords: never load it in production.")
        if options["patients"] < 1:
            raise CommandError("--patients must be at least 1.")
        # A fresh data directory has no tables yet: the demo is often the first command run.
        call_command("migrate", interactive=False, verbosity=0)
        if options["if_empty"] and User.objects.exclude(username="system").exists():
            self.stdout.write("Demo data already present: nothing loaded.")
            return
        if User.objects.filter(username__in=[u for u, _r, _n in DEMO_USERS]).exists():
            raise CommandError("Demo users exist already: the demo clinic was loaded before.")
        started = time.monotonic()
        load_demo_clinic(
            patients=options["patients"],
            seed=options["seed"],
            progress=lambda done, total: self.stdout.write(
                f"  demo patients {done}/{total}", ending="\r" if done < total else "\n"
            ),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo clinic loaded in {time.monotonic() - started:.0f} s. "
                f"Logins (password {DEMO_PASSWORD!r}):"
            )
        )
        for username, role, _name in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role}")
