"""The patient banner shown on top of every patient page: who the patient is and what the team
must not miss (allergies, antithrombotics and their hold, weight and height).

It reads the patient's referral with its assessment, the antithrombotics and the latest
evaluation's PRE-ANTITHROMBOTIC findings (clinical-reference §2.5), so it sits in the
composition. Three queries whatever the data size (none for the referral when the page already
has it with its assessment). Missing information is said so, never shown as normal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vertebra.core import timeutil
from vertebra.core.models import RecordStatus
from vertebra.evaluation.models import Evaluation
from vertebra.patients.models import Anticoagulant, ClinicalAssessment, Patient, Referral

# The allergies the assessment asks about, as the banner names them.
ALLERGY_QUESTIONS = (
    ("allergies_pmma", "PMMA bone cement"),
    ("allergies_contrast", "iodinated contrast"),
    ("allergies_local_anaesthetic", "local anaesthetic"),
    ("allergies_antibiotics", "antibiotics"),
    ("allergies_latex", "latex"),
)


@dataclass(frozen=True, slots=True)
class Allergies:
    known: tuple[str, ...]  # what the patient is allergic to, other allergies included
    not_asked: tuple[str, ...]  # the questions nobody answered

    @property
    def text(self) -> str:
        """ "none known" only when every question was answered no; "not asked" when none was."""
        if self.known:
            return ", ".join(self.known)
        if not self.not_asked:
            return "none known"
        if len(self.not_asked) == len(ALLERGY_QUESTIONS):
            return "not asked"
        return "none of those asked"


@dataclass(frozen=True, slots=True)
class BannerDrug:
    drug: str
    last_dose_date: dt.date | None


@dataclass(frozen=True, slots=True)
class BannerHold:
    text: str  # "Hold aspirin 6 days"
    earliest_date: dt.date | None


@dataclass(frozen=True, slots=True)
class PatientBanner:
    patient: Patient
    age_years: int
    referral: Referral | None
    allergies: Allergies | None  # None: no referral, so no assessment
    antithrombotics_reviewed: bool | None
    drugs: tuple[BannerDrug, ...]
    evaluated: bool  # False: no evaluation yet, so no hold date
    holds: tuple[BannerHold, ...]
    weight_kg: Decimal | None
    height_cm: Decimal | None


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def allergies_of(assessment: ClinicalAssessment) -> Allergies:
    known, not_asked = [], []
    for field, label in ALLERGY_QUESTIONS:
        value = getattr(assessment, field)
        if value is None:
            not_asked.append(label)
        elif value:
            known.append(label)
    if assessment.allergies_other.strip():
        known.append(assessment.allergies_other.strip())
    return Allergies(known=tuple(known), not_asked=tuple(not_asked))


def _holds(result: Any) -> tuple[BannerHold, ...]:
    holds = []
    for finding in (result or {}).get("findings", ()):
        if finding.get("rule") != "PRE-ANTITHROMBOTIC":
            continue
        earliest = finding.get("earliest_date")
        holds.append(
            BannerHold(
                text=str(finding.get("message", "")).split(":", 1)[0],
                earliest_date=dt.date.fromisoformat(earliest) if earliest else None,
            )
        )
    return tuple(holds)


def patient_banner(*, patient: Patient, referral: Referral | None = None) -> PatientBanner:
    """The banner of a patient, for the page's referral or else their latest active one."""
    if referral is None:
        referral = (
            Referral.objects.select_related("assessment")
            .filter(patient=patient, record_status=RecordStatus.ACTIVE)
            .order_by("-referral_date", "-id")
            .first()
        )
    assessment = getattr(referral, "assessment", None) if referral is not None else None
    drugs: tuple[BannerDrug, ...] = ()
    holds: tuple[BannerHold, ...] = ()
    evaluated = False
    if assessment is not None:
        drugs = tuple(
            BannerDrug(*row)
            for row in Anticoagulant.objects.filter(
                assessment=assessment, record_status=RecordStatus.ACTIVE
            )
            .order_by("id")
            .values_list("drug", "last_dose_date")
        )
    if referral is not None:
        latest = (
            Evaluation.objects.filter(referral=referral)
            .order_by("-created_at", "-id")
            .values_list("result", flat=True)
            .first()
        )
        evaluated = latest is not None
        holds = _holds(latest)
    return PatientBanner(
        patient=patient,
        age_years=age_on(patient.birth_date, timeutil.clinic_today()),
        referral=referral,
        allergies=allergies_of(assessment) if assessment is not None else None,
        antithrombotics_reviewed=getattr(assessment, "coagulation_antithrombotics_reviewed", None),
        drugs=drugs,
        evaluated=evaluated,
        holds=holds,
        weight_kg=getattr(assessment, "weight_kg", None),
        height_cm=getattr(assessment, "height_cm", None),
    )
