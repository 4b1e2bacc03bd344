"""Procedure record pages: the gate ("start procedure"), the record with one form per section,
signing, addenda, the report (HTML and PDF) and the discharge instructions (PDF).

Thin: each POST parses one form, calls one service and redirects; a refusal re-renders the
record with the form's errors beside its fields (status 422) and nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError, EditConflict, NotReady, RecordSigned
from vertebra.core.pdf import pdf_response
from vertebra.core.permissions import Capability, has_capability, require
from vertebra.patients.selectors import referral_get
from vertebra.patients.services import patient_read_audited
from vertebra.procedures import documents, forms, record, selectors
from vertebra.procedures.checklist import procedure_gate
from vertebra.procedures.models import ProcedureLevel, ProcedureRecord
from vertebra.procedures.templatetags.procedure_format import plain

Forms = dict[str, Any]


def _procedure(procedure_id: str) -> ProcedureRecord:
    found = selectors.procedure_get(procedure_id)
    if found is None:
        raise Http404
    return found


def _entry(model: type[Any], entry_id: str) -> Any:
    try:
        return model.objects.get(public_id=entry_id)
    except (model.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc


def _version(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else -1


def _show_errors(form: Any, exc: DomainError) -> None:
    for field, errors in exc.field_errors().items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


# --- Start -----------------------------------------------------------------------------


@require(Capability.PROCEDURE_VIEW)
@require_http_methods(["GET", "POST"])
def procedure_start(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(public_id=referral_id)
    if referral is None:
        raise Http404
    actor = Actor.from_request(request)
    form = forms.StartForm(
        request.POST if request.method == "POST" else None,
        initial={"operator": request.user.pk} if request.user.role == "physician" else None,  # type: ignore[union-attr]
    )
    if request.method == "POST":
        if not has_capability(request.user, Capability.PROCEDURE_RECORD):
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                started = record.procedure_start(
                    actor=actor,
                    referral=referral,
                    operator=form.cleaned_data["operator"],
                    emergency_reason=form.cleaned_data["emergency_reason"],
                )
            except DomainError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, "Procedure started.")
                return redirect("procedures:procedure", started.public_id)
    else:
        patient_read_audited(
            actor=actor, patient=referral.patient, what="Opened the start of a procedure"
        )
    return render(
        request,
        "procedures/start.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "form": form,
            "gate": procedure_gate(referral),
            "consent": selectors.valid_consent(referral),
            "procedures": selectors.referral_procedures(referral),
        },
        status=422 if form.errors else 200,
    )


# --- The record page -------------------------------------------------------------------


def _initial(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields if field != "operator"} | (
        {"operator": instance.operator_id} if "operator" in fields else {}
    )


def _render(
    request: HttpRequest, procedure: ProcedureRecord, bound: Forms | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    view = selectors.procedure_view(procedure)
    sections = [
        (
            name,
            title,
            bound.get(name)
            or forms.SECTION_FORMS[name](
                initial=_initial(procedure, forms.SECTION_FIELDS[name]), prefix=name
            ),
        )
        for name, (title, _fields) in forms.SECTIONS.items()
    ]
    levels = [
        {
            "view": level_view,
            "form": bound.get(f"level-{level_view.level.pk}")
            or forms.LevelForm(
                initial=_initial(level_view.level, record.LEVEL_FIELDS)
                | {"levels_reason": procedure.levels_reason},
                prefix=f"level-{level_view.level.public_id}",
            ),
            "leak_form": bound.get(f"leak-{level_view.level.pk}")
            or forms.LeakForm(prefix=f"leak-{level_view.level.public_id}"),
        }
        for level_view in view.levels
    ]
    imaging = bound.get("imaging") or forms.ImagingForm(
        prefix="imaging",
        initial={
            "modality": procedure.modality,
            "fluoroscopy_amount": plain(procedure.fluoroscopy_time_s),
            "kap_amount": plain(procedure.kap_gy_cm2),
            "kar_amount": plain(procedure.kar_mgy),
            "kap_unit": "Gy·cm²",
            "kar_unit": "mGy",
            "fluoroscopy_unit": "s",
        },
    )
    return render(
        request,
        "procedures/record.html",
        {
            "procedure": procedure,
            "patient": procedure.patient,
            "view": view,
            "sections": sections,
            "levels": levels,
            "level_form": bound.get("level")
            or forms.LevelForm(prefix="level", initial={"levels_reason": procedure.levels_reason}),
            "imaging_form": imaging,
            "imaging_pairs": [
                (imaging[f"{name}_amount"], imaging[f"{name}_unit"])
                for name in ("fluoroscopy", "kap", "kar")
            ],
            "dose_entered": procedure.dose_as_entered,
            "adverse_none_form": bound.get("adverse_none")
            or forms.AdverseNoneForm(
                prefix="adverse", initial={"no_adverse_events": procedure.no_adverse_events}
            ),
            "event_form": bound.get("event") or forms.AdverseEventForm(prefix="event"),
            "medication_form": bound.get("medication") or forms.MedicationForm(prefix="drug"),
            "vitals_form": bound.get("vitals") or forms.VitalsForm(prefix="vitals"),
            "addendum_form": bound.get("addendum") or forms.AddendumForm(prefix="addendum"),
            "record_conflict": bound.get("conflict"),
            "sign_blocking": bound.get("sign_blocking"),
            "can_sign": has_capability(request.user, Capability.PROCEDURE_SIGN)
            and request.user.pk == procedure.operator_id,
            "editable": not procedure.is_signed
            and procedure.is_active
            and has_capability(request.user, Capability.PROCEDURE_RECORD),
        },
        status=status,
    )


@require(Capability.PROCEDURE_VIEW)
def procedure_detail(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = _procedure(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=procedure.patient,
        what="Opened a procedure record",
    )
    return _render(request, procedure)


def _post(
    request: HttpRequest,
    procedure: ProcedureRecord,
    key: str,
    form: Any,
    action: Any,
    done: str,
    anchor: str,
) -> HttpResponse:
    """Validate `form`, run `action(actor, cleaned_data)`; on success redirect to the record's
    `anchor` with `done`, otherwise show the record again with the form's errors."""
    bound: Forms = {key: form}
    if form.is_valid():
        try:
            action(Actor.from_request(request), form.cleaned_data)
        except EditConflict as exc:
            _show_errors(form, exc)
            bound["conflict"] = exc
        except RecordSigned as exc:
            # The record's forms are gone once it is signed: say so above the signed record.
            messages.error(request, exc.message)
            return _render(request, _procedure(str(procedure.public_id)), status=409)
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("procedures:procedure", args=[procedure.public_id]) + anchor)
    fresh = selectors.procedure_get(procedure.public_id) or procedure
    return _render(request, fresh, bound, status=422)


@require(Capability.PROCEDURE_RECORD)
@require_POST
def procedure_section(request: HttpRequest, procedure_id: str, section: str) -> HttpResponse:
    procedure = _procedure(procedure_id)
    if section not in forms.SECTIONS:
        raise Http404
    fields = forms.SECTION_FIELDS[section]
    return _post(
        request,
        procedure,
        section,
        forms.SECTION_FORMS[section](request.POST, prefix=section),
        lambda actor, data: record.procedure_update(
            actor=actor,
            procedure=procedure,
            expected_version=_version(request),
            data={field: data[field] for field in fields},
        ),
        f"{forms.SECTIONS[section][0]}: saved.",
        f"#{section}",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def procedure_imaging(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = _procedure(procedure_id)
    return _post(
        request,
        procedure,
        "imaging",
        forms.ImagingForm(request.POST, prefix="imaging"),
        lambda actor, data: record.procedure_set_imaging(
            actor=actor,
            procedure=procedure,
            expected_version=_version(request),
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
    procedure = _procedure(procedure_id)
    return _post(
        request,
        procedure,
        "adverse_none",
        forms.AdverseNoneForm(request.POST, prefix="adverse"),
        lambda actor, data: record.procedure_update(
            actor=actor,
            procedure=procedure,
            expected_version=_version(request),
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
    procedure = _procedure(procedure_id)
    return _post(
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
    level = _entry(ProcedureLevel, level_id)
    procedure = _procedure(level.procedure.public_id)
    return _post(
        request,
        procedure,
        f"level-{level.pk}",
        forms.LevelForm(request.POST, prefix=f"level-{level.public_id}"),
        lambda actor, data: record.level_update(
            actor=actor,
            level=level,
            expected_version=_version(request),
            data=_level_data(data),
            levels_reason=data["levels_reason"],
        ),
        f"Level {level.level}: saved.",
        f"#level-{level.public_id}",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def leak_add(request: HttpRequest, level_id: str) -> HttpResponse:
    level = _entry(ProcedureLevel, level_id)
    procedure = _procedure(level.procedure.public_id)
    return _post(
        request,
        procedure,
        f"leak-{level.pk}",
        forms.LeakForm(request.POST, prefix=f"leak-{level.public_id}"),
        lambda actor, data: record.leak_add(actor=actor, level=level, data=data),
        f"Leak at {level.level} recorded.",
        f"#level-{level.public_id}",
    )


def _entry_post(
    request: HttpRequest, procedure_id: str, key: str, form_class: Any, prefix: str, service: Any
) -> HttpResponse:
    procedure = _procedure(procedure_id)
    return _post(
        request,
        procedure,
        key,
        form_class(request.POST, prefix=prefix),
        lambda actor, data: service(actor=actor, procedure=procedure, data=data),
        "Recorded.",
        f"#{key}",
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def adverse_event_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    return _entry_post(
        request, procedure_id, "event", forms.AdverseEventForm, "event", record.adverse_event_add
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def medication_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    return _entry_post(
        request, procedure_id, "medication", forms.MedicationForm, "drug", record.medication_add
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def vitals_add(request: HttpRequest, procedure_id: str) -> HttpResponse:
    return _entry_post(
        request, procedure_id, "vitals", forms.VitalsForm, "vitals", record.vitals_add
    )


@require(Capability.PROCEDURE_RECORD)
@require_POST
def entry_retract(request: HttpRequest, kind: str, entry_id: str) -> HttpResponse:
    model = record.ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404
    entry = _entry(model, entry_id)
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
    procedure = _procedure(procedure_id)
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
    procedure = _procedure(procedure_id)
    try:
        record.procedure_sign(
            actor=Actor.from_request(request),
            procedure=procedure,
            expected_version=_version(request),
        )
    except NotReady as exc:
        return _render(request, procedure, {"sign_blocking": exc}, status=422)
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
    procedure = _procedure(procedure_id)
    return _post(
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


# --- Documents -------------------------------------------------------------------------


def _pdf(
    request: HttpRequest, template: str, procedure: ProcedureRecord, kind: str
) -> HttpResponse:
    context = documents.document_context(procedure)
    return pdf_response(request, template, context, documents.filename(kind, procedure))


@require(Capability.PROCEDURE_VIEW)
def procedure_report(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = _procedure(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request), patient=procedure.patient, what="Read a procedure report"
    )
    return render(request, "procedures/report.html", documents.document_context(procedure))


@require(Capability.PROCEDURE_VIEW)
def procedure_report_pdf(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = _procedure(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=procedure.patient,
        what="Printed a procedure report",
    )
    return _pdf(request, "procedures/report_pdf.html", procedure, "procedure")


@require(Capability.PROCEDURE_VIEW)
def discharge_pdf(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = _procedure(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=procedure.patient,
        what="Printed the discharge instructions",
    )
    return _pdf(request, "procedures/discharge_pdf.html", procedure, "discharge")
