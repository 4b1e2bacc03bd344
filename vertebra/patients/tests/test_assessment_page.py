"""The assessment page: adding an antithrombotic never loses what was typed in the assessment
(issue 14 §2); pregnancy asked only where it can apply, weight and height with sanity limits
(§5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from vertebra.core import timeutil
from vertebra.core.models import Role
from vertebra.patients.models import Anticoagulant, ClinicalAssessment

pytestmark = pytest.mark.django_db


def _url(referral):
    return reverse("staff:assessment_edit", args=[referral.public_id])


def _post(client, referral, **data):
    return client.post(_url(referral), {"version": referral.assessment.version, **data})


def _drugs(referral):
    return list(
        Anticoagulant.objects.filter(assessment__referral=referral).values_list("drug", flat=True)
    )


def test_adding_a_drug_saves_what_was_typed_in_the_assessment(client_for, referral):
    yesterday = timeutil.clinic_today() - dt.timedelta(days=1)
    response = _post(
        client_for(Role.NURSE),
        referral,
        pain_nrs="8",
        weight_kg="58.5",
        allergies_latex="true",
        action="add_drug",
        **{"drug-drug": "aspirin 75 mg", "drug-last_dose_date": yesterday.isoformat()},
    )
    assert (response.status_code, response["Location"]) == (302, _url(referral))
    saved = ClinicalAssessment.objects.get(referral=referral)
    assert (saved.pain_nrs, saved.weight_kg, saved.allergies_latex) == (8, Decimal("58.5"), True)
    assert _drugs(referral) == ["aspirin 75 mg"]


def test_a_refused_assessment_keeps_both_parts_as_typed_and_writes_nothing(client_for, referral):
    response = _post(
        client_for(Role.NURSE),
        referral,
        pain_nrs="15",
        function_rmdq="12",
        action="add_drug",
        **{"drug-drug": "clopidogrel"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="15"' in html
    assert 'value="12"' in html
    assert 'value="clopidogrel"' in html
    assert ClinicalAssessment.objects.get(referral=referral).function_rmdq is None
    assert _drugs(referral) == []


def test_a_refused_drug_is_shown_again_and_the_assessment_is_saved(client_for, referral):
    tomorrow = timeutil.clinic_today() + dt.timedelta(days=1)
    response = _post(
        client_for(Role.NURSE),
        referral,
        pain_nrs="6",
        action="add_drug",
        **{"drug-drug": "warfarin", "drug-last_dose_date": tomorrow.isoformat()},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Last dose date can&#x27;t be in the future." in html
    assert 'value="warfarin"' in html
    assert ClinicalAssessment.objects.get(referral=referral).pain_nrs == 6
    assert _drugs(referral) == []


def test_save_without_a_drug_name_adds_no_drug(client_for, referral):
    response = _post(client_for(Role.NURSE), referral, pain_nrs="4", action="save")
    assert response.status_code == 302
    assert ClinicalAssessment.objects.get(referral=referral).pain_nrs == 4
    assert _drugs(referral) == []


@pytest.mark.parametrize(
    ("sex", "years", "asked"),
    [
        ("female", 80, False),
        ("female", 40, True),
        ("", 40, True),
        ("male", 40, False),
        ("female", 55, False),
        ("female", 54, True),
    ],
)
def test_pregnancy_is_asked_only_where_it_can_apply(
    client_for, make_patient, make_referral, sex, years, asked
):
    today = timeutil.clinic_today()
    born = today.replace(year=today.year - years) - dt.timedelta(days=1)
    referral = make_referral(make_patient(sex=sex, birth_date=born))
    client = client_for(Role.NURSE)
    assert ('name="pregnant"' in client.get(_url(referral)).content.decode()) is asked
    _post(client, referral, pregnant="true", action="save")
    assert ClinicalAssessment.objects.get(referral=referral).pregnant is (True if asked else None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_kg", "585", "Weight above 300 kg"),
        ("weight_kg", "12", "Weight below 20 kg"),
        ("height_cm", "1.5", "Height below 100 cm"),
        ("height_cm", "400", "Height above 230 cm"),
    ],
)
def test_weight_and_height_outside_sanity_limits_are_refused(
    client_for, referral, field, value, message
):
    response = _post(client_for(Role.NURSE), referral, **{field: value}, action="save")
    assert response.status_code == 422
    assert message in response.content.decode()
    assert getattr(ClinicalAssessment.objects.get(referral=referral), field) is None
