"""A small clinic for booking tests: two physicians, a nurse, a consult room and a procedure
suite, each available every day 07:00–19:00 clinic time (so tests do not depend on the
weekday they run on)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.scheduling.defaults import install_default_types
from vertebra.scheduling.models import (
    AppointmentType,
    AvailabilityTemplate,
    Resource,
    SelfBookingPolicy,
)
from vertebra.scheduling.services import clinic_zone


@dataclass
class Clinic:
    house: Resource
    locum: Resource
    nurse: Resource
    room: Resource
    suite: Resource
    types: dict[str, AppointmentType]

    def at(self, days: int, hour: int, minute: int = 0) -> dt.datetime:
        """An aware instant ``days`` after today, at that clinic wall-clock time."""
        zone = clinic_zone()
        day = dt.datetime.now(zone).date() + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


def make_clinic(users: dict[Role, User] | None = None) -> Clinic:
    def resource(kind: str, name: str, user: Any = None) -> Resource:
        made = Resource.objects.create(kind=kind, name=name, user=user)
        for weekday in range(7):
            AvailabilityTemplate.objects.create(
                resource=made, weekday=weekday, start_time=dt.time(7), end_time=dt.time(19)
            )
        return made

    # Transactional tests flush the tables, seeded rows included.
    install_default_types(AppointmentType, SelfBookingPolicy)
    return Clinic(
        house=resource("physician", "Dr House", users[Role.PHYSICIAN] if users else None),
        locum=resource("physician", "Dr Locum"),
        nurse=resource("nurse", "Nurse Ratched", users[Role.NURSE] if users else None),
        room=resource("consult_room", "Consult room 1"),
        suite=resource("procedure_suite", "Fluoroscopy suite"),
        types={t.code: t for t in AppointmentType.objects.all()},
    )


@pytest.fixture
def clinic(users: dict[Role, User]) -> Clinic:
    return make_clinic(users)


@pytest.fixture
def scheduler(users: dict[Role, User]) -> Actor:
    return Actor(user=users[Role.SCHEDULER], client_address="127.0.0.1")
