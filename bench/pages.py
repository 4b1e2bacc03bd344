"""Worklist and chart latency against a trivial /healthz, on PostgreSQL behind gunicorn.

The issue's requirement: with 10,000 patients and 20,000 referrals in PostgreSQL, serve with
gunicorn and load the worklist and a chart with 16 connections on loopback for a bounded time;
print p50/p95 and the ratio to a trivial /healthz view measured in the same run. Target: chart
and worklist p95 within 3x of /healthz.

    make bench-pages                       # or: .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --seconds 5 --rounds 3 --patients 1000 --referrals 2000
    .venv/bin/python bench/pages.py --profile   # also print each page's queries and plans

What it does, in order (everything it starts it stops in a `finally`):
1. a throwaway PostgreSQL cluster on 127.0.0.1 (scripts/pg-cluster.sh), migrated;
2. synthetic data from a fixed seed, written with bulk_create: patients (search_text filled the
   way the services fill it), referrals spread over every pathway status with their status
   history, 1-2 fractured levels and one clinical assessment per referral, and the audit trail
   those records would have left, as a valid hash chain (so the chart's timeline has rows and
   `audit verify` can check the chain again after the load);
3. gunicorn with sync workers (2 x cores + 1, gunicorn's documented starting point) on a free
   loopback port; staff sessions obtained by logging in through /login/ like a browser;
4. rounds of load with wrk, one endpoint after the other and the order rotated every round, so
   the ratios compare endpoints measured side by side under the same machine conditions;
5. per round and as medians over rounds: p50, p95, requests/s, and p95 / (healthz p95), then
   PASS or FAIL against the 3x target; finally the audit chain is verified.

Every run also prints the share of the machine's CPU that processes outside the benchmark used
meanwhile (from /proc): on a shared machine another job's test suite can halve the throughput
of a round, and a number measured that way describes the machine, not Vertebra.

Why wrk (Debian's package) and not a Python client: this machine has two cores shared by the
client, gunicorn and PostgreSQL. wrk is one C thread on epoll and spends a few per cent of a
core at these rates; a Python client needs a process per connection to avoid the GIL and would
take a large, varying share of the CPU the server needs, so the numbers would describe the
client. wrk's Lua hooks check every response (status 200 and a marker that is only on the real
page, so a login redirect or an error page counts as an error) and bound the request count.

gunicorn's sync workers close the connection after each response (they do not keep connections
alive), so each of the 16 wrk connections reconnects per request; on loopback that costs tens of
microseconds. Latency is measured from writing the request to reading the whole response, so it
includes the time a request waits in the listen queue for a free worker: with 16 connections
and fewer workers that queueing is part of every endpoint's numbers, /healthz's included.

/healthz is requested without a session cookie, as a load balancer's health check does; the
staff pages with one of several staff sessions (reading the session and the user is part of
what a staff page costs; the idle-logoff middleware saves the session at most once a minute).
Opening a chart writes
one audit row (serialised on the audit chain head's row lock): required behaviour, measured as is.

Exit status: 0 when every response was right, the audit chain verifies and both pages are within
the target; 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html.parser
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260101
TARGET_RATIO = 3.0
PASSWORD = "bench-pages-password-1"  # noqa: S105 - a throwaway cluster's only login
STAFF_USERS = 8  # distinct logins sharing the connections, as several people would
CHART_PATIENTS = 1000  # random patients (with referrals) whose charts are opened


# --- Processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pg_cluster() -> Iterator[tuple[str, Path]]:
    """A throwaway PostgreSQL cluster; yields its DATABASE_URL and directory, always stops it."""
    workdir = tempfile.mkdtemp(prefix="vertebra-bench-pg.")
    script = str(ROOT / "scripts" / "pg-cluster.sh")
    try:
        url = subprocess.run(
            [script, "start", workdir], check=True, capture_output=True, text=True
        ).stdout.strip()
        yield url, Path(workdir)
    finally:
        subprocess.run([script, "stop", workdir], check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def create_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    conninfo = f"host={parts.hostname} port={parts.port} user={parts.username} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Iterator[int]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                status, _, _ = http_get(port, "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /healthz:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield proc.pid
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's package (apt-get install -y wrk) ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env)
        path = shutil.which("wrk")
        if path:
            return path
    raise SystemExit("bench-pages needs wrk: apt-get install wrk")


# --- CPU accounting: was anything else using the machine during a run? -----------------------


def _proc_ticks(pid: int, *, with_children: bool) -> tuple[int, int]:
    """(parent pid, user + system clock ticks) of a process, (0, 0) if it is gone. With
    `with_children`, also the ticks of its children that have exited (short-lived PostgreSQL
    parallel workers and autovacuum workers, replaced gunicorn workers)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0, 0
    fields = text.rsplit(")", 1)[1].split()  # fields[n - 3] is field n of proc(5)
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return int(fields[1]), ticks


def _tree_ticks(roots: Sequence[int]) -> int:
    """CPU ticks of the given processes (with their exited children) and of their live direct
    children (gunicorn's workers, PostgreSQL's backends)."""
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            pid = int(entry)
            ppid, ticks = _proc_ticks(pid, with_children=pid in roots)
            if pid in roots or ppid in roots:
                total += ticks
    return total


def _machine_busy_ticks() -> int:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]  # everything but idle and iowait


@dataclass
class CpuMeter:
    """Share of the machine's CPU used during a run by processes that are not part of the
    benchmark (other jobs on a shared machine distort every latency)."""

    roots: list[int]
    _start: tuple[float, int, int, float] = (0.0, 0, 0, 0.0)

    def start(self) -> None:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._start = (
            time.monotonic(),
            _machine_busy_ticks(),
            _tree_ticks(self.roots),
            children.ru_utime + children.ru_stime,
        )

    def foreign_share(self) -> float:
        import resource

        started, busy, ours, wrk_seconds = self._start
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        tick = os.sysconf("SC_CLK_TCK")
        elapsed = time.monotonic() - started
        wrk_ticks = (children.ru_utime + children.ru_stime - wrk_seconds) * tick
        foreign = (_machine_busy_ticks() - busy) - (_tree_ticks(self.roots) - ours) - wrk_ticks
        share = foreign / (elapsed * tick * (os.cpu_count() or 1))
        return min(1.0, max(0.0, share))


# --- HTTP helpers (setup only; the load is wrk's) --------------------------------------------


def http_get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar = {}
    for line in headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


class _CsrfFinder(html.parser.HTMLParser):
    token = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") == "csrfmiddlewaretoken":
            self.token = values.get("value") or ""


def login(port: int, username: str, password: str) -> str:
    """Log in through /login/ as a browser does; return the Cookie header of the session."""
    status, headers, body = http_get(port, "/login/")
    if status != 200:
        raise RuntimeError(f"GET /login/ answered {status}")
    jar = _cookies(headers)
    finder = _CsrfFinder()
    finder.feed(body.decode())
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": finder.token}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken']}",
            },
        )
        response = conn.getresponse()
        response.read()
        jar.update(_cookies(response.headers))
    finally:
        conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login as {username} failed ({response.status})")
    cookie = f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"
    status, _, _ = http_get(port, "/staff/", {"Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"the session of {username} does not open /staff/ ({status})")
    return cookie


# --- Data -----------------------------------------------------------------------------------

# A few more fictitious names on top of the demo clinic's, for a larger clinic.
_EXTRA_GIVEN = ("Ulla", "Viktor", "Wanda", "Xavier", "Yusuf", "Zoë")
_EXTRA_FAMILY = ("Müller-Bench", "Łęcka-Bench", "Øster-Bench", "Benchley", "Loadman", "Synthwood")
_REFERRERS = (
    "Dr A. Bench-General (GP)",
    "Dr B. Bench-Ortho",
    "Dr C. Bench-Onco",
    "Emergency dept (bench)",
)
_LEVELS = ("T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5")
# Most episodes are over (closed or in follow-up); the open ones fill the worklist.
_STATUS_WEIGHTS = {
    "referred": 8,
    "evaluating": 8,
    "decided": 4,
    "scheduled": 4,
    "treated": 3,
    "in_follow_up": 18,
    "closed": 55,
}


@dataclass
class Dataset:
    patients: int = 0
    referrals: int = 0
    fractures: int = 0
    status_changes: int = 0
    audit_events: int = 0
    chart_ids: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def load_data(*, patients: int, referrals: int, seed: int) -> Dataset:
    """Write the synthetic clinic with bulk_create (fast), fully determined by `seed`."""
    from django.db import transaction

    from vertebra.audit.chain import GENESIS_HASH, chain_hash
    from vertebra.audit.models import AuditAction, AuditChainHead, AuditEvent
    from vertebra.audit.services import json_safe
    from vertebra.clinic.demo import FAMILY_NAMES, GIVEN_NAMES
    from vertebra.core.models import Role, User
    from vertebra.patients.models import (
        ClinicalAssessment,
        Fracture,
        Patient,
        Referral,
        ReferralStatus,
        ReferralStatusChange,
    )
    from vertebra.patients.search import search_text

    rng = random.Random(seed)
    given_names = [*GIVEN_NAMES, *_EXTRA_GIVEN]
    family_names = [*FAMILY_NAMES, *_EXTRA_FAMILY]
    today = dt.datetime.now(dt.UTC).date()
    out = Dataset()
    path = list(ReferralStatus.values)

    with transaction.atomic():
        staff = []
        for index in range(STAFF_USERS):
            role = Role.PHYSICIAN if index % 2 == 0 else Role.NURSE
            user = User(
                username=f"bench-{role}-{index}",
                role=role,
                first_name="Bench",
                last_name=f"{role.label} {index}",
                public_id=_uuid(rng),
            )
            user.set_password(PASSWORD)
            staff.append(user)
        User.objects.bulk_create(staff)
        out.staff = [u.username for u in staff]

        people = []
        for index in range(patients):
            family = rng.choice(family_names)
            given = rng.choice(given_names)
            mrn = f"BENCH-{index + 1:07d}"
            people.append(
                Patient(
                    public_id=_uuid(rng),
                    mrn=mrn,
                    family_name=family,
                    given_name=given,
                    birth_date=dt.date(rng.randint(1925, 1970), rng.randint(1, 12), 1)
                    + dt.timedelta(days=rng.randint(0, 27)),
                    sex=rng.choices(("female", "male"), (3, 1))[0],
                    phone=f"+49 30 {rng.randint(1000000, 9999999)}",
                    search_text=search_text(family, given, mrn),
                )
            )
        Patient.objects.bulk_create(people, batch_size=2000)
        out.patients = len(people)

        episodes = []
        owners = [rng.randrange(patients) for _ in range(referrals)]
        statuses = rng.choices(list(_STATUS_WEIGHTS), list(_STATUS_WEIGHTS.values()), k=referrals)
        for owner, status in zip(owners, statuses, strict=True):
            episodes.append(
                Referral(
                    public_id=_uuid(rng),
                    patient=people[owner],
                    referring_clinician=rng.choice(_REFERRERS),
                    reason="Painful vertebral compression fracture despite conservative care.",
                    referral_date=today - dt.timedelta(days=rng.randint(0, 3 * 365)),
                    status=status,
                    version=1 + path.index(status),
                )
            )
        Referral.objects.bulk_create(episodes, batch_size=2000)
        out.referrals = len(episodes)

        fractures, assessments, changes = [], [], []
        for episode in episodes:
            for level in sorted(rng.sample(_LEVELS, rng.choice((1, 1, 2))), key=_LEVELS.index):
                reference = Decimal(rng.choice(("24.0", "26.0", "28.0", "30.0")))
                fractures.append(
                    Fracture(
                        public_id=_uuid(rng),
                        referral=episode,
                        level=level,
                        etiology=rng.choices(("osteoporotic", "metastasis", "myeloma"), (8, 2, 1))[
                            0
                        ],
                        high_energy_trauma=False,
                        onset_date=episode.referral_date - dt.timedelta(days=rng.randint(10, 70)),
                        imaging_date=episode.referral_date - dt.timedelta(days=rng.randint(0, 9)),
                        imaging_report=f"MRI: compression fracture of {level}.",
                        mri_oedema=rng.random() < 0.85,
                        height_anterior_mm=(
                            reference * (1 - Decimal(rng.randint(5, 45)) / 100)
                        ).quantize(Decimal("0.1")),
                        height_middle_mm=(reference * Decimal("0.92")).quantize(Decimal("0.1")),
                        height_posterior_mm=(reference * Decimal("0.97")).quantize(Decimal("0.1")),
                        height_reference_mm=reference,
                        posterior_wall=rng.choice(("intact", "intact", "minor")),
                    )
                )
            assessments.append(
                ClinicalAssessment(
                    public_id=_uuid(rng),
                    referral=episode,
                    pregnant=False,
                    asa_class=rng.randint(2, 3),
                    can_lie_prone=True,
                    pain_nrs=rng.randint(5, 9),
                    pain_trend="worsening",
                    pain_duration_weeks=Decimal(rng.randint(2, 10)),
                    conservative_care_tried=True,
                    function_rmdq=rng.randint(10, 22),
                    function_ambulation=rng.choice(("independent", "cane", "walker")),
                    coagulation_inr=Decimal("1.1"),
                )
            )
            when = dt.datetime.combine(episode.referral_date, dt.time(9), tzinfo=dt.UTC)
            for step in range(path.index(episode.status)):
                changes.append(
                    ReferralStatusChange(
                        referral=episode,
                        from_status=path[step],
                        to_status=path[step + 1],
                        reason="Episode complete." if path[step + 1] == "closed" else "",
                        changed_by=staff[rng.randrange(len(staff))],
                        changed_at=when + dt.timedelta(days=7 * (step + 1)),
                    )
                )
        Fracture.objects.bulk_create(fractures, batch_size=2000)
        ClinicalAssessment.objects.bulk_create(assessments, batch_size=2000)
        assessment_of = {a.referral_id: a for a in assessments}
        ReferralStatusChange.objects.bulk_create(changes, batch_size=5000)
        out.fractures, out.status_changes = len(fractures), len(changes)

        # The audit trail these records would have left, chained exactly as audit_record does.
        by_patient: dict[int, list[Referral]] = {}
        for episode in episodes:
            by_patient.setdefault(episode.patient_id, []).append(episode)
        levels: dict[int, list[Fracture]] = {}
        for fracture in fractures:
            levels.setdefault(fracture.referral_id, []).append(fracture)

        events: list[AuditEvent] = []
        previous = GENESIS_HASH
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3 * 365)

        def add(actor: Any, action: str, obj: Any, patient: Any, summary: str, diff: Any) -> None:
            nonlocal previous
            event = AuditEvent(
                sequence=len(events) + 1,
                occurred_at=start + dt.timedelta(minutes=5 * len(events)),
                actor=actor,
                actor_username=actor.username,
                actor_role=actor.role,
                action=action,
                patient=patient,
                object_type=type(obj).__name__,
                object_id=str(obj.public_id),
                summary=summary,
                client_address="127.0.0.1",
                changes=json_safe(diff),
                previous_hash=previous,
            )
            event.hash = chain_hash(previous, event.hashed_fields())
            previous = event.hash
            events.append(event)

        for person in people:
            actor = staff[rng.randrange(len(staff))]
            add(actor, AuditAction.CREATE, person, person, f"Registered patient {person.mrn}", {})
            for episode in sorted(by_patient.get(person.pk, ()), key=lambda r: r.referral_date):
                summary = f"New referral from {episode.referring_clinician}"
                add(
                    actor,
                    AuditAction.CREATE,
                    episode,
                    person,
                    summary,
                    {"status": [None, "referred"]},
                )
                for fracture in levels.get(episode.pk, ()):
                    summary = f"Recorded fracture at {fracture.level}"
                    add(actor, AuditAction.CREATE, fracture, person, summary, {})
                add(
                    actor,
                    AuditAction.UPDATE,
                    assessment_of[episode.pk],
                    person,
                    "Updated clinical assessment",
                    {"pain_nrs": [None, 7], "version": [1, 2]},
                )
                for step in range(path.index(episode.status)):
                    add(
                        actor,
                        AuditAction.STATUS_CHANGE,
                        episode,
                        person,
                        f"Referral {ReferralStatus(path[step]).label} → "
                        f"{ReferralStatus(path[step + 1]).label}",
                        {"status": [path[step], path[step + 1]]},
                    )
        AuditEvent.objects.bulk_create(events, batch_size=5000)
        AuditChainHead.objects.update_or_create(
            singleton=1, defaults={"last_sequence": len(events), "last_hash": previous}
        )
        out.audit_events = len(events)

    with_referrals = sorted({e.patient_id for e in episodes})
    chosen = rng.sample(with_referrals, min(CHART_PATIENTS, len(with_referrals)))
    public = dict(Patient.objects.filter(pk__in=chosen).values_list("pk", "public_id"))
    out.chart_ids = [str(public[pk]) for pk in chosen]
    return out


def analyse_tables() -> None:
    """Bring the freshly loaded tables to the state autovacuum keeps a live database in: planner
    statistics, and a visibility map saying every page is visible to all, which index-only
    scans (the worklist's counts) need.

    A plain `VACUUM ANALYZE` straight after the load left the map empty on this throwaway
    cluster (pg_class.relallvisible = 0), so every count fell back to scanning the whole table,
    which a live database does not do. The cluster commits asynchronously
    (synchronous_commit=off): CHECKPOINT first flushes the load's commit to the WAL, so VACUUM
    may mark its rows committed and their pages all-visible; ANALYZE then runs on its own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("VACUUM")
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relallvisible < relpages",
            [["patients_referral", "patients_patient", "patients_fracture"]],
        )
        if not_visible := [name for (name,) in cursor.fetchall()]:
            raise SystemExit(f"VACUUM left pages not all-visible in {not_visible}")


# --- Load -----------------------------------------------------------------------------------

LUA = r"""
-- Generated by bench/pages.py. Picks a path and a session per request, checks every response.
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local marker = %(marker)s
local max_requests = %(max_requests)d
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(%(seed)d + thread_id)
  responses, bad_status, bad_body = 0, 0, 0
end

function request()
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[math.random(#cookies)] end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif not string.find(body, marker, 1, true) then
    bad_body = bad_body + 1
  end
  if responses >= max_requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local n, bs, bb = 0, 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("responses")
    bs = bs + t:get("bad_status")
    bb = bb + t:get("bad_body")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p95_us":%%d,"p99_us":%%d,' ..
    '"mean_us":%%.1f,"max_us":%%d,"responses":%%d,"bad_status":%%d,"bad_body":%%d,' ..
    '"socket_errors":%%d,"timeouts":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, n, bs, bb,
    e.connect + e.read + e.write, e.timeout))
end
"""


def _lua_list(items: Sequence[str]) -> str:
    return ", ".join(json.dumps(item) for item in items)


@dataclass(frozen=True)
class Endpoint:
    name: str
    paths: tuple[str, ...]
    cookies: tuple[str, ...]
    marker: str


@dataclass(frozen=True)
class Run:
    endpoint: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    foreign_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    wrk: str,
    port: int,
    endpoint: Endpoint,
    *,
    seconds: float,
    connections: int,
    max_requests: int,
    workdir: Path,
    seed: int,
    meter: CpuMeter | None = None,
) -> Run:
    script = workdir / f"{endpoint.name.strip('/').replace('/', '_') or 'root'}.lua"
    script.write_text(
        LUA
        % {
            "paths": _lua_list(endpoint.paths),
            "cookies": _lua_list(endpoint.cookies),
            "marker": json.dumps(endpoint.marker),
            "max_requests": max_requests,
            "seed": seed,
        }
    )
    # One wrk thread: it drives 16 connections at a small fraction of one core, leaving the
    # rest of this two-core machine to gunicorn and PostgreSQL.
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{endpoint.paths[0]}",
    ]
    if meter is not None:
        meter.start()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    foreign = meter.foreign_share() if meter is not None else 0.0
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = data["bad_status"] + data["bad_body"] + data["socket_errors"] + data["timeouts"]
    return Run(
        endpoint=endpoint.name,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        foreign_cpu=foreign,
    )


# --- Profile (optional) ---------------------------------------------------------------------


def profile_pages(chart_id: str, username: str) -> None:
    """Each page once through Django's test client: its queries, their time, and the plan of
    every query slower than 2 ms."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from vertebra.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    for path in ("/healthz", "/staff/", f"/staff/patients/{chart_id}/"):
        client.get(path)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(
            f"\n{path}: {response.status_code}, {len(ctx.captured_queries)} queries, "
            f"{db_ms:.1f} ms in the database, {elapsed:.1f} ms in all"
        )
        for query in ctx.captured_queries:
            print(f"  {float(query['time']) * 1000:7.2f} ms  {query['sql'][:150]}")
        for query in ctx.captured_queries:
            sql = query["sql"]
            if float(query["time"]) * 1000 < 2 or not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n    ".join(row[0] for row in cursor.fetchall())
            print(f"\n  plan of: {sql[:200]}\n    {plan}")


# --- Main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="load per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all endpoints (>= 1)")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * cores + 1, help="gunicorn workers")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds per endpoint")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="safety bound on requests per run (wrk then idles until --seconds is over)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--profile", action="store_true", help="print each page's queries and slow query plans"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.seconds <= 0 or args.patients < 1 or args.referrals < 1:
        parser.error("--rounds, --seconds, --patients and --referrals must be positive")
    return args


def _ms(value: float) -> str:
    return f"{value:8.1f}"


def report(runs: list[list[Run]], names: list[str]) -> tuple[bool, dict[str, float]]:
    baseline = names[0]
    print("\nEach round (latency in ms; ratio = p95 / p95 of /healthz in the same round):")
    print(
        f"  {'round':<6}{'endpoint':<14}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>9}  ratio"
        "  other CPU"
    )
    ratios: dict[str, list[float]] = {name: [] for name in names}
    for number, round_runs in enumerate(runs, start=1):
        by_name = {run.endpoint: run for run in round_runs}
        for name in names:
            run = by_name[name]
            ratio = run.p95_ms / by_name[baseline].p95_ms
            ratios[name].append(ratio)
            print(
                f"  {number:<6}{name:<14}{_ms(run.p50_ms)}{_ms(run.p95_ms)}{_ms(run.p99_ms)}"
                f"{run.rps:9.1f}  {ratio:5.2f}x  {run.foreign_cpu:6.0%}"
                + (f"  {run.errors} ERRORS" if run.errors else "")
            )
    print(f"\nMedians over {len(runs)} rounds:")
    print(f"  {'endpoint':<14}{'p50':>8}{'p95':>8}{'req/s':>9}  ratio  target")
    ok = True
    medians = {}
    for name in names:
        mine = [r for round_runs in runs for r in round_runs if r.endpoint == name]
        ratio = statistics.median(ratios[name])
        medians[name] = ratio
        verdict = ""
        if name != baseline:
            passed = ratio <= TARGET_RATIO
            ok &= passed
            verdict = f"{'PASS' if passed else 'FAIL'} (<= {TARGET_RATIO:g}x)"
        print(
            f"  {name:<14}{_ms(statistics.median(r.p50_ms for r in mine))}"
            f"{_ms(statistics.median(r.p95_ms for r in mine))}"
            f"{statistics.median(r.rps for r in mine):9.1f}  {ratio:5.2f}x {verdict}"
        )
    busiest = max(r.foreign_cpu for round_runs in runs for r in round_runs)
    if busiest > 0.1:
        print(
            f"  WARNING: other processes used up to {busiest:.0%} of the CPU during a run; "
            "those rounds measure the machine, not Vertebra. Re-run on a quiet machine."
        )
    return ok, medians


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="vertebra-bench-pages."))
    try:
        with pg_cluster() as (database_url, pg_dir):
            return _bench(args, wrk, database_url, pg_dir, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _bench(
    args: argparse.Namespace, wrk: str, database_url: str, pg_dir: Path, workdir: Path
) -> int:
    create_database(database_url)
    env = {
        **os.environ,
        "VERTEBRA_ENV": "local",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "VERTEBRA_DATA_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from vertebra.audit.models import AuditAction, AuditEvent
    from vertebra.audit.selectors import audit_chain_verify

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(
        f"PostgreSQL {connection.pg_version // 10000} migrated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(f"Loading {args.patients} patients and {args.referrals} referrals ...", flush=True)
    started = time.perf_counter()
    data = load_data(patients=args.patients, referrals=args.referrals, seed=args.seed)
    analyse_tables()
    print(
        f"Loaded {data.patients} patients, {data.referrals} referrals, {data.fractures} fractures, "
        f"{data.status_changes} status changes, {data.audit_events} audit events "
        f"in {time.perf_counter() - started:.1f} s (seed {args.seed})"
    )
    if args.profile:
        profile_pages(data.chart_ids[0], data.staff[0])
    views_before = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    connections.close_all()

    port = free_port()
    with gunicorn(env, port, args.workers, workdir / "gunicorn.log") as gunicorn_pid:
        postmaster = int((pg_dir / "data" / "postmaster.pid").read_text().split()[0])
        meter = CpuMeter([gunicorn_pid, postmaster])
        sessions = tuple(login(port, name, PASSWORD) for name in data.staff)
        endpoints = [
            Endpoint("/healthz", ("/healthz",), (), '"ok"'),
            Endpoint("worklist", ("/staff/",), sessions, "<h1>Worklist</h1>"),
            Endpoint(
                "chart",
                tuple(f"/staff/patients/{pid}/" for pid in data.chart_ids),
                sessions,
                'id="timeline-heading"',
            ),
        ]
        names = [e.name for e in endpoints]
        print(
            f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; wrk: 1 thread, "
            f"{args.connections} connections, {args.seconds:g} s per endpoint per round, "
            f"{args.rounds} rounds, {os.cpu_count()} cores; {len(sessions)} staff sessions, "
            f"{len(data.chart_ids)} charts"
        )
        common = {
            "connections": args.connections,
            "max_requests": args.max_requests,
            "workdir": workdir,
            "seed": args.seed,
            "meter": meter,
        }
        warm_errors = 0
        for endpoint in endpoints:
            warm_errors += run_wrk(wrk, port, endpoint, seconds=args.warmup, **common).errors
        runs: list[list[Run]] = []
        total_chart_responses = 0
        for number in range(args.rounds):
            order = endpoints[number % len(endpoints) :] + endpoints[: number % len(endpoints)]
            round_runs = []
            for endpoint in order:
                run = run_wrk(wrk, port, endpoint, seconds=args.seconds, **common)
                round_runs.append(run)
                if endpoint.name == "chart":
                    total_chart_responses += run.requests
                print(
                    f"  round {number + 1} {endpoint.name:<9} {run.requests:6d} requests, "
                    f"p95 {run.p95_ms:.1f} ms, other processes used {run.foreign_cpu:.0%} "
                    "of the CPU" + (f", {run.errors} ERRORS" if run.errors else "")
                )
            runs.append(round_runs)

    passed, _ = report(runs, names)
    errors = warm_errors + sum(r.errors for rr in runs for r in rr)
    views_added = AuditEvent.objects.filter(action=AuditAction.VIEW).count() - views_before
    verdict = audit_chain_verify()
    print(
        f"\nAudit: {views_added} chart openings recorded (wrk counted {total_chart_responses} "
        f"measured chart responses plus warm-up); chain {verdict.describe()}"
    )
    connections.close_all()
    if errors:
        print(f"FAIL: {errors} responses were wrong (not 200, a login page, or socket errors)")
    print(
        "Result: "
        + ("PASS" if passed and not errors and verdict.ok else "FAIL")
        + f" (target: worklist and chart p95 within {TARGET_RATIO:g}x of /healthz p95)"
    )
    return 0 if passed and not errors and verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
