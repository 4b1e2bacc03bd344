"""The race through HTTP: two gunicorn processes on one PostgreSQL database (the shape in which
Vertebra scales past one machine), 16 clients, 200 attempts at 20 slots: exactly 20 bookings,
every loser told "no longer available"."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from vertebra.core.models import Role, User
from vertebra.patients.models import Patient
from vertebra.scheduling.models import Appointment, BookedTime
from vertebra.scheduling.services import NO_LONGER_AVAILABLE
from vertebra.scheduling.tests.conftest import make_clinic

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="several servers share one database only on PostgreSQL",
    ),
]

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn on {port} exited: {process.stderr.read()!r}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn on {port} did not start")


@pytest.fixture
def two_servers() -> Iterator[list[int]]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "VERTEBRA_ENV": "test", "DB_CONN_MAX_AGE": "0"}
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_until_up(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def test_two_servers_racing_for_twenty_slots_book_each_once(
    two_servers: list[int], users: dict[Role, User], make_patient: Callable[..., Patient]
) -> None:
    clinic = make_clinic(users)
    clinic.locum.active = False
    clinic.locum.save()
    starts = [clinic.at(2, 8) + dt.timedelta(minutes=30 * i) for i in range(20)]
    patients = [make_patient() for _ in range(10)]
    browser = Client()
    browser.force_login(users[Role.SCHEDULER])
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = _get_new_csrf_string()
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }

    def attempt(index: int) -> tuple[int, Any]:
        port = two_servers[index % 2]
        body = {
            "patient_id": str(patients[index // 20].public_id),
            "type": "consultation",
            "starts_at": starts[index % 20].isoformat(),
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/appointments",
            data=json.dumps(body).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback http
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(200)))
    statuses = [status for status, _ in outcomes]
    assert statuses.count(201) == 20
    assert statuses.count(409) == 180
    assert {body["error"]["message"] for status, body in outcomes if status == 409} == {
        NO_LONGER_AVAILABLE
    }
    assert Appointment.objects.count() == 20
    room = sorted(
        BookedTime.objects.filter(resource=clinic.room, active=True).values_list(
            "starts_at", "blocked_until"
        )
    )
    assert [start for start, _ in room] == starts
    assert all(a[1] <= b[0] for a, b in pairwise(room))
