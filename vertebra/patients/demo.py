"""The demo clinic: one login per role and fictitious patients spread over every pathway stage.

Deterministic for a seed (names, MRNs, levels, findings and stages); dates are counted back from
the day it is loaded so the worklist looks current. Every name is visibly fictitious and every
MRN starts with DEMO-. Everything is written through the services, so the audit trail is real.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients import services
from vertebra.patients.models import Patient, Referral, ReferralStatus

DEMO_PASSWORD = "vertebra-demo"  # noqa: S105 - documented demo login, refused in production
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("physician", Role.PHYSICIAN, "Dr Demo Physician"),
    ("nurse", Role.NURSE, "Demo Nurse"),
    ("scheduler", Role.SCHEDULER, "Demo Scheduler"),
    ("quality", Role.QUALITY_LEAD, "Demo Quality-Lead"),
    ("admin", Role.ADMINISTRATOR, "Demo Administrator"),
    ("patient", Role.PATIENT, "Demo Patient"),
)

GIVEN_NAMES = (
    "Ada",
    "Bruno",
    "Clara",
    "Dmitri",
    "Elif",
    "Fatou",
    "Gustav",
    "Hana",
    "Ines",
    "József",
    "Kasia",
    "Lars",
    "Maëlle",
    "Noor",
    "Otto",
    "Paloma",
    "Quentin",
    "Renée",
    "Søren",
    "Tülin",
)
FAMILY_NAMES = (
    "Testperson",
    "Example",
    "Sample",
    "Fictive",
    "Placeholder",
    "Mockwell",
    "Dummyford",
    "Imaginary",
    "Specimen",
    "Notreal",
)
_REFERRERS = (
    "Dr A. Demo-General (GP)",
    "Dr B. Demo-Ortho",
    "Dr C. Demo-Onco",
    "Emergency dept (demo)",
)
_PATH = (
    ReferralStatus.EVALUATING,
    ReferralStatus.DECIDED,
    ReferralStatus.SCHEDULED,
    ReferralStatus.TREATED,
    ReferralStatus.IN_FOLLOW_UP,
    ReferralStatus.CLOSED,
)
_LEVELS = ("T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4")


def _create_users() -> dict[str, User]:
    users = {}
    for username, role, full_name in DEMO_USERS:
        first, _, last = full_name.rpartition(" ")
        user = User(username=username, role=role, first_name=first, last_name=last)
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
    return users


def _fracture_data(rng: random.Random, level: str, today: dt.date) -> dict[str, object]:
    reference = Decimal(rng.choice(("24.0", "26.0", "28.0", "30.0")))
    loss = Decimal(rng.randint(5, 45)) / 100
    anterior = (reference * (1 - loss)).quantize(Decimal("0.1"))
    etiology = rng.choices(("osteoporotic", "metastasis", "myeloma", "unknown"), (8, 2, 1, 1))[0]
    data: dict[str, object] = {
        "level": level,
        "etiology": etiology,
        "high_energy_trauma": False,
        "onset_date": today - dt.timedelta(days=rng.randint(10, 70)),
        "imaging_date": today - dt.timedelta(days=rng.randint(1, 9)),
        "imaging_report": f"MRI: compression fracture of {level}.",
        "mri_oedema": rng.random() < 0.85,
        "height_anterior_mm": anterior,
        "height_middle_mm": (reference * Decimal("0.92")).quantize(Decimal("0.1")),
        "height_posterior_mm": (reference * Decimal("0.97")).quantize(Decimal("0.1")),
        "height_reference_mm": reference,
        "kyphotic_deformity": rng.random() < 0.4,
        "posterior_wall": rng.choice(("intact", "intact", "minor")),
        "retropulsion": False,
        "both_endplates": False,
        "tension_band_failure": False,
    }
    if etiology in {"metastasis", "myeloma"}:
        data.update(
            lesion=rng.choice(("lytic", "mixed")),
            sins_pain="occasional",
            sins_alignment="normal",
            sins_collapse="under_50",
            sins_posterolateral="none",
            epidural_extension=False,
        )
    return data


def _assessment_data(rng: random.Random, today: dt.date, complete: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "pregnant": False,
        "hospitalized": rng.random() < 0.2,
        "asa_class": rng.randint(2, 3),
        "can_lie_prone": True,
        "pain_nrs": rng.randint(5, 9),
        "pain_trend": "worsening",
        "pain_duration_weeks": Decimal(rng.randint(2, 10)),
        "pain_attributable_to_fracture": True,
        "pain_radicular": False,
        "conservative_care_tried": True,
        "conservative_care_duration_weeks": Decimal(rng.randint(2, 8)),
        "function_rmdq": rng.randint(10, 22),
        "function_ambulation": "walker",
    }
    if complete:
        data.update(
            {
                "neuro_deficit": False,
                "neuro_myelopathy": False,
                "infection_local": False,
                "infection_systemic": False,
                "coagulation_inr": Decimal("1.1"),
                "coagulation_platelets_10e9_per_l": Decimal(rng.randint(150, 350)),
                "coagulation_correctable": True,
                "coagulation_antithrombotics_reviewed": True,
                "allergies_pmma": False,
                "allergies_contrast": False,
                "allergies_local_anaesthetic": False,
                "bone_health_t_score": Decimal(rng.randint(-40, -15)) / 10,
                "bone_health_prior_vertebral_fractures": rng.randint(0, 2),
                "surgical_backup_available": True,
                "planned_procedure_date": today + dt.timedelta(days=rng.randint(7, 21)),
            }
        )
    return data


def load_demo_clinic(
    *,
    patients: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    decide: Callable[[Referral], None] | None = None,
) -> None:
    """`decide` takes an evaluating referral to "decided" the way the clinic does (evaluation
    and the physician's decision); without it the status is simply moved."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fiction, not security
    actor = Actor.system()
    today = timeutil.clinic_today()
    with transaction.atomic():
        users = _create_users()
    for index in range(patients):
        with transaction.atomic():
            patient = services.patient_create(
                actor=actor,
                data={
                    "mrn": f"DEMO-{seed % 1000:03d}{index + 1:05d}",
                    "family_name": f"{FAMILY_NAMES[index % len(FAMILY_NAMES)]}-Demo",
                    "given_name": GIVEN_NAMES[rng.randrange(len(GIVEN_NAMES))],
                    "birth_date": today.replace(year=today.year - rng.randint(58, 91), day=1),
                    "sex": rng.choices(("female", "male"), (3, 1))[0],
                    "phone": "",
                    "email": "",
                },
            )
            referral = services.referral_create(
                actor=actor,
                patient=patient,
                data={
                    "referring_clinician": rng.choice(_REFERRERS),
                    "reason": "Painful vertebral compression fracture despite conservative care.",
                    "referral_date": today - dt.timedelta(days=rng.randint(1, 60)),
                },
            )
            # Stage: the first seven patients cover every status in order, the rest vary.
            stage = index % (len(_PATH) + 1) if index < 7 else rng.randrange(len(_PATH) + 1)
            levels = rng.sample(_LEVELS, rng.choice((1, 1, 1, 2)))
            for level in sorted(levels, key=_LEVELS.index):
                services.fracture_create(
                    actor=actor, referral=referral, data=_fracture_data(rng, level, today)
                )
            assessment = referral.assessment
            services.assessment_update(
                actor=actor,
                assessment=assessment,
                expected_version=assessment.version,
                data=_assessment_data(rng, today, complete=stage >= 1),
            )
            if stage >= 2 and rng.random() < 0.3:
                services.anticoagulant_add(
                    actor=actor,
                    assessment=assessment,
                    data={
                        "drug": rng.choice(("apixaban", "aspirin", "clopidogrel")),
                        "last_dose_date": today - dt.timedelta(days=1),
                        "last_dose_time": None,
                        "intensity": "",
                    },
                )
            for status in _PATH[:stage]:
                if status == ReferralStatus.DECIDED and decide is not None:
                    decide(referral)
                    continue
                reason = "Demo: episode complete." if status == ReferralStatus.CLOSED else ""
                services.referral_set_status(
                    actor=actor, referral=referral, to_status=status, reason=reason
                )
            if index == 0:
                Patient.objects.filter(pk=patient.pk).update(user=users["patient"])
        if progress is not None and (index + 1 == patients or (index + 1) % 10 == 0):
            progress(index + 1, patients)
