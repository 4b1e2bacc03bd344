"""Fixtures shared by every test: one user per role, logged-in clients, patients made through
the real services (so audit rows and versions are real). No network: sockets to anything but
loopback fail."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients import services
from vertebra.patients.models import Patient, Referral

ROLES = tuple(Role)
STAFF = (Role.PHYSICIAN, Role.NURSE, Role.SCHEDULER, Role.QUALITY_LEAD, Role.ADMINISTRATOR)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith(("127.", "/")) or host in {"localhost", "::1"}
        ):
            raise RuntimeError(f"network access in tests is blocked: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return


@pytest.fixture
def users(db: Any) -> dict[Role, User]:
    made = {}
    for role in ROLES:
        user = User.objects.create_user(
            username=f"{role.value}-user",
            password=None,
            role=role,
            first_name=role.label,
            last_name="Tester",
        )
        made[role] = user
    return made


@pytest.fixture
def client_for(users: dict[Role, User]) -> Callable[[Role | None], Client]:
    """A test client logged in with the given role (None: anonymous)."""

    def make(role: Role | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(users[role])
        return client

    return make


@pytest.fixture
def actor(users: dict[Role, User]) -> Actor:
    return Actor(user=users[Role.NURSE], client_address="127.0.0.1")


@pytest.fixture
def physician_actor(users: dict[Role, User]) -> Actor:
    return Actor(user=users[Role.PHYSICIAN], client_address="127.0.0.1")


PATIENT_DATA = {
    "mrn": "MRN-0001",
    "family_name": "Müller",
    "given_name": "Zoë",
    "birth_date": dt.date(1944, 3, 31),
    "sex": "female",
    "phone": "",
    "email": "",
}


@pytest.fixture
def make_patient(actor: Actor) -> Callable[..., Patient]:
    counter = iter(range(1, 100_000))

    def make(**overrides: Any) -> Patient:
        data = {**PATIENT_DATA, "mrn": f"MRN-{next(counter):04d}", **overrides}
        return services.patient_create(actor=actor, data=data)

    return make


@pytest.fixture
def patient(make_patient: Callable[..., Patient]) -> Patient:
    return make_patient(mrn="MRN-0001")


@pytest.fixture
def make_referral(actor: Actor) -> Callable[..., Referral]:
    def make(patient: Patient, **overrides: Any) -> Referral:
        data = {
            "referring_clinician": "Dr Referrer",
            "reason": "Painful L1 fracture",
            "referral_date": dt.date(2026, 11, 2),
            **overrides,
        }
        return services.referral_create(actor=actor, patient=patient, data=data)

    return make


@pytest.fixture
def referral(patient: Patient, make_referral: Callable[..., Referral]) -> Referral:
    return make_referral(patient)


@pytest.fixture(autouse=True)
def _signed_records_flushable(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test (live server, transaction=True) ends with Django flushing the
    database. On SQLite that flush DELETEs rows, which the signed-procedure-record triggers
    refuse (as they must outside tests), so those tables are emptied first with the guard
    lifted. Requesting transactional_db here makes this teardown run before its flush."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from vertebra.procedures.tests.guard import empty_procedure_tables

    if connection.vendor == "sqlite":
        empty_procedure_tables()
