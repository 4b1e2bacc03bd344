"""The next step of each referral on the chart and the worklist, linked only for a role that
may act on it, and each role's queue on its worklist (issue 14 §4)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from vertebra.core import timeutil
from vertebra.core.models import Role
from vertebra.evaluation.services import evaluation_record_decision, evaluation_run
from vertebra.patients import services

pytestmark = pytest.mark.django_db


def _page(client_for, role, url):
    return " ".join(client_for(role).get(url).content.decode().split())


def _chart(referral):
    return reverse("staff:patient_chart", args=[referral.patient.public_id])


def _decided(actor, physician_actor, referral, last_dose):
    assessment = referral.assessment
    services.assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=assessment.version,
        data={"coagulation_antithrombotics_reviewed": True},
    )
    services.anticoagulant_add(
        actor=actor,
        assessment=referral.assessment,
        data={"drug": "aspirin", "last_dose_date": last_dose},
    )
    evaluation = evaluation_run(actor=physician_actor, referral=referral)
    evaluation_record_decision(
        actor=physician_actor, evaluation=evaluation, choice="proceed", reason="Acute on MRI"
    )
    return evaluation


def _queue(page):
    found = re.search(r'<section class="card queue".*?</section>', page)
    return found.group(0) if found else None


def test_a_new_referral_waits_for_evaluation_linked_only_for_clinical_roles(client_for, referral):
    evaluate = (
        f'<a class="next-step" href="{_chart(referral)}#ref-{referral.public_id}">Evaluate</a>'
    )
    assert evaluate in _page(client_for, Role.NURSE, _chart(referral))
    page = _page(client_for, Role.SCHEDULER, _chart(referral))
    assert '<span class="next-step">Evaluate</span>' in page
    assert evaluate not in page


def test_an_evaluated_referral_waits_for_the_physicians_decision(client_for, actor, referral):
    evaluation = evaluation_run(actor=actor, referral=referral)
    detail = reverse("evaluation:detail", args=[evaluation.public_id])
    link = f'href="{detail}">Record the decision</a>'
    assert link in _page(client_for, Role.PHYSICIAN, _chart(referral))
    nurse = _page(client_for, Role.NURSE, _chart(referral))
    assert '<span class="next-step">Record the decision</span>' in nurse
    assert link not in nurse


def test_a_decided_referral_is_in_the_schedulers_queue_with_its_earliest_date(
    client_for, actor, physician_actor, referral
):
    last_dose = timeutil.clinic_today() - dt.timedelta(days=1)
    _decided(actor, physician_actor, referral, last_dose)
    earliest = last_dose + dt.timedelta(days=6)  # aspirin: 6 days (clinical-reference §2.5)
    text = f"Book the procedure (earliest {earliest.day} {earliest:%B %Y})"
    find = f"{reverse('scheduling:find')}?patient={referral.patient.public_id}"

    queue = _queue(_page(client_for, Role.SCHEDULER, "/staff/"))
    assert queue is not None
    assert "To book" in queue
    assert "Müller, Zoë" in queue
    assert f'<a class="next-step" href="{find}">{text}</a>' in queue
    assert f'<span class="next-step">{text}</span>' in _page(
        client_for, Role.QUALITY_LEAD, _chart(referral)
    )
    # Not the physician's nor the nurse's work: their queues do not list it.
    assert "Müller" not in _queue(_page(client_for, Role.PHYSICIAN, "/staff/"))
    assert "Müller" not in _queue(_page(client_for, Role.NURSE, "/staff/"))


def test_a_scheduled_referral_without_consent_is_in_the_nurses_queue(
    client_for, actor, physician_actor, referral
):
    _decided(actor, physician_actor, referral, timeutil.clinic_today() - dt.timedelta(days=8))
    referral.refresh_from_db()
    services.referral_set_status(
        actor=actor, referral=referral, to_status="scheduled", reason="Booked by phone"
    )
    queue = _queue(_page(client_for, Role.NURSE, "/staff/"))
    assert "Consent or checklist due" in queue
    consent = reverse("procedures:consent_new", args=[referral.public_id])
    assert f'<a class="next-step" href="{consent}">Consent due</a>' in queue
    assert "Müller" not in _queue(_page(client_for, Role.SCHEDULER, "/staff/"))


def test_the_physicians_queue_lists_referrals_to_evaluate(client_for, referral):
    queue = _queue(_page(client_for, Role.PHYSICIAN, "/staff/"))
    assert "To evaluate, decide, sign" in queue
    assert "Müller, Zoë" in queue
    assert ">Evaluate</a>" in queue


def test_a_role_without_a_queue_sees_none_and_every_row_has_its_step(client_for, referral):
    page = _page(client_for, Role.QUALITY_LEAD, "/staff/")
    assert _queue(page) is None
    assert '<td><span class="next-step">Evaluate</span></td>' in page


def test_a_closed_referral_has_no_next_step(client_for, actor, referral):
    services.referral_set_status(
        actor=actor, referral=referral, to_status="closed", reason="Declined"
    )
    assert "Next step" not in _page(client_for, Role.NURSE, _chart(referral))
