"""The demo clinic's consents, checklists and procedure records (fictitious people): for
referrals decided "proceed", the nurse has recorded the patient's consent and started the
pre-procedure checklist; referrals at "treated" have a signed procedure record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.models import RecordStatus, User
from vertebra.evaluation.models import FinalChoice, FinalDecision
from vertebra.patients.models import Referral, ReferralStatus
from vertebra.procedures import checklist, record, selectors, services
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import ConsentRisk, PatientInformation, ProcedureRecord
from vertebra.procedures.rules.checks import LEVELS


def load_demo_consents(limit: int = 5) -> int:
    nurse = Actor(user=User.objects.get(username="nurse"))
    information = install_version_1(PatientInformation)
    referral_ids = FinalDecision.objects.filter(choice=FinalChoice.PROCEED).values_list(
        "evaluation__referral_id", flat=True
    )
    referrals = Referral.objects.filter(pk__in=referral_ids).select_related("patient")[:limit]
    for referral in referrals:
        services.consent_sign(
            actor=nurse,
            referral=referral,
            information=information,  # type: ignore[arg-type]
            risks_discussed=ConsentRisk.values,
            questions="How long will I stay? A few hours; most people go home the same day.",
            typed_name=f"{referral.patient.given_name} {referral.patient.family_name}",
            patient_confirmed=True,
        )
        checklist.checklist_start(actor=nurse, referral=referral)
    return len(referrals)


def _met_checklist(nurse: Actor, referral: Referral) -> None:
    started = checklist.checklist_start(actor=nurse, referral=referral)
    for item in started.items.all():
        checklist.item_set(
            actor=nurse, item_id=item.pk, expected_version=item.version, status="met"
        )


def load_demo_procedures(limit: int = 5) -> int:
    """Signed procedure records for referrals the demo has at "treated": consent, a completed
    checklist, the session two days ago (each fractured level, in spine order; a silent type S
    leak at the second level, if any) and the operator's signature."""
    nurse = Actor(user=User.objects.get(username="nurse"))
    physician_user = User.objects.get(username="physician")
    physician = Actor(user=physician_user)
    information = install_version_1(PatientInformation)
    referrals = (
        Referral.objects.filter(status=ReferralStatus.TREATED, record_status=RecordStatus.ACTIVE)
        .select_related("patient")
        .order_by("pk")[:limit]
    )
    for referral in referrals:
        if selectors.valid_consent(referral) is None:
            services.consent_sign(
                actor=nurse,
                referral=referral,
                information=information,  # type: ignore[arg-type]
                risks_discussed=ConsentRisk.values,
                questions="",
                typed_name=f"{referral.patient.given_name} {referral.patient.family_name}",
                patient_confirmed=True,
            )
        _met_checklist(nurse, referral)
        started = record.procedure_start(actor=nurse, referral=referral, operator=physician_user)
        t0 = (timeutil.now() - dt.timedelta(days=2)).replace(second=0, microsecond=0)
        record.procedure_update(
            actor=physician,
            procedure=started,
            expected_version=started.version,
            data={
                "team": "Demo nurse (scrub), demo radiographer",
                "started_at": t0,
                "ended_at": t0 + dt.timedelta(minutes=35),
                "position": "prone",
                "sedation_level": "moderate",
                "asa_class": 2,
                "monitoring": "SpO₂, ECG, NIBP",
                "no_adverse_events": True,
                "observation_start": t0 + dt.timedelta(minutes=40),
                "observation_end": t0 + dt.timedelta(minutes=160),
                "neuro_check": "unchanged",
                "recovery_scale": "aldrete",
                "recovery_score": 10,
                "disposition": "home",
                "discharged_at": t0 + dt.timedelta(minutes=180),
                "discharge_criteria_met": True,
                "follow_up_plan": "Bone-health review with the general practitioner.",
            },
        )
        record.procedure_set_imaging(
            actor=physician,
            procedure=started,
            expected_version=started.version + 1,
            modality="fluoroscopy_biplane",
            doses={"fluoroscopy": ("190", "s"), "kap": ("1480", "cGy·cm²"), "kar": ("96", "mGy")},
        )
        record.medication_add(
            actor=nurse,
            procedure=started,
            data={"kind": "local_anaesthetic", "agent": "lidocaine", "concentration": "1 %",
                  "dose": Decimal(10), "dose_unit": "mL", "route": "subcutaneous"},
        )  # fmt: skip
        fractures = referral.fractures.filter(record_status=RecordStatus.ACTIVE)
        for position, fracture in enumerate(sorted(fractures, key=lambda f: LEVELS.index(f.level))):
            level = record.level_add(
                actor=physician,
                procedure=started,
                data={"level": fracture.level, "approach": "bipedicular", "side": "both",
                      "needle_gauge": 11, "biopsy_taken": False, "cement_product": "Demo PMMA",
                      "cement_viscosity": "high", "cement_lot": "DEMO-LOT-1",
                      "cement_expiry": timeutil.clinic_today() + dt.timedelta(days=300),
                      "volume_ml": Decimal("3.5") if fracture.level.startswith("T") else Decimal(5),
                      "leakage": "none" if position == 0 else "present"},
            )  # fmt: skip
            if position:
                record.leak_add(
                    actor=physician,
                    level=level,
                    data={"leak_type": "S", "location": "venous", "symptomatic": False,
                          "action_taken": "Injection paused, then completed"},
                )  # fmt: skip
        current = ProcedureRecord.objects.get(pk=started.pk)
        record.procedure_sign(actor=physician, procedure=current, expected_version=current.version)
    return len(referrals)
