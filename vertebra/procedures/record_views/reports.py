"""The report (HTML and PDF) and the patient's discharge instructions (PDF), each read audited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vertebra.core.actor import Actor
from vertebra.core.pdf import pdf_response
from vertebra.core.permissions import Capability, require
from vertebra.patients.services import patient_read_audited
from vertebra.procedures import documents
from vertebra.procedures.models import ProcedureRecord
from vertebra.procedures.record_views.page import (
    procedure_or_404,
)


def _pdf(
    request: HttpRequest, template: str, procedure: ProcedureRecord, kind: str
) -> HttpResponse:
    context = documents.document_context(procedure)
    return pdf_response(request, template, context, documents.filename(kind, procedure))


@require(Capability.PROCEDURE_VIEW)
def procedure_report(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request), patient=procedure.patient, what="Read a procedure report"
    )
    return render(request, "procedures/report.html", documents.document_context(procedure))


@require(Capability.PROCEDURE_VIEW)
def procedure_report_pdf(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=procedure.patient,
        what="Printed a procedure report",
    )
    return _pdf(request, "procedures/report_pdf.html", procedure, "procedure")


@require(Capability.PROCEDURE_VIEW)
def discharge_pdf(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=procedure.patient,
        what="Printed the discharge instructions",
    )
    return _pdf(request, "procedures/discharge_pdf.html", procedure, "discharge")
