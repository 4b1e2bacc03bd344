"""The procedure record page, with one form per section, and what its POST handlers share:
looking up the record, binding a form, showing a refusal beside the form's fields (422)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError, EditConflict, RecordSigned
from vertebra.core.permissions import Capability, has_capability, require
from vertebra.patients.services import patient_read_audited
from vertebra.procedures import forms, record, selectors
from vertebra.procedures.models import ProcedureRecord
from vertebra.procedures.templatetags.procedure_format import plain

Forms = dict[str, Any]


def procedure_or_404(procedure_id: str) -> ProcedureRecord:
    found = selectors.procedure_get(procedure_id)
    if found is None:
        raise Http404
    return found


def entry_or_404(model: type[Any], entry_id: str) -> Any:
    try:
        return model.objects.get(public_id=entry_id)
    except (model.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc


def posted_version(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else -1


def show_errors(form: Any, exc: DomainError) -> None:
    for field, errors in exc.field_errors().items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def initial_values(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields if field != "operator"} | (
        {"operator": instance.operator_id} if "operator" in fields else {}
    )


# Every hidden version field of the record's sections: refreshed out of band after a section is
# saved in place, so the next section saved does not meet a stale version (htmx).
VERSION_IDS = ("imaging", "adverse", "sign", *forms.SECTIONS)


def out_of_band_ids() -> dict[str, str]:
    """What each section's in-place save refreshes out of band: the warnings, the sign section
    and every other section's version field. htmx moves an out-of-band element out of the answer
    before it swaps the section, so a section must not name its own parts (it would lose its
    version field, and the next save would find no target). Keyed by the version id; "" for a
    section with no version field of its own."""
    every = ["#record-warnings", "#sign", *(f"#version-{name}" for name in VERSION_IDS)]
    own = {name: {f"#version-{name}"} for name in VERSION_IDS}
    own["sign"].add("#sign")
    return {
        name: ",".join(part for part in every if part not in mine)
        for name, mine in {"": set(), **own}.items()
    }


def render_record(
    request: HttpRequest,
    procedure: ProcedureRecord,
    bound: Forms | None = None,
    status: int = 200,
    saved: tuple[str, str] | None = None,
) -> HttpResponse:
    bound = bound or {}
    view = selectors.procedure_view(procedure)
    targets = selectors.target_levels(procedure.referral)
    recorded = {level_view.level.level for level_view in view.levels}
    to_add = [level for level in targets if level not in recorded]
    sections = [
        (
            name,
            title,
            bound.get(name)
            or forms.SECTION_FORMS[name](
                initial=initial_values(procedure, forms.SECTION_FIELDS[name]), prefix=name
            ),
        )
        for name, (title, _fields) in forms.SECTIONS.items()
    ]
    levels = [
        {
            "view": level_view,
            "form": bound.get(f"level-{level_view.level.pk}")
            or forms.LevelForm(
                initial=initial_values(level_view.level, record.LEVEL_FIELDS)
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
            or forms.LevelForm(
                prefix="level",
                initial={"levels_reason": procedure.levels_reason}
                | ({"level": to_add[0]} if to_add else {}),
            ),
            "levels_to_add": to_add,
            "target_levels": targets,
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
            "saved": saved,
            "oob_ids": out_of_band_ids(),
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
    procedure = procedure_or_404(procedure_id)
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=procedure.patient,
        what="Opened a procedure record",
    )
    return render_record(request, procedure)


def post_form(
    request: HttpRequest,
    procedure: ProcedureRecord,
    key: str,
    form: Any,
    action: Any,
    done: str,
    anchor: str,
    section: str = "",
) -> HttpResponse:
    """Validate `form`, run `action(actor, cleaned_data)`; on success redirect to the record's
    `anchor` with `done`, otherwise show the record again with the form's errors.

    From htmx (the section saved in place) the record page comes back directly, 200 either way
    (htmx swaps only 2xx answers), with `done` inside the section; the page keeps only that
    section and the out-of-band parts (render_record's `oob_ids`)."""
    bound: Forms = {key: form}
    in_place = bool(getattr(request, "htmx", False))
    if form.is_valid():
        try:
            action(Actor.from_request(request), form.cleaned_data)
        except EditConflict as exc:
            show_errors(form, exc)
            bound["conflict"] = exc
        except RecordSigned as exc:
            # The record's forms are gone once it is signed: say so above the signed record.
            messages.error(request, exc.message)
            if in_place:
                return HttpResponse(status=200, headers={"HX-Refresh": "true"})
            return render_record(request, procedure_or_404(str(procedure.public_id)), status=409)
        except DomainError as exc:
            show_errors(form, exc)
        else:
            if in_place:
                section = section or (
                    "levels" if anchor.startswith("#level-") else anchor.lstrip("#")
                )
                return render_record(
                    request, procedure_or_404(str(procedure.public_id)), saved=(section, done)
                )
            messages.success(request, done)
            return redirect(reverse("procedures:procedure", args=[procedure.public_id]) + anchor)
    fresh = selectors.procedure_get(procedure.public_id) or procedure
    return render_record(request, fresh, bound, status=200 if in_place else 422)
