"""The chart's audited read: opening a chart is recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.clinic.chart.selectors import PatientChart, patient_chart
from vertebra.core.actor import Actor
from vertebra.core.errors import NotFound
from vertebra.core.permissions import Capability, ensure


def patient_chart_open(*, actor: Actor, patient_public_id: Any) -> PatientChart:
    """Load a patient's chart and record that this person opened it, in one transaction."""
    ensure(actor, Capability.PATIENT_VIEW)
    with transaction.atomic():
        chart = patient_chart(patient_public_id=patient_public_id)
        if chart is None:
            raise NotFound("No such patient.")
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="Patient",
            object_id=chart.patient.public_id,
            patient=chart.patient,
            summary="Opened chart",
        )
    return chart
