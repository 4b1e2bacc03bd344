"""The patient banner on every patient page: identity, allergies ("none known" is not "not
asked"), antithrombotics with the hold date of the latest evaluation, weight and height."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vertebra.clinic.chart.banner import patient_banner
from vertebra.core import timeutil
from vertebra.core.models import Role
from vertebra.evaluation.services import evaluation_run
from vertebra.patients import services
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import PatientInformation
from vertebra.procedures.services import consent_sign

pytestmark = pytest.mark.django_db

NO_ALLERGY = {
    "allergies_pmma": False,
    "allergies_contrast": False,
    "allergies_local_anaesthetic": False,
    "allergies_antibiotics": False,
    "allergies_latex": False,
}


def _assess(actor, referral, **data):
    assessment = referral.assessment
    assessment.refresh_from_db()
    return services.assessment_update(
        actor=actor, assessment=assessment, expected_version=assessment.version, data=data
    )


def _banner(client, url):
    html = client.get(url).content.decode()
    start = html.index('<section class="patient-banner"')
    return " ".join(html[start : html.index("</section>", start)].split())


def test_nothing_asked_is_said_so_never_shown_as_normal(client_for, referral):
    text = _banner(
        client_for(Role.NURSE), reverse("staff:patient_chart", args=[referral.patient.public_id])
    )
    assert "Müller, Zoë" in text
    assert "MRN MRN-0001" in text
    assert "born 1944-03-31" in text
    age = (
        timeutil.clinic_today().year
        - 1944
        - (timeutil.clinic_today() < dt.date(timeutil.clinic_today().year, 3, 31))
    )
    assert f"{age} y" in text
    assert "Female" in text
    assert '<dt>Allergies</dt> <dd><span class="not-assessed">not asked</span>' in text
    assert "none known" not in text
    assert "not reviewed" in text
    assert text.count("not recorded") == 2  # weight, height


def test_none_known_only_when_every_allergy_question_was_answered_no(client_for, actor, referral):
    _assess(actor, referral, **{**NO_ALLERGY, "allergies_latex": None})
    url = reverse("staff:patient_chart", args=[referral.patient.public_id])
    text = _banner(client_for(Role.NURSE), url)
    assert "none known" not in text
    assert "not asked: latex" in text
    _assess(actor, referral, allergies_latex=False)
    text = _banner(client_for(Role.NURSE), url)
    assert "<dd>none known</dd>" in text
    assert "not asked" not in text


def test_allergies_drugs_with_their_hold_date_weight_and_height(client_for, actor, referral):
    last_dose = timeutil.clinic_today() - dt.timedelta(days=1)
    _assess(
        actor,
        referral,
        **{**NO_ALLERGY, "allergies_latex": True},
        allergies_other="morphine: rash",
        coagulation_antithrombotics_reviewed=True,
        weight_kg=Decimal("58.5"),
        height_cm=Decimal("152"),
    )
    services.anticoagulant_add(
        actor=actor,
        assessment=referral.assessment,
        data={"drug": "aspirin 75 mg", "last_dose_date": last_dose},
    )
    client = client_for(Role.PHYSICIAN)
    url = reverse("staff:patient_chart", args=[referral.patient.public_id])
    text = _banner(client, url)
    assert "⚠ latex, morphine: rash" in text
    assert f"aspirin 75 mg (last dose {last_dose:%Y-%m-%d})" in text
    assert "hold date: no evaluation yet" in text
    assert "58.5 kg" in text
    assert "152.0 cm" in text

    evaluation_run(actor=actor, referral=referral)
    earliest = last_dose + dt.timedelta(days=6)  # aspirin: 6 days, clinical-reference §2.5
    text = _banner(client, url)
    assert "no evaluation yet" not in text
    assert f"earliest {earliest.day} {earliest:%B %Y}" in text


def test_the_banner_is_on_every_patient_page(client_for, actor, referral):
    fracture = services.fracture_create(actor=actor, referral=referral, data={"level": "L1"})
    evaluation = evaluation_run(actor=actor, referral=referral)
    consent = consent_sign(
        actor=actor,
        referral=referral,
        information=install_version_1(PatientInformation),
        risks_discussed=["cement_leakage"],
        questions="",
        typed_name="Zoë Müller",
        patient_confirmed=True,
    )
    client = client_for(Role.PHYSICIAN)
    for url in (
        reverse("staff:patient_chart", args=[referral.patient.public_id]),
        reverse("staff:referral_edit", args=[referral.public_id]),
        reverse("staff:assessment_edit", args=[referral.public_id]),
        reverse("staff:fracture_create", args=[referral.public_id]),
        reverse("staff:fracture_edit", args=[fracture.public_id]),
        reverse("evaluation:detail", args=[evaluation.public_id]),
        reverse("procedures:consent_new", args=[referral.public_id]),
        reverse("procedures:consent", args=[consent.public_id]),
        reverse("procedures:checklist", args=[referral.public_id]),
        reverse("procedures:procedure_start", args=[referral.public_id]),
    ):
        text = _banner(client, url)
        assert "MRN MRN-0001" in text, url
        assert all(label in text for label in ("Allergies", "Antithrombotics", "Weight")), url


def test_the_banner_reads_a_constant_number_of_queries(actor, referral):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            patient_banner(patient=referral.patient)
        return len(queries)

    before = count()
    for drug in ("aspirin", "clopidogrel", "apixaban"):
        services.anticoagulant_add(actor=actor, assessment=referral.assessment, data={"drug": drug})
    evaluation_run(actor=actor, referral=referral)
    evaluation_run(actor=actor, referral=referral)
    assert count() == before == 3
