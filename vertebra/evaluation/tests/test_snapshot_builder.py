"""The §2.1 snapshot built from a referral's stored record: assessed facts only, exact numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vertebra.evaluation.snapshot import build_snapshot, snapshot_dumps, snapshot_loads
from vertebra.patients import services
from vertebra.patients.models import Anticoagulant, Fracture

pytestmark = pytest.mark.django_db


def _snapshot(referral, on=dt.date(2026, 11, 23)):
    referral.refresh_from_db()
    assessment = referral.assessment
    return build_snapshot(
        patient=referral.patient,
        assessment=assessment,
        fractures=list(Fracture.objects.filter(referral=referral, record_status="active")),
        anticoagulants=list(
            Anticoagulant.objects.filter(assessment=assessment, record_status="active")
        ),
        on=on,
    )


def test_empty_record_gives_only_age_sex_and_no_fractures(referral):
    # Born 1944-03-31: 82 on 2026-11-23. Nothing else was assessed, so nothing else is claimed.
    assert _snapshot(referral) == {"patient": {"age_years": 82, "sex": "female"}, "fractures": []}


def test_age_is_computed_on_the_evaluation_date(referral):
    assert _snapshot(referral, on=dt.date(2026, 3, 30))["patient"]["age_years"] == 81
    assert _snapshot(referral, on=dt.date(2026, 3, 31))["patient"]["age_years"] == 82


def test_assessed_facts_map_to_the_reference_names(actor, referral):
    services.assessment_update(
        actor=actor,
        assessment=referral.assessment,
        expected_version=1,
        data={
            "pain_nrs": 7,
            "pain_trend": "worsening",
            "pain_attributable_to_fracture": False,
            "coagulation_inr": Decimal("1.10"),
            "planned_procedure_date": dt.date(2026, 12, 10),
            "surgical_backup_available": True,
        },
    )
    services.fracture_create(
        actor=actor,
        referral=referral,
        data={
            "level": "L1",
            "etiology": "osteoporotic",
            "mri_oedema": True,
            "height_anterior_mm": Decimal("19.0"),
            "height_middle_mm": Decimal("22.0"),
            "height_posterior_mm": Decimal("27.0"),
            "height_reference_mm": Decimal("28.0"),
            "sins_pain": "occasional",
        },
    )
    snapshot = _snapshot(referral)
    assert snapshot["pain"] == {"nrs": 7, "trend": "worsening", "attributable_to_fracture": False}
    assert snapshot["coagulation"] == {"inr": Decimal("1.10")}
    assert snapshot["planned_procedure_date"] == "2026-12-10"
    assert snapshot["surgical_backup_available"] is True
    assert snapshot["fractures"] == [
        {
            "level": "L1",
            "etiology": "osteoporotic",
            "mri_oedema": True,
            "heights_mm": {
                "anterior": Decimal("19.0"),
                "middle": Decimal("22.0"),
                "posterior": Decimal("27.0"),
                "reference": Decimal("28.0"),
            },
            "sins": {"pain": "occasional"},
        }
    ]


def test_antithrombotics_are_claimed_only_once_reviewed(actor, referral):
    assessment = referral.assessment
    services.anticoagulant_add(
        actor=actor,
        assessment=assessment,
        data={
            "drug": "Apixaban",
            "last_dose_date": dt.date(2026, 11, 20),
            "last_dose_time": dt.time(8, 30),
            "intensity": "",
        },
    )
    assert "coagulation" not in _snapshot(referral)
    services.assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=1,
        data={"coagulation_antithrombotics_reviewed": True},
    )
    assert _snapshot(referral)["coagulation"]["anticoagulants"] == [
        {"drug": "Apixaban", "last_dose_date": "2026-11-20", "last_dose_time": "08:30"}
    ]


def test_reviewed_with_no_drug_means_none_taken(actor, referral):
    services.assessment_update(
        actor=actor,
        assessment=referral.assessment,
        expected_version=1,
        data={"coagulation_antithrombotics_reviewed": True},
    )
    assert _snapshot(referral)["coagulation"] == {"anticoagulants": []}


def test_storage_keeps_decimals_digit_for_digit():
    snapshot = {
        "coagulation": {"inr": Decimal("1.10")},
        "fractures": [
            {
                "level": "L1",
                "heights_mm": {
                    "anterior": Decimal("19.99999999999999999"),
                    "reference": Decimal("25"),
                },
            }
        ],
    }
    text = snapshot_dumps(snapshot)
    assert '"inr": 1.10' in text
    assert '"anterior": 19.99999999999999999' in text
    assert snapshot_loads(text) == snapshot
    assert snapshot_loads(text)["coagulation"]["inr"].as_tuple() == Decimal("1.10").as_tuple()
