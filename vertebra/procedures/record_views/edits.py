"""The record's sections and entries while in progress, signing and addenda. Each POST parses one
form, calls one service and redirects; a refusal shows the record again with the errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError, NotReady
from vertebra.core.permissions import Capability, require
from vertebra.procedures import forms, record
from vertebra.procedures.models import ProcedureLevel
from vertebra.procedures.record_views.page import (
    entry_or_404,
    post_form,
    posted_version,
    procedure_or_404,
    render_record,
)


@require(Capability.PROCEDURE_RECORD)
@require_POST
def procedure_section(request: HttpRequest, procedure_id: str, section: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    if section not in forms.SECTIONS:
        raise Http404
    fields = forms.SECTION_FIELDS[section]
    return post_form(
        request,
        procedure,
        section,
        forms.SECTION_FORMS[section](request.POST, prefix=section),
        lambda actor, data: record.procedure_update(
            actor=actor,
            procedure=procedure,
            expected_version=posted_version(request),
            data={field: data[field] for field in fields},
        ),
        f"{forms.SECTIONS[section][0]}: saved.",
        f"#{section}",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def procedure_imaging(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    return post_form(
        request,
        procedure,
        "imaging",
        forms.ImagingForm(request.POST, prefix="imaging"),
        lambda actor, data: record.procedure_set_imaging(
            actor=actor,
            procedure=procedure,
            expected_version=posted_version(request),
            modality=data["modality"],
            doses={
                name: (data[f"{name}_amount"], data[f"{name}_unit"])
                for name in ("fluoroscopy", "kap", "kar")
            },
        ),
        "Imaging guidance and dose: saved.",
        "#imaging",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def procedure_adverse_none(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    return post_form(
        request,
        procedure,
        "adverse_none",
        forms.AdverseNoneForm(request.POST, prefix="adverse"),
        lambda actor, data: record.procedure_update(
            actor=actor,
            procedure=procedure,
            expected_version=posted_version(request),
            data={"no_adverse_events": True if data["no_adverse_events"] else None},
        ),
        "Adverse events: saved.",
        "#adverse-events",
    )


def _level_data(data: dict[str, Any]) -> dict[str, Any]:
    return {field: data[field] for field in record.LEVEL_FIELDS}


@require(Capability.PROCEDURE_RECORD)
@require_POST
def level_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    return post_form(
        request,
        procedure,
        "level",
        forms.LevelForm(request.POST, prefix="level"),
        lambda actor, data: record.level_add(
            actor=actor,
            procedure=procedure,
            data=_level_data(data),
            levels_reason=data["levels_reason"],
        ),
        f"Level {request.POST.get('level-level', '')} added.",
        "#levels",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def level_edit(request: HttpRequest, level_id: str) -> HttpResponse:
    level = entry_or_404(ProcedureLevel, level_id)
    procedure = procedure_or_404(level.procedure.public_id)
    return post_form(
        request,
        procedure,
        f"level-{level.pk}",
        forms.LevelForm(request.POST, prefix=f"level-{level.public_id}"),
        lambda actor, data: record.level_update(
            actor=actor,
            level=level,
            expected_version=posted_version(request),
            data=_level_data(data),
            levels_reason=data["levels_reason"],
        ),
        f"Level {level.level}: saved.",
        f"#level-{level.public_id}",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def leak_add(request: HttpRequest, level_id: str) -> HttpResponse:
    level = entry_or_404(ProcedureLevel, level_id)
    procedure = procedure_or_404(level.procedure.public_id)
    return post_form(
        request,
        procedure,
        f"leak-{level.pk}",
        forms.LeakForm(request.POST, prefix=f"leak-{level.public_id}"),
        lambda actor, data: record.leak_add(actor=actor, level=level, data=data),
        f"Leak at {level.level} recorded.",
        f"#level-{level.public_id}",
    )


def _entry_post(
    request: HttpRequest,
    procedure_id: str,
    key: str,
    form_class: Any,
    prefix: str,
    service: Any,
    section: str,
) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    return post_form(
        request,
        procedure,
        key,
        form_class(request.POST, prefix=prefix),
        lambda actor, data: service(actor=actor, procedure=procedure, data=data),
        "Recorded.",
        f"#{key}",
        section=section,
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def adverse_event_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    return _entry_post(
        request,
        procedure_id,
        "event",
        forms.AdverseEventForm,
        "event",
        record.adverse_event_add,
        "adverse-events",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def medication_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    return _entry_post(
        request,
        procedure_id,
        "medication",
        forms.MedicationForm,
        "drug",
        record.medication_add,
        "medication",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def vitals_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    return _entry_post(
        request, procedure_id, "vitals", forms.VitalsForm, "vitals", record.vitals_add, "vitals"
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def entry_retract(request: HttpRequest, kind: str, entry_id: str) -> HttpResponse:
    model = record.ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404
    entry = entry_or_404(model, entry_id)
    procedure = record.entry_procedure(entry)
    try:
        record.entry_retract(
            actor=Actor.from_request(request), entry=entry, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Marked entered in error; it is kept with your reason.")
    return redirect("procedures:procedure", procedure.public_id)


@require(Capability.PROCEDURE_RECORD)
@require_POST
def procedure_retract(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    try:
        record.procedure_enter_in_error(
            actor=Actor.from_request(request),
            procedure=procedure,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("procedures:procedure", procedure.public_id)
    messages.success(request, "The procedure record is marked entered in error.")
    return redirect("staff:patient_chart", procedure.patient.public_id)


@require(Capability.PROCEDURE_SIGN)
@require_POST
def procedure_sign(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    try:
        record.procedure_sign(
            actor=Actor.from_request(request),
            procedure=procedure,
            expected_version=posted_version(request),
        )
    except NotReady as exc:
        return render_record(request, procedure, {"sign_blocking": exc}, status=422)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Signed. The record no longer changes; add an addendum to correct it."
        )
    return redirect(reverse("procedures:procedure", args=[procedure.public_id]) + "#sign")


@require(Capability.PROCEDURE_RECORD)
@require_POST
def addendum_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = procedure_or_404(procedure_id)
    return post_form(
        request,
        procedure,
        "addendum",
        forms.AddendumForm(request.POST, prefix="addendum"),
        lambda actor, data: record.addendum_add(
            actor=actor, procedure=procedure, reason=data["reason"], text=data["text"]
        ),
        "Addendum added.",
        "#addenda",
    )
