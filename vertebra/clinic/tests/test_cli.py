"""The `vertebra` command: user creation, demo clinic, audit verify, usage errors."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vertebra.audit.models import AuditEvent
from vertebra.audit.selectors import audit_chain_verify
from vertebra.clinic.cli import main
from vertebra.core.models import Role, User
from vertebra.evaluation.models import Evaluation
from vertebra.patients.models import Patient, Referral, ReferralStatus
from vertebra.procedures.models import ProcedureRecord
from vertebra.procedures.tests.guard import signed_record_guard_lifted
from vertebra.scheduling.models import Appointment


def test_usage_and_unknown_command(capsys):
    assert main([]) == 0
    assert "vertebra serve" in capsys.readouterr().out
    assert main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


@pytest.mark.django_db
def test_user_create_with_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-Long-passphrase-2026\n"))
    call_command(
        "create_vertebra_user",
        "--role",
        "nurse",
        "--username",
        "n.one",
        "--password-stdin",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="n.one")
    assert user.role == Role.NURSE
    assert user.password.startswith("argon2$")
    assert user.check_password("a-Long-passphrase-2026")
    assert AuditEvent.objects.filter(object_type="User", object_id=str(user.public_id)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "nurse", "--username", "weak"], "too short"),
        (["--role", "patient", "--username", "p1"], "needs --patient-mrn"),
        (["--role", "nurse", "--username", "x", "--patient-mrn", "M1"], "only for --role patient"),
    ],
)
def test_user_create_refusals_create_nothing(monkeypatch, args, message):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match=message):
        call_command("create_vertebra_user", *args, "--password-stdin", stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_patient_login_is_linked_to_its_record(monkeypatch, patient):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-Long-passphrase-2026\n"))
    call_command(
        "create_vertebra_user",
        "--role",
        "patient",
        "--username",
        "pat",
        "--patient-mrn",
        patient.mrn.lower(),
        "--password-stdin",
        stdout=io.StringIO(),
    )
    assert Patient.objects.get(pk=patient.pk).user.username == "pat"


PRESENT = dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC)  # a Wednesday afternoon


def _clinic_fingerprint():
    return [
        (
            p.mrn,
            p.family_name,
            p.given_name,
            p.birth_date.isoformat(),
            p.sex,
            tuple(
                sorted(
                    (r.status, tuple(sorted(f.level for f in r.fractures.all())))
                    for r in p.referrals.all()
                )
            ),
            tuple(Evaluation.objects.filter(patient=p).values_list("decision", flat=True)),
            tuple(
                (a.appointment_type.code, a.starts_at.isoformat(), a.status)
                for a in Appointment.objects.filter(patient=p).order_by("starts_at")
            ),
        )
        for p in Patient.objects.order_by("mrn").prefetch_related("referrals__fractures")
    ]


@pytest.mark.django_db(transaction=True)
def test_demo_clinic_covers_every_stage_and_is_deterministic(monkeypatch):
    # Built up to a fixed present, so that two loads cannot straddle an appointment's time.
    monkeypatch.setattr("vertebra.clinic.demo.present", lambda: PRESENT)
    call_command("demo", "--patients", "12", "--seed", "7", stdout=io.StringIO())
    first = _clinic_fingerprint()
    assert len(first) == 12
    assert {r.status for r in Referral.objects.all()} == set(ReferralStatus.values)
    assert {u.role for u in User.objects.exclude(username="system")} == set(Role.values)
    assert all(
        p.mrn.startswith("DEMO-") and p.family_name.endswith("-Demo") for p in Patient.objects.all()
    )
    assert Patient.objects.get(user__username="patient")
    treated = Referral.objects.filter(status__in=["treated", "in_follow_up"])
    signed = ProcedureRecord.objects.filter(status="signed", referral__in=treated)
    assert signed.values("referral").distinct().count() == treated.count() > 0
    assert audit_chain_verify().ok
    with pytest.raises(CommandError, match="loaded before"):
        call_command("demo", "--patients", "1", stdout=io.StringIO())
    # From an empty database, the same seed gives the same clinic; another seed does not.
    # (A database with signed procedure records flushes only with their guard lifted.)
    with signed_record_guard_lifted():
        call_command("flush", "--no-input", verbosity=0)
    call_command("demo", "--patients", "12", "--seed", "7", stdout=io.StringIO())
    assert _clinic_fingerprint() == first
    with signed_record_guard_lifted():
        call_command("flush", "--no-input", verbosity=0)
    call_command("demo", "--patients", "12", "--seed", "8", stdout=io.StringIO())
    assert _clinic_fingerprint() != first


@pytest.mark.django_db
def test_demo_if_empty_does_nothing_when_users_exist(users):
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert not Patient.objects.exists()


def test_demo_on_an_unmigrated_data_directory_migrates_first(tmp_path):
    """A fresh data directory has no tables: `vertebra demo` migrates it before loading, and
    `--if-empty` (what `make run` uses) then loads nothing more."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(VERTEBRA_ENV="test", VERTEBRA_DATA_DIR=str(tmp_path))
    command = [sys.executable, "-m", "vertebra.clinic.cli", "demo", "--patients", "2"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert "Demo clinic loaded" in first.stdout
    assert (tmp_path / "vertebra.sqlite3").exists()
    again = subprocess.run(
        [*command, "--if-empty"], env=env, capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "nothing loaded" in again.stdout
