"""Consent forms: shapes only; the services decide."""

from __future__ import annotations

from django import forms

from vertebra.procedures.models import ConsentRisk


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


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=1000, label="Reason for withdrawing the consent")
