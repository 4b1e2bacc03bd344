"""The administrator's audit page: filter by patient, user and date; export CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_standalone
from vertebra.clinic.audit_report.selectors import (
    AuditFilter,
    audit_csv_rows,
    audit_event_list,
)
from vertebra.core.actor import Actor
from vertebra.core.permissions import Capability, require


class AuditFilterForm(forms.Form):
    patient = forms.CharField(required=False, label="Patient (MRN or name)")
    user = forms.CharField(required=False, label="Username")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            patient_query=data["patient"],
            username=data["user"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_safe(value: str) -> str:
    """Stop spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@require(Capability.AUDIT_VIEW)
def audit_events(request: HttpRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET or None)
    filters = form.to_filter() if form.is_valid() else AuditFilter()
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "clinic/audit_events.html",
            {"form": form, "page": None, "nav": "audit"},
            status=422,
        )
    events = audit_event_list(filters)
    if request.GET.get("format") == "csv":
        audit_standalone(
            actor=Actor.from_request(request),
            action=AuditAction.EXPORT,
            object_type="AuditEvent",
            object_id="csv",
            summary="Exported the audit trail as CSV",
            changes={"filters": request.GET.dict()},
        )
        writer = csv.writer(_Echo())

        def rows() -> Iterator[str]:
            for row in audit_csv_rows(events):
                yield writer.writerow([_csv_safe(cell) for cell in row])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="vertebra-audit.csv"'
        return response
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clinic/audit_events.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "nav": "audit",
        },
    )
