# ruff: noqa: T201, S603  (a command-line script: it prints, and runs the tools it names)
"""Fuzz the JSON API with schemathesis and print what it found.

    make fuzz                                   # or: scripts/fuzz.sh
    scripts/fuzz.sh --max-examples 20 --max-time 120 --seed 7

What it does, in order (everything it starts it stops in a `finally`):
1. a temporary data folder with its own SQLite database, migrated;
2. a small clinic: the demo (`vertebra demo --patients 5`, which also records a procedure),
   then a physician login of its own with a patient and a referral made through the services,
   so the run does not depend on the demo's users; a session for that login is created in the
   database (force_login) and sent as a cookie, with a CSRF token in cookie and header, as a
   browser would (the API authenticates with the session; see vertebra/core/apiauth.py);
3. gunicorn on 127.0.0.1 at a free port, its access log in the data folder;
4. `schemathesis run /api/openapi.json --checks all` with a fixed seed, a bounded number of
   examples per operation and a time budget; path and body ids are drawn from the clinic's real
   ids most of the time (schemathesis dictionaries), so requests get past 404;
5. the figures: requests served (from gunicorn's access log), server errors (5xx in that log),
   and schemathesis's failures by check (schema violations: response_schema_conformance,
   status_code_conformance, content_type_conformance).

/fhir/ publishes no OpenAPI document (it answers FHIR R4 with its CapabilityStatement at
/fhir/metadata), so only /api/ is fuzzed.

Exit status: 0 when there was no server error and no failed check; 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
# schemathesis's codes for a response that breaks the OpenAPI document (`schemathesis explain
# --list`): an undocumented status, a missing, undocumented or malformed content type, missing
# headers, a body that violates its schema or is not JSON.
SCHEMA_VIOLATIONS = tuple(f"ST{n}" for n in range(103, 112))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup_clinic(env: dict[str, str]) -> dict[str, Any]:
    """Migrate, load the demo, add our own login and patient; return ids and the session."""
    subprocess.run(
        [VENV / "vertebra", "manage", "migrate", "--no-input", "-v", "0"], env=env, check=True
    )
    demo = subprocess.run(
        [VENV / "vertebra", "demo", "--patients", "5"], env=env, capture_output=True, text=True
    )
    if demo.returncode != 0:
        print(f"(demo clinic not loaded: {demo.stderr.strip()[-300:]}; going on without it)")
    code = r"""
import datetime as dt, json
from django.test import Client
from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients import services
from vertebra.patients.models import Patient, Referral
from vertebra.procedures.models import ProcedureRecord
from vertebra.scheduling.models import Appointment, AppointmentType, Resource

user = User.objects.create_user(username="fuzz-physician", password=None, role=Role.PHYSICIAN,
                                first_name="Fuzz", last_name="Physician")
actor = Actor(user=user, client_address="127.0.0.1")
patient = services.patient_create(actor=actor, data={
    "mrn": "FUZZ-0001", "family_name": "Fuzz", "given_name": "Patient",
    "birth_date": dt.date(1950, 5, 17), "sex": "female", "phone": "", "email": ""})
services.referral_create(actor=actor, patient=patient, data={
    "referring_clinician": "Dr Fuzz", "reason": "Painful L1 fracture",
    "referral_date": dt.date(2026, 1, 5)})
client = Client()
client.force_login(user)
ids = lambda rows: [str(v) for v in rows.values_list("public_id", flat=True)]
print("FUZZ-SETUP " + json.dumps({
    "session": client.cookies["sessionid"].value,
    "patients": ids(Patient.objects.all()),
    "referrals": ids(Referral.objects.all()),
    "appointments": ids(Appointment.objects.all()),
    "procedures": ids(ProcedureRecord.objects.all()),
    "clinicians": ids(Resource.objects.all()),
    "types": list(AppointmentType.objects.values_list("code", flat=True)),
}))
"""
    shell = subprocess.run(
        [VENV / "vertebra", "manage", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in shell.stdout.splitlines() if x.startswith("FUZZ-SETUP "))
    return json.loads(line.removeprefix("FUZZ-SETUP "))


def write_config(path: Path, clinic: dict[str, Any], csrf: str) -> None:
    def values(items: list[str]) -> str:
        return json.dumps(items or ["00000000-0000-0000-0000-000000000000"])

    bindings = {
        "patients": ["path.patient_id", "body.patient_id"],
        "referrals": ["path.referral_id", "query.referral_id", "body.referral_id"],
        "appointments": ["path.appointment_id"],
        "procedures": ["path.procedure_id"],
        "clinicians": ["query.clinician_id", "body.clinician_id"],
        "types": ["query.type", "body.type"],
    }
    # The session goes in as the schema's own security scheme (a cookie), so schemathesis can
    # also try each operation without it; the CSRF token as a browser sends it: the header here,
    # the cookie from the hook (HOOKS: an explicit Cookie header would replace the session).
    lines = [
        f'headers = {{ X-CSRFToken = "{csrf}" }}',
        "",
        "[auth.openapi.RoleAuth]",
        f'api_key = "{clinic["session"]}"',
        "",
    ]
    for name in bindings:
        lines += [f"[dictionaries.{name}]", f"values = {values(clinic[name])}", ""]
    lines.append("[parameters]")
    for name, keys in bindings.items():
        for key in keys:
            lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.8 }}')
    path.write_text("\n".join(lines) + "\n")


HOOKS = """
import os

import schemathesis


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    case.cookies = {**(case.cookies or {}), "csrftoken": os.environ["FUZZ_CSRF"]}
"""


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=40, help="per operation")
    parser.add_argument("--max-time", type=int, default=240, help="seconds for schemathesis")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="vertebra-fuzz-"))
    env = {
        **os.environ,
        "VERTEBRA_ENV": "test",
        "VERTEBRA_DATA_DIR": str(folder),
        "VERTEBRA_IDLE_TIMEOUT_MINUTES": "600",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)  # always the temporary SQLite database
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"Setting up a small clinic in {folder} ...", flush=True)
        clinic = setup_clinic(env)
        csrf = secrets.token_hex(16)
        config = folder / "schemathesis.toml"
        write_config(config, clinic, csrf)
        (folder / "fuzz_hooks.py").write_text(HOOKS)
        port = free_port()
        access_log = folder / "access.log"
        server_log = (folder / "server.log").open("ab")
        server = subprocess.Popen(
            [
                VENV / "gunicorn", "config.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                "--access-logfile", str(access_log),
                "--access-logformat", "%(s)s %(m)s %(U)s",
                "--error-logfile", str(folder / "server.log"),
                "--timeout", "60",
            ],
            cwd=ROOT, env=env, start_new_session=True, stdout=server_log, stderr=server_log,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        report = folder / "report"
        command = [
            str(VENV / "schemathesis"), "--config-file", str(config), "run",
            f"{base}/api/openapi.json",
            "--checks", "all",
            "--max-examples", str(args.max_examples),
            "--max-time", str(args.max_time),
            "--seed", str(args.seed),
            "--workers", "1",
            "--generation-database", "none",
            "--report", "ndjson", "--report-dir", str(report),
            "--no-color",
        ]  # fmt: skip
        print("$ " + " ".join(command), flush=True)
        hooks_env = {**env, "SCHEMATHESIS_HOOKS": str(folder / "fuzz_hooks.py"), "FUZZ_CSRF": csrf}
        run = subprocess.run(command, cwd=folder, env=hooks_env, capture_output=True, text=True)
        output = run.stdout + run.stderr
        (folder / "schemathesis.txt").write_text(output)
        print(output[-6000:])
        statuses = Counter(
            line.split(" ", 1)[0]
            for line in access_log.read_text().splitlines()
            if " /api/" in line
        )
        requests = sum(statuses.values())
        server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
        failures = failed_checks(output)
        violations = sum(n for name, n in failures.items() if name[:5] in SCHEMA_VIOLATIONS)
        print(f"Fuzzing /api/ (schemathesis, seed {args.seed})")
        print(f"  requests:          {requests}")
        print(f"  statuses:          {dict(sorted(statuses.items()))}")
        print(f"  server errors:     {server_errors}")
        print(f"  schema violations: {violations}")
        print(f"  failed checks:     {dict(failures) or 'none'}")
        print(f"  schemathesis exit: {run.returncode}; output: {folder / 'schemathesis.txt'}")
        if server_errors:
            print("  server log: " + str(folder / "server.log"))
        ok = server_errors == 0 and not failures and run.returncode == 0
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep and not os.environ.get("FUZZ_KEEP"):
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"Kept {folder}")


def failed_checks(output: str) -> Counter[str]:
    """The summary's failure lines, e.g. "❌ ST103 Undocumented status code: 1", by code."""
    found: Counter[str] = Counter()
    summary = output.split("Failures:", 1)[1] if "Failures:" in output else ""
    for match in re.finditer(r"^\s*\S+\s+([A-Z]{2}\d{3}) (.+?): (\d+)\s*$", summary, re.M):
        found[f"{match.group(1)} {match.group(2)}"] += int(match.group(3))
    return found


if __name__ == "__main__":
    sys.exit(main())
