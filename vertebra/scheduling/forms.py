"""Booking forms: they parse shapes; the services decide and write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from vertebra.patients.models import Referral
from vertebra.scheduling import selectors
from vertebra.scheduling.models import AppointmentStatus, AppointmentType, Resource, ResourceKind


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FindForm(forms.Form):
    """What to look for: a type, optionally one clinician, from a date on."""

    type = forms.ModelChoiceField(
        AppointmentType.objects.filter(active=True),
        to_field_name="code",
        label="Appointment type",
        empty_label=None,
    )
    clinician = forms.ModelChoiceField(
        Resource.objects.filter(kind__in=("physician", "nurse"), active=True),
        to_field_name="public_id",
        required=False,
        empty_label="Any clinician",
    )
    start = forms.DateField(label="From", required=False, widget=_date_input())

    def clean_start(self) -> dt.date | None:
        return _within_reach(self.cleaned_data["start"])


def _within_reach(day: dt.date | None) -> dt.date | None:
    if day is not None and (far := selectors.day_out_of_reach(day)):
        raise forms.ValidationError(far)
    return day


def _instant_within_reach(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None:
        _within_reach(value.date())
    return value


class BookForm(forms.Form):
    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    clinician = forms.ModelChoiceField(
        Resource.objects.filter(active=True),
        to_field_name="public_id",
        required=False,
        widget=forms.HiddenInput,
    )
    referral = forms.ModelChoiceField(
        Referral.objects.none(), to_field_name="public_id", required=False
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    decision_override_reason = forms.CharField(
        required=False,
        label="Book without a recorded decision to treat, because…",
        help_text="Only for a procedure when no decision is recorded; audited.",
    )
    overbook_reason = forms.CharField(
        required=False,
        label="Overbook on purpose, because…",
        help_text="Only when the time is taken and it must still be booked; audited and shown "
        "on the calendar.",
    )
    hold_override_reason = forms.CharField(
        required=False,
        label="Book before the antithrombotic hold ends (physician), because…",
        help_text="Only a physician; audited and shown on the appointment, the checklist and "
        "the procedure report.",
    )

    def __init__(self, *args: Any, patient: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if patient is not None:
            field: Any = self.fields["referral"]
            field.queryset = Referral.objects.filter(
                patient=patient, record_status="active"
            ).order_by("-referral_date")
            field.label_from_instance = (
                lambda r: (  # type: ignore[method-assign]
                    f"{r.referral_date:%Y-%m-%d} · {r.get_status_display()} · {r.reason[:40]}"
                )
            )

    def clean_starts_at(self) -> dt.datetime | None:
        return _instant_within_reach(self.cleaned_data["starts_at"])


class RescheduleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    overbook_reason = forms.CharField(required=False, label="Overbook on purpose, because…")
    hold_override_reason = forms.CharField(
        required=False, label="Move before the antithrombotic hold ends (physician), because…"
    )

    def clean_starts_at(self) -> dt.datetime | None:
        return _instant_within_reach(self.cleaned_data["starts_at"])


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason for cancelling", max_length=500)


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AppointmentStatus.choices)


class TemplateForm(forms.Form):
    resource = forms.ModelChoiceField(Resource.objects.all(), to_field_name="public_id")
    weekday = forms.TypedChoiceField(
        coerce=int,
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
                 (4, "Friday"), (5, "Saturday"), (6, "Sunday")],
    )  # fmt: skip
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    valid_from = forms.DateField(required=False, widget=_date_input())
    valid_until = forms.DateField(required=False, widget=_date_input(), label="Valid until")


class ExceptionForm(forms.Form):
    resource = forms.ModelChoiceField(Resource.objects.all(), to_field_name="public_id")
    starts_at = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(max_length=200, help_text="Leave, holiday, maintenance…")


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(choices=ResourceKind.choices)
    name = forms.CharField(max_length=120)


class TypeForm(forms.Form):
    appointment_type = forms.ModelChoiceField(
        AppointmentType.objects.all(), to_field_name="code", label="Type", empty_label=None
    )
    duration_minutes = forms.IntegerField(min_value=5, max_value=480, label="Minutes")
    buffer_minutes = forms.IntegerField(min_value=0, max_value=240, label="Buffer (minutes)")
    required_kinds = forms.MultipleChoiceField(
        choices=ResourceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Needs one of each",
    )
    patient_bookable = forms.BooleanField(required=False, label="Patients may book it online")
    active = forms.BooleanField(required=False, label="Offered (untick to retire the type)")


class PolicyForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Patients may book from home")
    max_days_ahead = forms.IntegerField(min_value=1, max_value=365, label="How far ahead (days)")
    min_notice_hours = forms.IntegerField(
        min_value=0, max_value=24 * 14, label="Minimum notice (hours)"
    )
    requires_approval = forms.BooleanField(
        required=False, label="Staff approve each booking (pending until then)"
    )


def day_asked(value: str | None, today: dt.date) -> tuple[dt.date, str | None]:
    """The day a calendar page was asked for (today when none), and the message to show when
    the day asked for cannot be shown (then today is shown instead)."""
    if not value:
        return today, None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return today, f"{value!r} is not a date (YYYY-MM-DD): showing today."
    if far := selectors.day_out_of_reach(day):
        return today, f"{far} Showing today."
    return day, None
