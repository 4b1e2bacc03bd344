"""The procedure day of a demo patient: the checklist completed, the session recorded through
the gate (consent and checklist), and the record signed by the operator."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from vertebra.core import timeutil
from vertebra.core.models import RecordStatus
from vertebra.patients.models import Referral
from vertebra.procedures import checklist, record
from vertebra.procedures.models import Checklist, ItemStatus, ProcedureRecord
from vertebra.procedures.rules.checks import LEVELS

from .clinic import Clinic

# What the nurse writes when an item that needed action is done (by checklist key).
DONE_NOTES = {
    "PRE-BMD": "Bone-density referral and osteoporosis advice documented for the GP.",
    "antithrombotic_today": "Last dose as recorded; hold confirmed with the prescriber.",
    "PRE-COAG": "Labs within target.",
}


def complete_checklist(clinic: Clinic, sheet: Checklist) -> None:
    """On the morning of the procedure every item is answered: the nurse records the fasting
    times (nil by mouth from midnight, water until 06:00) and checks the items; an item the
    evaluation found not met is marked met by the physician, with what resolved it."""
    nurse, physician = clinic.actor("nurse"), clinic.actor("physician")
    now = timeutil.now()
    day = now.astimezone(timeutil.clinic_zone()).date()
    for item in sheet.items.order_by("position"):
        if item.status == ItemStatus.MET:
            continue
        if item.key == "fasting":
            checklist.checklist_fasting_record(
                actor=nurse,
                item_id=item.pk,
                expected_version=item.version,
                clear_liquid_at=clinic.at(day, 6) - dt.timedelta(hours=1),
                food_at=clinic.at(day, 0) - dt.timedelta(hours=4),
                food_kind="light",
            )
            continue
        against = item.rule_result == ItemStatus.NOT_MET and item.kind == "safety"
        checklist.checklist_item_set(
            actor=physician if against else nurse,
            item_id=item.pk,
            expected_version=item.version,
            status=ItemStatus.MET,
            note=DONE_NOTES.get(item.key, "Resolved: checked this morning" if against else ""),
        )


def start(clinic: Clinic, referral: Referral) -> ProcedureRecord:
    return record.procedure_start(
        actor=clinic.actor("nurse"), referral=referral, operator=clinic.users["physician"]
    )


def fill_in(clinic: Clinic, rng: random.Random, started: ProcedureRecord) -> None:
    """The session as it went: team, sedation, imaging and dose, local anaesthetic, each
    fractured level in spine order (a silent type S leak at a second level), recovery and
    discharge home."""
    nurse, physician = clinic.actor("nurse"), clinic.actor("physician")
    t0 = started.started_at
    current = record.procedure_update(
        actor=physician,
        procedure=started,
        expected_version=started.version,
        data={
            "team": "Demo Nurse (scrub), demo radiographer",
            "started_at": t0,
            "ended_at": t0 + dt.timedelta(minutes=rng.randint(30, 50)),
            "position": "prone",
            "time_out_done": True,  # done in the room, recorded there (not from the checklist)
            "sedation_level": "moderate",
            "asa_class": rng.randint(2, 3),
            "monitoring": "SpO₂, ECG, NIBP",
            "no_adverse_events": True,
            "observation_start": t0 + dt.timedelta(minutes=55),
            "observation_end": t0 + dt.timedelta(minutes=175),
            "neuro_check": "unchanged",
            "recovery_scale": "aldrete",
            "recovery_score": 10,
            "disposition": "home",
            "discharged_at": t0 + dt.timedelta(minutes=180),
            "discharge_criteria_met": True,
            "follow_up_plan": (
                "Phone call tomorrow; clinic visit in 3 weeks; bone-health review with the GP."
            ),
        },
    )
    record.procedure_set_imaging(
        actor=physician,
        procedure=current,
        expected_version=current.version,
        modality="fluoroscopy_biplane",
        doses={
            "fluoroscopy": (str(rng.randint(120, 260)), "s"),
            "kap": (str(rng.randint(900, 2200)), "cGy·cm²"),
            "kar": (str(rng.randint(60, 140)), "mGy"),
        },
    )
    record.medication_add(
        actor=nurse,
        procedure=current,
        data={"kind": "local_anaesthetic", "agent": "lidocaine", "concentration": "1 %",
              "dose": Decimal(10), "dose_unit": "mL", "route": "subcutaneous",
              "given_at": t0 + dt.timedelta(minutes=5)},
    )  # fmt: skip
    fractures = started.referral.fractures.filter(record_status=RecordStatus.ACTIVE)
    for position, fracture in enumerate(sorted(fractures, key=lambda f: LEVELS.index(f.level))):
        thoracic = fracture.level.startswith("T")
        level = record.level_add(
            actor=physician,
            procedure=current,
            data={"level": fracture.level, "approach": "bipedicular", "side": "both",
                  "needle_gauge": 11, "biopsy_taken": False, "cement_product": "Demo PMMA",
                  "cement_viscosity": "high", "cement_lot": "DEMO-LOT-1",
                  "cement_expiry": timeutil.clinic_today() + dt.timedelta(days=300),
                  "volume_ml": Decimal("3.5") if thoracic else Decimal(5),
                  "leakage": "none" if position == 0 else "present"},
        )  # fmt: skip
        if position:
            record.leak_add(
                actor=physician,
                level=level,
                data={"leak_type": "S", "location": "venous", "symptomatic": False,
                      "action_taken": "Injection paused, then completed"},
            )  # fmt: skip


def sign(clinic: Clinic, started: ProcedureRecord) -> ProcedureRecord:
    current = ProcedureRecord.objects.get(pk=started.pk)
    return record.procedure_sign(
        actor=clinic.actor("physician"), procedure=current, expected_version=current.version
    )
