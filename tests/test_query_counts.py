"""Staff pages run a fixed number of queries whatever the amount of data behind them.

Each page is measured on a small and on a large data set and must issue the same, exact number
of queries (a new N+1 or an extra query both fail here). Counts include the session and user
lookups of an authenticated request; a warm-up request first takes the once-a-minute session
write out of the measurement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vertebra.core.models import Role
from vertebra.evaluation import services as evaluation_services
from vertebra.patients import services
from vertebra.patients.models import SPINE_LEVELS
from vertebra.procedures import record as procedure_record

pytestmark = pytest.mark.django_db

# session, user, referrals (+patient, assessment), fractures, antithrombotics, status history,
# evaluations (+evaluator, final decision, decider), procedure records (+operator), timeline;
# then the audited view: chain head, insert, head update, inside a savepoint pair. A patient
# without referrals: the patient is read on its own and the five queries of the referrals'
# relations are not needed. Then the patient banner: the latest referral with its assessment,
# its antithrombotics, its latest evaluation (the patient alone: the referral query only); and
# the next steps: evaluations with final decisions, the decided ones' results, valid consents,
# checklists with their blocking items, procedure records; the fracture table's Genant grades
# (each referral's latest evaluation).
CHART_QUERIES = 14 + 3 + 5 + 1
# session, user, the search (latest referral status as a subquery).
PATIENT_LIST_QUERIES = 3
# session, user, counts per status, the referrals with patient and level count; then the role
# queue's candidates and the next steps of those and the page's rows (see CHART_QUERIES).
WORKLIST_QUERIES = 4 + 1 + 5


@pytest.fixture
def nurse(client_for):
    client = client_for(Role.NURSE)
    assert client.get("/healthz").status_code == 200  # warm-up: the session's last-seen write
    return client


@pytest.fixture
def build(make_patient, make_referral, actor, physician_actor):
    counter = iter(range(1, 10_000))

    def make(*, referrals: int, fractures: int, drugs: int = 0) -> Any:
        n = next(counter)
        patient = make_patient(mrn=f"Q-{n:04d}", family_name=f"Family{n:04d}")
        levels = iter(SPINE_LEVELS)
        for i in range(referrals):
            referral = make_referral(
                patient, referral_date=dt.date(2026, 1, 1) + dt.timedelta(days=i)
            )
            for _ in range(fractures):
                services.fracture_create(
                    actor=actor, referral=referral, data={"level": next(levels)}
                )
            for d in range(drugs):
                services.anticoagulant_add(
                    actor=actor, assessment=referral.assessment, data={"drug": f"drug-{d}"}
                )
            # Every referral is evaluated and decided (each records a status change), so every
            # relation the chart shows is non-empty in the small and the large case alike.
            evaluation = evaluation_services.evaluation_run(
                actor=physician_actor, referral=referral
            )
            evaluation_services.evaluation_record_decision(
                actor=physician_actor,
                evaluation=evaluation,
                choice="proceed",
                reason="MRI confirms an acute fracture",
            )
            # … and has a procedure record (started with an override: no checklist here).
            procedure_record.procedure_start(
                actor=physician_actor,
                referral=referral,
                operator=physician_actor.user,
                emergency_reason="Query-count fixture",
            )
        return patient

    return make


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_chart_runs_a_fixed_number_of_queries(nurse, build):
    small = build(referrals=1, fractures=1)
    large = build(referrals=8, fractures=3, drugs=2)

    assert queries(nurse, f"/staff/patients/{small.public_id}/") == CHART_QUERIES
    assert queries(nurse, f"/staff/patients/{large.public_id}/") == CHART_QUERIES
    page = nurse.get(f"/staff/patients/{large.public_id}/").content.decode()
    assert page.count("In progress</a>") == 8  # each referral's procedure record, linked


def test_the_chart_of_a_patient_without_referrals_reads_the_patient_alone(nurse, make_patient):
    patient = make_patient(family_name="Noreferral")
    assert (
        queries(nurse, f"/staff/patients/{patient.public_id}/") == CHART_QUERIES + 1 - 5 - 2 - 5 - 1
    )
    assert "No referral yet." in nurse.get(f"/staff/patients/{patient.public_id}/").content.decode()


@pytest.mark.parametrize("url", ["/staff/patients/", "/staff/patients/?q=family"])
def test_the_patient_list_runs_a_fixed_number_of_queries(nurse, build, url):
    for _ in range(5):
        build(referrals=1, fractures=1)
    small = queries(nurse, url)
    for _ in range(35):
        build(referrals=2, fractures=2)
    large = nurse.get(url)

    assert small == PATIENT_LIST_QUERIES
    assert queries(nurse, url) == PATIENT_LIST_QUERIES
    assert len(large.context["patients"]) == 40


def test_the_htmx_search_rows_run_a_fixed_number_of_queries(nurse, build):
    for _ in range(5):
        build(referrals=1, fractures=1)
    small = queries(nurse, "/staff/patients/?q=fam")
    for _ in range(35):
        build(referrals=1, fractures=3)
    with CaptureQueriesContext(connection) as ctx:
        response = nurse.get("/staff/patients/?q=fam", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "patients/_patient_rows.html"
    assert small == len(ctx.captured_queries) == PATIENT_LIST_QUERIES


@pytest.mark.parametrize("url", ["/staff/", "/staff/?status=decided"])
def test_the_worklist_runs_a_fixed_number_of_queries(nurse, build, url):
    for _ in range(5):
        build(referrals=1, fractures=1)
    small = queries(nurse, url)
    for _ in range(35):
        build(referrals=1, fractures=3, drugs=1)
    large = nurse.get(url)

    assert small == WORKLIST_QUERIES
    assert queries(nurse, url) == WORKLIST_QUERIES
    assert len(large.context["worklist"].referrals) == 40
