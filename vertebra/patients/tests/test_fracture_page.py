"""The fracture form in clinical order: lesion type and SINS only at neoplastic levels (ignored
elsewhere), epidural extension at every level; pain duration computed from the onset date
(issue 14 §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from vertebra.core import timeutil
from vertebra.core.models import Role
from vertebra.patients import services
from vertebra.patients.models import ClinicalAssessment, Fracture

pytestmark = pytest.mark.django_db

NEOPLASTIC = {
    "lesion": "lytic",
    "sins_pain": "mechanical",
    "sins_alignment": "normal",
    "sins_collapse": "under_50",
    "sins_posterolateral": "none",
}


def _create(client, referral, **data):
    return client.post(reverse("staff:fracture_create", args=[referral.public_id]), data)


@pytest.mark.parametrize("etiology", ["osteoporotic", "traumatic", "unknown", ""])
def test_lesion_and_sins_sent_for_a_non_neoplastic_level_are_ignored(
    client_for, referral, etiology
):
    response = _create(
        client_for(Role.NURSE),
        referral,
        level="L1",
        etiology=etiology,
        epidural_extension="false",
        **NEOPLASTIC,
    )
    assert response.status_code == 302
    fracture = Fracture.objects.get(referral=referral)
    assert (fracture.lesion, fracture.sins_pain, fracture.sins_collapse) == ("", "", "")
    assert fracture.epidural_extension is False  # asked at every level (RC-EPIDURAL)


@pytest.mark.parametrize("etiology", ["metastasis", "myeloma"])
def test_lesion_and_sins_are_kept_at_a_neoplastic_level(client_for, referral, etiology):
    _create(client_for(Role.NURSE), referral, level="T12", etiology=etiology, **NEOPLASTIC)
    fracture = Fracture.objects.get(referral=referral)
    assert (fracture.lesion, fracture.sins_pain, fracture.sins_posterolateral) == (
        "lytic",
        "mechanical",
        "none",
    )


def test_the_neoplastic_section_is_open_only_at_a_neoplastic_level(client_for, actor, referral):
    client = client_for(Role.NURSE)
    page = client.get(reverse("staff:fracture_create", args=[referral.public_id])).content.decode()
    assert '<details class="card" id="neoplastic">' in page
    assert 'name="epidural_extension"' in page.split('id="neoplastic"')[0]
    fracture = services.fracture_create(
        actor=actor, referral=referral, data={"level": "T12", "etiology": "metastasis"}
    )
    page = client.get(reverse("staff:fracture_edit", args=[fracture.public_id])).content.decode()
    assert '<details class="card" id="neoplastic" open>' in page


def test_pain_duration_is_computed_from_the_onset_date(client_for, actor, referral):
    onset = timeutil.clinic_today() - dt.timedelta(days=24)
    services.fracture_create(
        actor=actor, referral=referral, data={"level": "L1", "onset_date": onset}
    )
    url = reverse("staff:assessment_edit", args=[referral.public_id])
    page = client_for(Role.NURSE).get(url).content.decode()
    assert 'name="pain_duration_weeks" value="3.4"' in page
    assert f"From the onset date {onset:%Y-%m-%d} recorded for the fracture: 3.4 weeks" in page
    # A recorded duration is kept, never replaced by the computed one.
    assessment = ClinicalAssessment.objects.get(referral=referral)
    services.assessment_update(
        actor=actor, assessment=assessment, expected_version=assessment.version,
        data={"pain_duration_weeks": 2},
    )  # fmt: skip
    page = client_for(Role.NURSE).get(url).content.decode()
    assert 'name="pain_duration_weeks" value="2.00"' in page


def test_without_an_onset_date_nothing_is_computed(client_for, referral):
    url = reverse("staff:assessment_edit", args=[referral.public_id])
    page = client_for(Role.NURSE).get(url).content.decode()
    assert "From the onset date" not in page
    assert 'name="pain_duration_weeks" value=' not in page
