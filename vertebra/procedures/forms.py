"""Forms of consent and the procedure record: shapes only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.forms.models import fields_for_model

from vertebra.core.models import Role, User
from vertebra.procedures.models import (
    AdverseEvent,
    CementLeak,
    ConsentRisk,
    Medication,
    Modality,
    ProcedureLevel,
    ProcedureRecord,
    SedationLevel,
    VitalSigns,
)
from vertebra.procedures.record import EVENT_FIELDS as EVENT_FORM_FIELDS
from vertebra.procedures.record import LEVEL_FIELDS
from vertebra.procedures.record import MEDICATION_FIELDS as MEDICATION_FORM_FIELDS
from vertebra.procedures.record import VITALS_FIELDS as VITALS_FORM_FIELDS
from vertebra.procedures.rules.checks import LEVELS
from vertebra.procedures.rules.dose import KAP_UNITS, KAR_UNITS, TIME_UNITS
from vertebra.procedures.services import ConsentDetails, consent_explainer_roles


class ConsentForm(forms.Form):
    risks_discussed = forms.MultipleChoiceField(
        choices=ConsentRisk.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Risks discussed with the patient",
    )
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="The patient's questions, and the answers given",
    )
    typed_name = forms.CharField(
        max_length=200,
        required=False,
        label="Patient's signature: their full name, typed by the patient",
    )
    patient_confirmed = forms.BooleanField(
        required=False,
        label="The patient confirms: I have read the information, my questions were answered, "
        "and I consent to vertebroplasty.",
    )
    # What was explained (issue 14 §6); the staff page requires each.
    levels = forms.MultipleChoiceField(
        choices=[(code, code) for code in LEVELS],
        label="Level(s) to be treated",
        help_text="Hold Ctrl (⌘ on a Mac) to choose more than one.",
    )
    sedation_planned = forms.ChoiceField(
        choices=[("", "Choose"), *SedationLevel.choices], label="Anaesthesia / sedation planned"
    )
    alternatives_discussed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Alternatives discussed",
        help_text="e.g. continued analgesia and bracing, physiotherapy, kyphoplasty, surgery.",
    )
    explained_by = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Risks explained by",
        empty_label="Choose the clinician",
    )
    has_capacity = forms.TypedChoiceField(
        choices=[("", "Choose"), ("true", "Yes"), ("false", "No")],
        coerce=lambda value: value == "true",
        label="The patient has capacity to consent",
    )
    interpreter_used = forms.TypedChoiceField(
        choices=[("", "Choose"), ("false", "No"), ("true", "Yes")],
        coerce=lambda value: value == "true",
        label="Interpreter used",
    )
    interpreter_name = forms.CharField(
        max_length=200, required=False, label="Interpreter (name, language)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["explained_by"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role__in=consent_explainer_roles(), is_active=True
        ).order_by("last_name", "first_name")

    def details(self) -> ConsentDetails:
        data = self.cleaned_data
        return ConsentDetails(
            levels=tuple(data["levels"]),
            sedation_planned=data["sedation_planned"],
            alternatives_discussed=data["alternatives_discussed"],
            explained_by=data["explained_by"],
            has_capacity=data["has_capacity"],
            interpreter_used=data["interpreter_used"],
            interpreter_name=data["interpreter_name"],
        )


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=1000, label="Reason for withdrawing the consent")


# --- The procedure record: one form per section, its fields taken from the models ------------

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _form(
    name: str,
    model: type[models.Model],
    fields: tuple[str, ...],
    *,
    before: dict[str, forms.Field] | None = None,
    **extra: Any,
) -> Any:
    """A plain form with the model's own field types, choices and validators (the services
    decide; the form only parses). Date-times are entered in the clinic's time zone."""
    widgets: dict[str, Any] = {}
    for field_name in fields:
        model_field = model._meta.get_field(field_name)
        if isinstance(model_field, models.DateTimeField):
            widgets[field_name] = DATETIME
        elif isinstance(model_field, models.DateField):
            widgets[field_name] = DATE
        elif isinstance(model_field, models.TextField):
            widgets[field_name] = forms.Textarea(attrs={"rows": 2})
    attrs = dict(fields_for_model(model, fields=list(fields), widgets=widgets))
    for form_field in attrs.values():
        if isinstance(form_field, forms.NullBooleanField):
            # NullBooleanSelect maps True/False/None to its option values both ways (a plain
            # Select would not re-select a stored True); only the labels are ours.
            form_field.widget = forms.NullBooleanSelect()
            form_field.widget.choices = NOT_RECORDED_YES_NO
        elif isinstance(form_field, forms.ChoiceField):
            choices = list(form_field.widget.choices)
            if choices[:1] == [BLANK]:
                form_field.choices = [("", "Not recorded"), *choices[1:]]
    return type(name, (forms.Form,), {**(before or {}), **attrs, **extra})


NOT_RECORDED_YES_NO = [("unknown", "Not recorded"), ("true", "Yes"), ("false", "No")]
BLANK = ("", "---------")


class StartForm(forms.Form):
    operator = forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.PHYSICIAN, is_active=True).order_by(
            "last_name", "first_name"
        ),
        label="Operator (the physician who performs and signs)",
        empty_label="Choose the operator",
    )
    emergency_reason = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Emergency override: why the procedure goes ahead with the items above open",
        help_text="Only a physician; kept with what it overrode.",
    )


def _operator_field() -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.PHYSICIAN, is_active=True),
        label="Operator",
        empty_label=None,
    )


SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "team": ("Team and times", ("team", "started_at", "ended_at")),
    "preparation": (
        "1. Patient preparation",
        (
            "position",
            "time_out_done",
            "sedation_level",
            "asa_class",
            "asa_emergency",
            "monitoring",
        ),
    ),
    "observation": (
        "4. Observation after the procedure",
        (
            "observation_start",
            "observation_end",
            "neuro_check",
            "neuro_note",
            "recovery_scale",
            "recovery_score",
        ),
    ),
    "discharge": (
        "Discharge",
        (
            "discharged_at",
            "discharge_criteria_met",
            "disposition",
            "admission_reason",
            "antithrombotic_restart_on",
            "follow_up_plan",
        ),
    ),
}
SECTION_FORMS = {
    name: _form(
        f"{name.title()}Form",
        ProcedureRecord,
        fields,
        **({"operator": _operator_field()} if name == "team" else {}),  # type: ignore[arg-type]
    )
    for name, (_title, fields) in SECTIONS.items()
}
# Each section's fields, as its form has them (the team's operator included).
SECTION_FIELDS = {name: tuple(form.base_fields) for name, form in SECTION_FORMS.items()}

LevelForm = _form(
    "LevelForm",
    ProcedureLevel,
    tuple(field for field in LEVEL_FIELDS if field != "level"),
    # No level is preselected by the form: the page proposes the evaluated target level(s).
    before={
        "level": forms.ChoiceField(
            choices=[("", "Choose the level"), *[(code, code) for code in LEVELS]],
            label="Level",
        )
    },
    levels_reason=forms.CharField(
        required=False,
        max_length=1000,
        label="Reason for more than 3 levels in one session [LCD]",
        help_text="Needed from the fourth level on.",
    ),
)
LeakForm = _form(
    "LeakForm",
    CementLeak,
    ("leak_type", "location", "action_taken"),
    symptomatic=forms.TypedChoiceField(
        choices=[("", "Choose"), ("false", "No"), ("true", "Yes")],
        coerce=lambda value: value == "true",
        label="Symptomatic",
    ),
)
AdverseEventForm = _form("AdverseEventForm", AdverseEvent, EVENT_FORM_FIELDS)
MedicationForm = _form("MedicationForm", Medication, MEDICATION_FORM_FIELDS)
VitalsForm = _form("VitalsForm", VitalSigns, VITALS_FORM_FIELDS)


class ImagingForm(forms.Form):
    modality = forms.ChoiceField(
        choices=[("", "Not recorded"), *Modality.choices], required=False, label="Modality"
    )
    fluoroscopy_amount = forms.CharField(required=False, max_length=20, label="Fluoroscopy time")
    fluoroscopy_unit = forms.ChoiceField(
        choices=[(u, u) for u in TIME_UNITS], label="Fluoroscopy time unit"
    )
    kap_amount = forms.CharField(required=False, max_length=20, label="Kerma-area product (KAP)")
    kap_unit = forms.ChoiceField(choices=[(u, u) for u in KAP_UNITS], label="KAP unit")
    kar_amount = forms.CharField(required=False, max_length=20, label="Reference air kerma (Ka,r)")
    kar_unit = forms.ChoiceField(choices=[(u, u) for u in KAR_UNITS], label="Ka,r unit")


class AdverseNoneForm(forms.Form):
    no_adverse_events = forms.BooleanField(required=False, label="No adverse event occurred")


class AddendumForm(forms.Form):
    reason = forms.CharField(max_length=1000, label="Why (what is corrected or added)")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Addendum")
