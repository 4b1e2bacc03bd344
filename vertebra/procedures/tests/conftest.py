"""A referral ready for the procedure room, made through the real services: decided by the
physician, a T12 and an L1 osteoporotic fracture, a signed consent and a completed checklist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.evaluation.services import evaluation_run
from vertebra.patients import services as patient_services
from vertebra.patients.models import Referral
from vertebra.procedures import checklist, record, services
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import PatientInformation, ProcedureRecord


def decide(referral: Referral, physician: Actor) -> None:
    for status in ("evaluating", "decided"):
        patient_services.referral_set_status(actor=physician, referral=referral, to_status=status)


def complete_checklist(
    started: Any, nurse: Actor, physician: Actor, *, skip: tuple[str, ...] = ()
) -> None:
    """Every item but those in `skip` answered: the fasting times long enough, items the
    evaluation found not met marked met by the physician with a reason, the rest by the nurse."""
    now = timezone.now()
    for item in started.items.exclude(key__in=skip):
        if item.key == "fasting":
            checklist.checklist_fasting_record(
                actor=nurse,
                item_id=item.pk,
                expected_version=1,
                clear_liquid_at=now - dt.timedelta(hours=3),
                food_at=now - dt.timedelta(hours=10),
                food_kind="light",
            )
        elif item.rule_result == "not_met" and item.kind == "safety":
            checklist.checklist_item_set(
                actor=physician, item_id=item.pk, expected_version=1, status="met", note="Done"
            )
        else:
            checklist.checklist_item_set(
                actor=nurse, item_id=item.pk, expected_version=1, status="met"
            )


@pytest.fixture
def ready(referral: Referral, actor: Actor, physician_actor: Actor) -> Referral:
    for level in ("T12", "L1"):
        patient_services.fracture_create(
            actor=actor, referral=referral, data={"level": level, "etiology": "osteoporotic"}
        )
    decide(referral, physician_actor)
    # No antithrombotics: the hold the checklist checks (issue 14) is known and respected.
    assessment = Referral.objects.get(pk=referral.pk).assessment
    patient_services.assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=assessment.version,
        data={"coagulation_antithrombotics_reviewed": True},
    )
    evaluation_run(actor=physician_actor, referral=referral)
    services.consent_sign(
        actor=actor,
        referral=referral,
        information=install_version_1(PatientInformation),  # type: ignore[arg-type]
        risks_discussed=["cement_leakage", "radiation"],
        questions="",
        typed_name="Zoë Müller",
        patient_confirmed=True,
    )
    started = checklist.checklist_start(actor=actor, referral=referral)
    complete_checklist(started, actor, physician_actor)
    referral.refresh_from_db()
    return referral


@pytest.fixture
def operator(users: dict[Role, User]) -> User:
    return users[Role.PHYSICIAN]


@pytest.fixture
def started(ready: Referral, actor: Actor, operator: User) -> ProcedureRecord:
    return record.procedure_start(actor=actor, referral=ready, operator=operator)


def level_data(level: str, **overrides: Any) -> dict[str, Any]:
    return {
        "level": level,
        "approach": "bipedicular",
        "side": "both",
        "needle_gauge": 11,
        "cavity_creation": False,
        "biopsy_taken": False,
        "cement_product": "Osteopal V",
        "cement_viscosity": "high",
        "cement_lot": "LOT-4711",
        "cement_expiry": dt.date(2027, 6, 30),
        "volume_ml": Decimal("3.5"),
        "volume_confirmed": False,
        "leakage": "none",
        **overrides,
    }


def fresh(procedure: ProcedureRecord) -> ProcedureRecord:
    return ProcedureRecord.objects.get(pk=procedure.pk)


def fill_for_signing(
    procedure: ProcedureRecord, actor: Actor, *, levels: tuple[str, ...] = ("T12", "L1")
) -> ProcedureRecord:
    """Fill in every item signing needs: the levels in order (no leak at the first, one
    asymptomatic type S leak at the second), a mild adverse event, observation and discharge
    home, all of it over by now (a time in the future is not signed). Returns the record as
    stored."""
    t0 = procedure.started_at - dt.timedelta(hours=4)
    record.procedure_update(
        actor=actor,
        procedure=procedure,
        expected_version=fresh(procedure).version,
        data={
            "team": "Nurse Tester (scrub), R. Radiographer",
            "started_at": t0,
            "ended_at": t0 + dt.timedelta(minutes=40),
            "position": "prone",
            "time_out_done": True,
            "sedation_level": "moderate",
            "asa_class": 2,
            "observation_start": t0 + dt.timedelta(minutes=45),
            "observation_end": t0 + dt.timedelta(minutes=165),
            "neuro_check": "unchanged",
            "recovery_scale": "aldrete",
            "recovery_score": 10,
            "disposition": "home",
            "discharged_at": t0 + dt.timedelta(minutes=180),
            "discharge_criteria_met": True,
        },
    )
    record.procedure_set_imaging(
        actor=actor,
        procedure=procedure,
        expected_version=fresh(procedure).version,
        modality="fluoroscopy_biplane",
        doses={"fluoroscopy": ("4.5", "min"), "kap": ("1250", "cGy·cm²"), "kar": ("", "mGy")},
    )
    made = [
        record.level_add(actor=actor, procedure=procedure, data=level_data(level))
        for level in levels
    ]
    if len(made) > 1:
        record.leak_add(
            actor=actor,
            level=made[1],
            data={
                "leak_type": "S",
                "location": "venous",
                "symptomatic": False,
                "action_taken": "Injection paused",
            },
        )
    record.adverse_event_add(
        actor=actor,
        procedure=procedure,
        data={"kind": "transient_pain", "sir_grade": 1, "treatment": "Paracetamol"},
    )
    return fresh(procedure)


@pytest.fixture
def complete(started: ProcedureRecord, actor: Actor) -> Callable[..., ProcedureRecord]:
    """fill(levels=...): the started record, filled in for signing (fill_for_signing)."""

    def fill(*, levels: tuple[str, ...] = ("T12", "L1")) -> ProcedureRecord:
        return fill_for_signing(started, actor, levels=levels)

    return fill
