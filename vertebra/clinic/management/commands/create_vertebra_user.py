from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients.models import Patient


class Command(BaseCommand):
    help = "Create a login: vertebra user create --role ROLE --username NAME [...]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--username", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--patient-mrn", help="for --role patient: the record this login sees")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of a prompt",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        patient = None
        if options["role"] == Role.PATIENT:
            if not options["patient_mrn"]:
                raise CommandError("A patient login needs --patient-mrn.")
            patient = Patient.objects.filter(mrn__iexact=options["patient_mrn"]).first()
            if patient is None:
                raise CommandError(f"No patient with MRN {options['patient_mrn']!r}.")
            if patient.user_id is not None:
                raise CommandError("That patient already has a login.")
        elif options["patient_mrn"]:
            raise CommandError("--patient-mrn is only for --role patient.")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        user = User(
            username=username,
            role=options["role"],
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
        )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user.set_password(password)
        with transaction.atomic():
            user.save()
            if patient is not None:
                Patient.objects.filter(pk=patient.pk).update(user=user)
            audit_record(
                actor=Actor.system(),
                action=AuditAction.CREATE,
                object_type="User",
                object_id=user.public_id,
                patient=patient,
                summary=f"Created {user.get_role_display().lower()} login {username}",
                changes={"username": [None, username], "role": [None, user.role]},
            )
        self.stdout.write(f"Created {user.get_role_display().lower()} {username}.")
