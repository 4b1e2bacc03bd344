"""The procedure record's documents: the report and the patient's discharge instructions.
One context and one file name for the staff pages and the patient portal."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from vertebra.procedures import selectors
from vertebra.procedures.models import ProcedureRecord


def document_context(procedure: ProcedureRecord) -> dict[str, Any]:
    view = selectors.procedure_view(procedure)
    evaluation = procedure.referral.evaluations.order_by("-created_at", "-pk").first()
    return {
        "procedure": procedure,
        "patient": procedure.patient,
        "referral": procedure.referral,
        "view": view,
        "evaluation": evaluation,
        # A reverse one-to-one that does not exist raises an AttributeError subclass.
        "final_decision": getattr(evaluation, "final_decision", None),
        "clinic_name": settings.VERTEBRA_CLINIC_NAME,
        "clinic_phone": settings.VERTEBRA_CLINIC_PHONE,
    }


def filename(kind: str, procedure: ProcedureRecord) -> str:
    return f"{kind}-{procedure.patient.mrn}-{procedure.started_at:%Y%m%d}.pdf"
