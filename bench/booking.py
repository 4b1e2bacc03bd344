"""Booking benchmark, on a throwaway PostgreSQL cluster (or SQLite with --sqlite).

1. The race: 16 workers make 1,000 booking attempts at 20 half-hour slots of one physician and
   one room (through the booking service, each attempt its own transaction, as a request would).
   Prints attempts per second, p50/p95 latency of an attempt, and checks that exactly 20 were
   booked with no overlap.
2. Slot search: 10 physicians (and 10 rooms) with weekday hours, 2,000 appointments already
   booked over 90 days (fixed seed); the next 40 free consultation slots over 90 days,
   searched from random days, 5 rounds. Prints p50/p95 and the ratio to a baseline measured in
   the same run: the same search for one clinician over 7 days. Target: p95 < 50 ms.

    make bench-booking            # or: .venv/bin/python bench/booking.py [--sqlite] [--rounds N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SEED = 20261124
TARGET_P95_MS = 50.0


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def setup_django(database_url: str | None, workdir: Path) -> None:
    os.environ.update(
        {
            "VERTEBRA_ENV": "local",
            "VERTEBRA_DATA_DIR": str(workdir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "ERROR",
        }
    )
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def race(attempts: int = 1000, workers: int = 16) -> dict[str, float]:
    from django.db import connections

    from vertebra.core.actor import Actor
    from vertebra.core.errors import SlotUnavailable
    from vertebra.core.models import Role, User
    from vertebra.patients.models import Patient
    from vertebra.scheduling import services
    from vertebra.scheduling.models import Appointment, AppointmentType, BookedTime
    from vertebra.scheduling.tests.conftest import make_clinic

    clinic = make_clinic()
    clinic.locum.active = False
    clinic.locum.save()
    scheduler = Actor(user=User.objects.create_user("bench-scheduler", role=Role.SCHEDULER))
    patients = [
        Patient.objects.create(
            mrn=f"BENCH-{i:04d}",
            family_name="Bench",
            given_name=f"P{i}",
            birth_date=dt.date(1940, 1, 1),
            search_text=f"bench p{i}",
        )
        for i in range(attempts // 20)
    ]
    consultation = AppointmentType.objects.get(code="consultation")
    starts = [clinic.at(2, 8) + dt.timedelta(minutes=30 * i) for i in range(20)]
    latencies: list[float] = []
    lock = threading.Lock()

    def attempt(index: int) -> bool:
        began = time.perf_counter()
        try:
            services.appointment_book(
                actor=scheduler,
                request=services.BookingRequest(
                    patient=patients[index // 20],
                    appointment_type=consultation,
                    starts_at=starts[index % 20],
                ),
            )
            booked = True
        except SlotUnavailable:
            booked = False
        finally:
            connections.close_all()
        with lock:
            latencies.append(time.perf_counter() - began)
        return booked

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(attempt, range(attempts)))
    elapsed = time.perf_counter() - began
    room = sorted(
        BookedTime.objects.filter(resource=clinic.room, active=True).values_list(
            "starts_at", "blocked_until"
        )
    )
    overlap = any(a[1] > b[0] for a, b in pairwise(room))
    if sum(outcomes) != 20 or Appointment.objects.count() != 20 or overlap:
        raise SystemExit("FAIL: the race booked a slot twice or lost one")
    return {
        "attempts_per_s": attempts / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "booked": float(sum(outcomes)),
    }


def search_dataset(rng: random.Random) -> tuple[Any, list[Any]]:
    from vertebra.core.actor import Actor
    from vertebra.core.errors import DomainError
    from vertebra.patients.models import Patient
    from vertebra.scheduling import services
    from vertebra.scheduling.models import AppointmentType, AvailabilityTemplate, Resource
    from vertebra.scheduling.selectors import clinic_zone

    physicians = []
    for i in range(10):
        for kind, name in (("physician", f"Dr Bench {i}"), ("consult_room", f"Room {i}")):
            resource = Resource.objects.create(kind=kind, name=name)
            for weekday in range(5):
                AvailabilityTemplate.objects.create(
                    resource=resource, weekday=weekday, start_time=dt.time(8), end_time=dt.time(17)
                )
            if kind == "physician":
                physicians.append(resource)
    consultation = AppointmentType.objects.get(code="consultation")
    patients = [
        Patient.objects.create(
            mrn=f"SEARCH-{i:05d}",
            family_name="Search",
            given_name=f"P{i}",
            birth_date=dt.date(1945, 1, 1),
            search_text=f"search p{i}",
        )
        for i in range(2000)
    ]
    zone = clinic_zone()
    today = dt.datetime.now(zone).date()
    system = Actor.system()
    booked = 0
    for patient in patients:
        day = today + dt.timedelta(days=rng.randint(1, 90))
        start = dt.datetime.combine(
            day, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))), tzinfo=zone
        )
        try:
            services.appointment_book(
                actor=system,
                request=services.BookingRequest(
                    patient=patient,
                    appointment_type=consultation,
                    starts_at=start.astimezone(dt.UTC),
                    clinician=rng.choice(physicians),
                ),
            )
            booked += 1
        except DomainError:
            continue
    print(f"slot search data: 10 physicians, 10 rooms, {booked} appointments over 90 days")
    return consultation, physicians


def time_search(search: Callable[[dt.datetime], Any], starts: list[dt.datetime]) -> list[float]:
    timings = []
    for start in starts:
        began = time.perf_counter()
        found = search(start)
        timings.append(time.perf_counter() - began)
        if not found:
            raise SystemExit("FAIL: a search found no free slot")
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sqlite", action="store_true", help="SQLite file instead of PostgreSQL")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--searches", type=int, default=40, help="searches per round")
    parser.add_argument("--no-race", action="store_true", help="only the slot search")
    parser.add_argument(
        "--whole-range",
        action="store_true",
        help="search the whole range at once (the search before it went week by week), to compare",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vertebra-bench-booking.") as workdir:
        if args.sqlite:
            return run(args, None, Path(workdir))
        from pages import create_database, pg_cluster

        with pg_cluster() as (url, _pg_dir):
            create_database(url)
            return run(args, url, Path(workdir))


def run(args: argparse.Namespace, database_url: str | None, workdir: Path) -> int:
    setup_django(database_url, workdir)
    from django.db import connection

    from vertebra.scheduling import selectors
    from vertebra.scheduling.selectors import free_slots

    if args.whole_range:
        selectors.SEARCH_CHUNK = dt.timedelta(days=3650)
    print(
        f"database: {connection.vendor}; search {'whole range' if args.whole_range else 'by week'}"
    )
    if not args.no_race:
        report_race()
    search(args, free_slots)
    return 0


def report_race() -> None:
    result = race()
    print(
        f"race: 1,000 attempts by 16 workers at 20 slots: {result['booked']:.0f} booked, "
        f"{result['attempts_per_s']:,.0f} attempts/s, p50 {result['p50_ms']:.1f} ms, "
        f"p95 {result['p95_ms']:.1f} ms"
    )


def search(args: argparse.Namespace, free_slots: Callable[..., Any]) -> None:
    from django.utils import timezone

    rng = random.Random(SEED)
    consultation, physicians = search_dataset(rng)
    p95s, ratios = [], []
    for round_number in range(1, args.rounds + 1):
        now = timezone.now()
        starts = [now + dt.timedelta(days=rng.randint(0, 60)) for _ in range(args.searches)]
        wide = time_search(
            lambda s: free_slots(
                consultation, earliest=s, latest=s + dt.timedelta(days=90), limit=40
            ),
            starts,
        )
        narrow = time_search(
            lambda s: free_slots(
                consultation,
                earliest=s,
                latest=s + dt.timedelta(days=7),
                clinician=physicians[0],
                limit=40,
            ),
            starts,
        )
        p50, p95 = percentile(wide, 0.5) * 1000, percentile(wide, 0.95) * 1000
        base95 = percentile(narrow, 0.95) * 1000
        p95s.append(p95)
        ratios.append(p95 / base95)
        print(
            f"round {round_number}: 10 clinicians × 90 days p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
            f"baseline (1 clinician × 7 days) p95 {base95:.1f} ms; ratio {p95 / base95:.2f}"
        )
    median95 = statistics.median(p95s)
    verdict = "met" if median95 < TARGET_P95_MS else "NOT met"
    print(
        f"slot search: median p95 {median95:.1f} ms over {args.rounds} rounds, median ratio "
        f"{statistics.median(ratios):.2f} (target p95 < {TARGET_P95_MS:.0f} ms: {verdict})"
    )


if __name__ == "__main__":
    sys.exit(main())
