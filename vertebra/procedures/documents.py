"""The procedure record's documents: the report and the patient's discharge instructions.
One context and one file name for the staff pages and the patient portal.

What the patient reads (issue 14 §6) carries no internal reference (no database id, rule id or
the physician's internal follow-up note) and invents nothing: a restart date not recorded is
"ask your doctor when to restart X"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import formats

from vertebra.core.models import RecordStatus
from vertebra.procedures import selectors
from vertebra.procedures.models import ProcedureRecord, SedationLevel
from vertebra.procedures.rules.dose import plain_number


def plain_list(items: list[str]) -> str:
    """ "T12", "T12 and L1", "T11, T12 and L1"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def document_context(procedure: ProcedureRecord) -> dict[str, Any]:
    view = selectors.procedure_view(procedure)
    evaluation = procedure.referral.evaluations.order_by("-created_at", "-pk").first()
    return {
        "procedure": procedure,
        "patient": procedure.patient,
        "referral": procedure.referral,
        "view": view,
        "evaluation": evaluation,
        # The evaluation's indication findings that were met: the clinical indication.
        "indications": [
            item["message"]
            for item in (evaluation.result.get("findings", []) if evaluation else [])
            if item.get("kind") == "indication" and item.get("status") == "met"
        ],
        # A reverse one-to-one that does not exist raises an AttributeError subclass.
        "final_decision": getattr(evaluation, "final_decision", None),
        "impression": impression(view),
        "asa": asa_text(procedure),
        "clinic_name": settings.VERTEBRA_CLINIC_NAME,
        "clinic_phone": settings.VERTEBRA_CLINIC_PHONE,
        "sedated": procedure.sedation_level != SedationLevel.LOCAL_ONLY,
        "overnight_adult": settings.VERTEBRA_DISCHARGE_OVERNIGHT_ADULT,
        "medicine_lines": medicine_lines(procedure),
    }


def asa_text(procedure: ProcedureRecord) -> str:
    """ "ASA III-E"; empty when not recorded."""
    if procedure.asa_class is None:
        return ""
    return procedure.get_asa_class_display() + ("-E" if procedure.asa_emergency else "")


def impression(view: selectors.ProcedureView) -> str:
    """One line for the reader in a hurry: what was done, leakage, complications, disposition."""
    record = view.record
    if not view.levels:
        return "No level recorded."
    levels = plain_list(
        [
            f"{lv.level.level} ({plain_number(lv.level.volume_ml)} mL)"
            if lv.level.volume_ml is not None
            else lv.level.level
            for lv in view.levels
        ]
    )
    kyphoplasty = any(lv.level.cavity_creation for lv in view.levels)
    parts = [f"{'Kyphoplasty' if kyphoplasty else 'Vertebroplasty'} of {levels}"]
    leaks = [lv for lv in view.levels if lv.leaks]
    if any(lv.level.leakage == "" for lv in view.levels):
        parts.append("cement leakage not assessed at every level")
    elif not leaks:
        parts.append("no cement leakage")
    else:
        symptomatic = any(leak.symptomatic for lv in leaks for leak in lv.leaks)
        parts.append(
            f"{'symptomatic' if symptomatic else 'asymptomatic'} cement leakage at "
            + plain_list([lv.level.level for lv in leaks])
        )
    if view.adverse_events:
        worst = max(event.sir_grade for event in view.adverse_events)
        parts.append(f"adverse event(s), worst SIR grade {worst}")
    elif record.no_adverse_events:
        parts.append("no adverse event")
    else:
        parts.append("adverse events not recorded")
    if record.disposition:
        parts.append(record.get_disposition_display().lower())
    return "; ".join(parts) + "."


def medicine_lines(procedure: ProcedureRecord) -> list[str]:
    """For each blood thinner recorded at the assessment: restart on the recorded date, or ask
    the doctor. Nothing is printed when none is recorded."""
    assessment = getattr(procedure.referral, "assessment", None)
    if assessment is None:
        return []
    drugs = [
        drug.drug
        for drug in assessment.anticoagulants.filter(record_status=RecordStatus.ACTIVE)
        if drug.drug.strip()
    ]
    restart = procedure.antithrombotic_restart_on
    if restart is None:
        return [f"Ask your doctor when to restart {drug}." for drug in drugs]
    day = formats.date_format(restart, "j F")
    return [f"Restart {drug} on {day}." for drug in drugs]


def filename(kind: str, procedure: ProcedureRecord) -> str:
    return f"{kind}-{procedure.patient.mrn}-{procedure.started_at:%Y%m%d}.pdf"
