"""Staff forms. They parse and check shapes; the services decide and write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db import models

from vertebra.core import timeutil
from vertebra.patients.models import (
    Anticoagulant,
    ClinicalAssessment,
    Etiology,
    Fracture,
    Patient,
    Referral,
    ReferralStatus,
    Sex,
)
from vertebra.patients.services import (
    ANTICOAGULANT_FIELDS,
    ASSESSMENT_FIELDS,
    FRACTURE_FIELDS,
    PATIENT_FIELDS,
    REFERRAL_FIELDS,
)


class NotAssessedSelect(forms.NullBooleanSelect):
    """Yes / No / Not assessed: 'not assessed' is never the same as 'no'."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "Not assessed"), ("true", "Yes"), ("false", "No")]


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.BooleanField) and field.null:
        kwargs["widget"] = NotAssessedSelect
    if isinstance(field, models.DateField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(field, models.TimeField):
        kwargs["widget"] = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    formfield = field.formfield(**kwargs)
    if formfield is not None and isinstance(formfield, forms.TypedChoiceField) and field.blank:
        formfield.choices = [("", "Not assessed"), *list(field.choices or [])]  # type: ignore[misc]
    return formfield


# Pregnancy is asked of a woman (or a patient whose sex is not recorded) under this age, as
# clinical-reference §2.5 PRE-PREGNANCY-TEST asks for a test ("sex female or unknown, age < 55
# or unknown"). The reference cites no source for 55: a clinic setting, overridden by
# VERTEBRA_PREGNANCY_ASKED_UNDER_AGE.
PREGNANCY_ASKED_UNDER_AGE = 55


def pain_weeks_since(onset: dt.date) -> Decimal:
    """Whole days since the onset as weeks, one decimal (the field's precision is two)."""
    days = max((timeutil.clinic_today() - onset).days, 0)
    return (Decimal(days) / 7).quantize(Decimal("0.1"))


def pregnancy_applies(patient: Patient) -> bool:
    limit = getattr(settings, "VERTEBRA_PREGNANCY_ASKED_UNDER_AGE", PREGNANCY_ASKED_UNDER_AGE)
    if patient.sex not in ("", Sex.FEMALE):
        return False
    today = timeutil.clinic_today()
    born = patient.birth_date
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age < limit


class VersionedForm(forms.ModelForm):  # type: ignore[type-arg]
    """Carries the version the user loaded, so a concurrent save is detected, not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        for name, field in self.fields.items():
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
            # A help text is linked by Django itself: aria-describedby="<id>_helptext", the id
            # includes/field.html gives it.

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}

    def _post_clean(self) -> None:
        # Model validation is the service's job (it runs full_clean inside its transaction).
        pass


class PatientForm(VersionedForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A demographic is recorded or not; "not assessed" is for clinical findings.
        sex = cast(forms.ChoiceField, self.fields["sex"])
        sex.choices = [("", "Not recorded"), *Sex.choices]

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        formfield_callback = _formfield
        labels = {"mrn": "MRN", "birth_date": "Date of birth"}


class ReferralForm(VersionedForm):
    class Meta:
        model = Referral
        fields = REFERRAL_FIELDS
        formfield_callback = _formfield


class AssessmentForm(VersionedForm):
    """The assessment in clinical order. Pregnancy is asked only where it can apply
    (`pregnancy_applies`); elsewhere the field is left out, so a posted value is ignored."""

    def __init__(
        self,
        *args: Any,
        patient: Patient | None = None,
        onset: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if patient is not None and not pregnancy_applies(patient):
            del self.fields["pregnant"]
        if onset is not None:
            weeks = pain_weeks_since(onset)
            self.fields["pain_duration_weeks"].help_text = (
                f"From the onset date {onset:%Y-%m-%d} recorded for the fracture: {weeks} weeks"
                " (filled in when not recorded; correct it if the pain began later)."
            )
            if self.instance.pain_duration_weeks is None:
                self.initial["pain_duration_weeks"] = weeks

    def sections(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple(
            (title, tuple(name for name in names if name in self.fields))
            for title, names in ASSESSMENT_SECTIONS
        )

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}

    class Meta:
        model = ClinicalAssessment
        fields = ASSESSMENT_FIELDS
        formfield_callback = _formfield


# Etiologies whose levels have a lesion type and a SINS (clinical-reference §2.1 "neoplastic
# only", §3.2); the rules read them only there.
NEOPLASTIC_ETIOLOGIES = frozenset({Etiology.METASTASIS, Etiology.MYELOMA})
NEOPLASTIC_FIELDS = (
    "lesion",
    "sins_pain",
    "sins_alignment",
    "sins_collapse",
    "sins_posterolateral",
)


class FractureForm(VersionedForm):
    """Lesion type and SINS are asked at neoplastic levels only: the page shows them when the
    etiology is metastasis or myeloma, and a value sent for another level is ignored (saved as
    not assessed). Epidural extension stays at every level: RC-EPIDURAL reads it at every
    level, so hiding it would leave a missing finding nobody could answer."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("etiology") not in NEOPLASTIC_ETIOLOGIES:
            for name in NEOPLASTIC_FIELDS:
                cleaned[name] = ""
        return cleaned

    @property
    def neoplastic(self) -> bool:
        return self["etiology"].value() in NEOPLASTIC_ETIOLOGIES

    class Meta:
        model = Fracture
        fields = FRACTURE_FIELDS
        formfield_callback = _formfield


class AnticoagulantForm(VersionedForm):
    class Meta:
        model = Anticoagulant
        fields = ANTICOAGULANT_FIELDS
        formfield_callback = _formfield
        help_texts = {"drug": "Generic or brand name, e.g. apixaban, clopidogrel, enoxaparin."}


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(choices=ReferralStatus.choices, label="Move to")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class RetractForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why was this entered in error?"
    )


# Sections of the assessment form, in the order of clinical-reference §2.1.
ASSESSMENT_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Patient",
        (
            "weight_kg",
            "height_cm",
            "pregnant",
            "hospitalized",
            "asa_class",
            "can_lie_prone",
            "planned_procedure_date",
            "surgical_backup_available",
        ),
    ),
    ("Pain", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("pain_"))),
    ("Conservative care", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("conservative_"))),
    ("Function", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("function_"))),
    ("Neurology", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("neuro_"))),
    ("Infection", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("infection_"))),
    ("Coagulation", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("coagulation_"))),
    ("Allergies", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("allergies_"))),
    ("Bone health", tuple(f for f in ASSESSMENT_FIELDS if f.startswith("bone_health_"))),
)

FRACTURE_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Level and cause", ("level", "etiology", "high_energy_trauma", "onset_date")),
    ("Imaging", ("imaging_date", "imaging_report", "mri_oedema", "bone_scan_uptake")),
    (
        "Heights (mm)",
        ("height_anterior_mm", "height_middle_mm", "height_posterior_mm", "height_reference_mm"),
    ),
    (
        "Morphology",
        (
            "kyphotic_deformity",
            "height_loss_progression",
            "posterior_wall",
            "retropulsion",
            "canal_compromise_percent",
            "epidural_extension",
            "intravertebral_cleft",
            "cortical_disruption",
            "both_endplates",
            "tension_band_failure",
        ),
    ),
    # Last, and shown only at neoplastic levels (FractureForm).
    ("Neoplastic level (metastasis, myeloma): lesion and SINS components", NEOPLASTIC_FIELDS),
)
