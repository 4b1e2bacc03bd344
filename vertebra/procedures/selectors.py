"""Reading consents, the information texts and procedure records."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from vertebra.core import timeutil
from vertebra.core.models import RecordStatus
from vertebra.core.timeutil import clinic_zone
from vertebra.evaluation.models import Evaluation
from vertebra.patients.models import Referral
from vertebra.procedures.information import TOPIC
from vertebra.procedures.models import (
    AdverseEvent,
    CementLeak,
    Consent,
    ConsentStatus,
    Medication,
    PatientInformation,
    ProcedureAddendum,
    ProcedureLevel,
    ProcedureRecord,
    VitalSigns,
)
from vertebra.procedures.rules.checks import LEVELS
from vertebra.procedures.rules.coding import TreatedLevel, compute_coding
from vertebra.procedures.rules.dose import DoseThresholds, substantial_dose
from vertebra.procedures.rules.followup import DueVisit, followup_dates
from vertebra.procedures.rules.record import LevelFacts, RecordFacts, sign_blockers, warnings


def current_information() -> PatientInformation | None:
    return PatientInformation.objects.filter(topic=TOPIC).order_by("-version").first()


def consent_get(public_id: str) -> Consent | None:
    try:
        return (
            Consent.objects.select_related(
                "patient", "referral", "information", "witness", "withdrawn_by"
            )
            .filter(public_id=public_id)
            .first()
        )
    except ValidationError:
        return None


def referral_consents(referral: Referral) -> list[Consent]:
    return list(referral.consents.select_related("information", "witness").order_by("-signed_at"))


def valid_consent(referral: Referral) -> Consent | None:
    """The latest consent of the referral that is still valid (what a procedure needs)."""
    return referral.consents.filter(status=ConsentStatus.VALID).order_by("-signed_at").first()


# --- The procedure record ----------------------------------------------------------------


def procedure_get(public_id: Any) -> ProcedureRecord | None:
    try:
        return (
            ProcedureRecord.objects.select_related(
                "patient",
                "referral",
                "operator",
                "consent__information",
                "consent__witness",
                "checklist",
                "signed_by",
                "emergency_override_by",
            )
            .filter(public_id=public_id)
            .first()
        )
    except ValidationError:
        return None


def referral_procedures(referral: Referral) -> list[ProcedureRecord]:
    return list(
        referral.procedures.filter(record_status=RecordStatus.ACTIVE)
        .select_related("operator")
        .order_by("-started_at")
    )


def patient_signed_procedures(patient_id: int) -> list[ProcedureRecord]:
    """What the patient sees in the portal: their signed sessions, newest first."""
    return list(
        ProcedureRecord.objects.filter(
            patient_id=patient_id, status="signed", record_status=RecordStatus.ACTIVE
        )
        .select_related("operator")
        .order_by("-started_at")
    )


def dose_thresholds() -> DoseThresholds:
    """[STECKER2009] (check): the clinic's settings."""
    return DoseThresholds(
        kar_mgy=settings.VERTEBRA_DOSE_KAR_MGY,
        kap_gy_cm2=settings.VERTEBRA_DOSE_KAP_GY_CM2,
        fluoroscopy_s=settings.VERTEBRA_DOSE_FLUOROSCOPY_MIN * 60,
    )


@dataclass(frozen=True)
class LevelView:
    level: ProcedureLevel
    leaks: list[CementLeak]


@dataclass(frozen=True)
class ProcedureView:
    """Everything the record page, the report and the discharge instructions show. `summary`
    holds what is computed from the record (codes, dose flag, warnings, settings used): for a
    signed record it is the one kept at signing, never recomputed."""

    record: ProcedureRecord
    levels: list[LevelView]
    adverse_events: list[AdverseEvent]
    medications: list[Medication]
    vital_signs: list[VitalSigns]
    addenda: list[ProcedureAddendum]
    facts: RecordFacts
    summary: dict[str, Any]
    followup: list[DueVisit]

    @property
    def blockers(self) -> list[str]:
        return [] if self.record.is_signed else sign_blockers(self.facts, now=timeutil.now())


def _active(queryset: Any) -> list[Any]:
    return list(queryset.filter(record_status=RecordStatus.ACTIVE))


def procedure_view(record: ProcedureRecord) -> ProcedureView:
    levels = _active(record.levels.select_related("fracture").order_by("position"))
    leaks: dict[int, list[CementLeak]] = {level.pk: [] for level in levels}
    for leak in _active(CementLeak.objects.filter(level__in=levels)):
        leaks[leak.level_id].append(leak)
    level_views = [LevelView(level, leaks[level.pk]) for level in levels]
    events = _active(record.adverse_events.all())
    medications = _active(record.medications.all())
    vitals_rows = _active(record.vital_signs.all())
    facts = RecordFacts(
        started_at=record.started_at,
        ended_at=record.ended_at,
        position=record.position,
        time_out_done=record.time_out_done,
        sedation_level=record.sedation_level,
        modality=record.modality,
        levels=tuple(
            LevelFacts(
                level=view.level.level,
                approach=view.level.approach,
                side=view.level.side,
                needle_gauge=view.level.needle_gauge,
                biopsy_taken=view.level.biopsy_taken,
                cement_product=view.level.cement_product,
                cement_viscosity=view.level.cement_viscosity,
                cement_lot=view.level.cement_lot,
                cement_expiry=view.level.cement_expiry,
                volume_ml=view.level.volume_ml,
                volume_confirmed=view.level.volume_confirmed,
                leakage=view.level.leakage,
                leaks=len(view.leaks),
                symptomatic_leaks=sum(1 for leak in view.leaks if leak.symptomatic),
            )
            for view in level_views
        ),
        levels_reason=record.levels_reason,
        no_adverse_events=record.no_adverse_events,
        adverse_events=tuple(event.kind for event in events),
        observation_start=record.observation_start,
        observation_end=record.observation_end,
        neuro_check=record.neuro_check,
        neuro_note=record.neuro_note,
        recovery_scale=record.recovery_scale,
        recovery_score=record.recovery_score,
        disposition=record.disposition,
        discharged_at=record.discharged_at,
        discharge_criteria_met=record.discharge_criteria_met,
        admission_reason=record.admission_reason,
        booked_starts_at=record.booked_starts_at,
        entry_times=tuple(
            [
                (f"the time {drug.agent} was given", drug.given_at)
                for drug in medications
                if drug.given_at is not None
            ]
            + [
                (f"the vital signs of {vitals.taken_at:%H:%M}", vitals.taken_at)
                for vitals in vitals_rows
            ]
        ),
    )
    summary = record.signed_summary if record.is_signed else _summary(record, level_views, facts)
    return ProcedureView(
        record=record,
        levels=level_views,
        adverse_events=events,
        medications=medications,
        vital_signs=vitals_rows,
        addenda=list(record.addenda.select_related("author")),
        facts=facts,
        summary=summary,
        followup=followup_dates(record.started_at.astimezone(clinic_zone()).date()),
    )


def _summary(
    record: ProcedureRecord, levels: list[LevelView], facts: RecordFacts
) -> dict[str, Any]:
    coding = compute_coding(
        [
            TreatedLevel(
                level=view.level.level,
                etiology=(view.level.fracture.etiology or None) if view.level.fracture else None,
                cavity_creation=view.level.cavity_creation,
            )
            for view in levels
        ]
    )
    thresholds = dose_thresholds()
    flag = substantial_dose(
        kar_mgy=record.kar_mgy,
        kap_gy_cm2=record.kap_gy_cm2,
        fluoroscopy_s=record.fluoroscopy_time_s,
        thresholds=thresholds,
    )
    minimum_score = settings.VERTEBRA_DISCHARGE_MIN_RECOVERY_SCORE
    return {
        "coding": {
            "version": coding.version,
            "procedure": [asdict(code) for code in coding.procedure],
            "diagnosis": [asdict(code) for code in coding.diagnosis],
            "notes": list(coding.notes),
        },
        "dose": {
            "substantial": flag.substantial,
            "reasons": list(flag.reasons),
            "missing": list(flag.missing),
        },
        "warnings": warnings(
            facts,
            min_recovery_score=minimum_score,
            start_tolerance_hours=settings.VERTEBRA_PROCEDURE_START_TOLERANCE_HOURS,
        ),
        "settings": {
            "dose_kar_mgy": str(thresholds.kar_mgy),
            "dose_kap_gy_cm2": str(thresholds.kap_gy_cm2),
            "dose_fluoroscopy_min": str(settings.VERTEBRA_DOSE_FLUOROSCOPY_MIN),
            "discharge_min_recovery_score": minimum_score,
            "procedure_start_tolerance_hours": settings.VERTEBRA_PROCEDURE_START_TOLERANCE_HOURS,
            "source": "[STECKER2009] (check); §4.1 recovery score (check)",
        },
    }


def target_levels(referral: Referral) -> list[str]:
    """The level(s) the referral's latest evaluation found to be targets, in spine order; without
    an evaluation, none (the record never guesses a level)."""
    evaluation = Evaluation.objects.filter(referral=referral).order_by("-created_at", "-pk").first()
    if evaluation is None:
        return []
    return [
        level["level"]
        for level in (evaluation.result or {}).get("levels", [])
        if level.get("target") and level.get("level") in LEVELS
    ]
