"""The demo clinic tells the truth: its evaluations read the recorded facts, its decisions agree
with them except for a few departures with reasons, its dates run in the order care happens,
every treated patient has a signed record, and the patient login shows the after-procedure part.

The whole clinic is loaded once for the module inside a transaction that is rolled back at the
end (no flush, so the signed-record triggers never see a DELETE); each test then runs in its
own savepoint as usual.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import transaction

from vertebra.audit.models import AuditEvent
from vertebra.audit.selectors import audit_chain_verify
from vertebra.clinic.demo import load_demo_clinic
from vertebra.core import timeutil
from vertebra.evaluation.models import Decision, Evaluation, FinalChoice, FinalDecision
from vertebra.evaluation.services import decision_agrees
from vertebra.patients.models import Patient, Referral, ReferralStatus
from vertebra.procedures.models import Checklist, Consent, ProcedureRecord, ProcedureStatus
from vertebra.scheduling.models import Appointment, AppointmentStatus

NOW = dt.datetime(2026, 12, 6, 10, 30, tzinfo=dt.UTC)  # a Sunday: the weekend edge case
PATIENTS = 40


@pytest.fixture(scope="module")
def demo_clinic(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        load_demo_clinic(patients=PATIENTS, seed=2026, now=NOW)
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_clinic")]


def _day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(timeutil.clinic_zone()).date()


def _signed(referral: Referral) -> ProcedureRecord | None:
    return referral.procedures.filter(status=ProcedureStatus.SIGNED).first()


def test_every_rung_and_every_status_appears():
    assert Patient.objects.count() == PATIENTS
    assert set(Evaluation.objects.values_list("decision", flat=True)) == set(Decision.values)
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)


def test_rungs_sit_at_plausible_stages():
    for evaluation in Evaluation.objects.select_related("referral"):
        referral = evaluation.referral
        decided = FinalDecision.objects.filter(evaluation=evaluation).first()
        if evaluation.decision == Decision.INCOMPLETE:  # early: still being worked up
            assert referral.status == ReferralStatus.EVALUATING
            assert decided is None
            assert _signed(referral) is None
        if evaluation.decision == Decision.SPECIALIST_REVIEW and decided is None:
            assert referral.status == ReferralStatus.EVALUATING  # awaiting the surgeon
        if evaluation.decision == Decision.NOT_RECOMMENDED:
            assert decided is not None
            assert decided.choice == FinalChoice.DO_NOT_PROCEED
            assert referral.status == ReferralStatus.CLOSED
            assert _signed(referral) is None
    # One evaluation per referral, made before anything else was decided.
    assert Evaluation.objects.count() == Evaluation.objects.values("referral").distinct().count()


def test_decisions_agree_except_a_few_departures_each_with_a_reason():
    decisions = list(FinalDecision.objects.select_related("evaluation"))
    departures = [d for d in decisions if not d.agrees_with_recommendation]
    assert 2 <= len(departures) <= 3
    assert all(len(d.reason.strip()) > 40 for d in departures)
    for decision in decisions:
        agrees = decision_agrees(decision.evaluation.decision, decision.choice)
        assert decision.agrees_with_recommendation is agrees
    agreeing = Counter(d.evaluation.decision for d in decisions if d.agrees_with_recommendation)
    assert agreeing[Decision.RECOMMENDED] >= 10
    assert agreeing[Decision.NOT_RECOMMENDED] >= 2


def test_dates_follow_the_order_of_care():
    for referral in Referral.objects.prefetch_related("evaluations", "status_changes"):
        steps: list[tuple[str, dt.date | dt.datetime]] = [("referral", referral.referral_date)]
        for fracture in referral.fractures.all():
            assert fracture.onset_date <= fracture.imaging_date <= referral.referral_date
        evaluation = referral.evaluations.first()
        if evaluation is not None:
            assert evaluation.evaluated_on == _day(evaluation.created_at)
            steps.append(("evaluation", evaluation.created_at))
            decision = FinalDecision.objects.filter(evaluation=evaluation).first()
            if decision is not None:
                steps.append(("decision", decision.created_at))
        steps += [("consent", c.signed_at) for c in Consent.objects.filter(referral=referral)]
        steps += [("checklist", c.created_at) for c in Checklist.objects.filter(referral=referral)]
        for record in referral.procedures.all():
            steps += [("procedure", record.started_at), ("signed", record.signed_at)]
        steps += [
            (f"status {c.to_status}", c.changed_at)
            for c in referral.status_changes.filter(to_status__in=("in_follow_up", "closed"))
        ]
        days = [(name, when if isinstance(when, dt.date) and not isinstance(when, dt.datetime)
                 else _day(when)) for name, when in steps]  # fmt: skip
        instants = [(name, when) for name, when in steps if isinstance(when, dt.datetime)]
        assert days == sorted(days, key=lambda step: step[1]), referral.patient.mrn
        assert instants == sorted(instants, key=lambda step: step[1]), referral.patient.mrn
        assert all(when <= NOW for _name, when in instants)


def test_appointments_in_the_past_took_place_and_those_ahead_are_booked():
    for appointment in Appointment.objects.all():
        if appointment.starts_at < NOW:
            assert appointment.status == AppointmentStatus.COMPLETED, appointment.pk
        else:
            assert appointment.status == AppointmentStatus.BOOKED, appointment.pk


def test_treated_referrals_have_a_signed_record_and_closed_ones_a_record_or_a_reason():
    for referral in Referral.objects.all():
        if referral.status in (ReferralStatus.TREATED, ReferralStatus.IN_FOLLOW_UP):
            assert _signed(referral) is not None, referral.patient.mrn
        if referral.status == ReferralStatus.CLOSED:
            closing = referral.status_changes.get(to_status=ReferralStatus.CLOSED)
            assert _signed(referral) is not None or closing.reason.strip()
        if referral.status in (ReferralStatus.REFERRED, ReferralStatus.EVALUATING):
            assert not referral.procedures.exists()
    assert ProcedureRecord.objects.exclude(status=ProcedureStatus.SIGNED).count() == 0


def test_the_patient_login_is_treated_with_a_follow_up_ahead():
    patient = Patient.objects.get(user__username="patient")
    referral = patient.referrals.get()
    assert referral.status in (ReferralStatus.TREATED, ReferralStatus.IN_FOLLOW_UP)
    assert _signed(referral) is not None
    assert Appointment.objects.filter(
        patient=patient,
        appointment_type__code="follow_up",
        status=AppointmentStatus.BOOKED,
        starts_at__gt=NOW,
    ).exists()


def test_the_audit_trail_verifies_and_runs_in_time_order():
    assert audit_chain_verify().ok
    times = list(AuditEvent.objects.order_by("sequence").values_list("occurred_at", flat=True))
    assert times == sorted(times)
    assert times[-1] <= NOW
    # The staff who did the work are the actors, not a faceless system account.
    actors = Counter(AuditEvent.objects.values_list("actor_username", flat=True))
    assert {"nurse", "physician", "scheduler"} <= set(actors)


def test_assessed_patients_have_weight_height_and_every_allergy_answered():
    from vertebra.patients.models import ClinicalAssessment

    # The consultation records the full assessment (a referral letter alone has no ASA class).
    assessed = ClinicalAssessment.objects.exclude(asa_class=None)
    assert assessed.count() >= PATIENTS // 2
    for a in assessed:
        assert 20 <= a.weight_kg <= 300
        assert 100 <= a.height_cm <= 230
        assert a.allergies_antibiotics is False
        assert a.allergies_latex is False
        assert a.allergies_other == ""
