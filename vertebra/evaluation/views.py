"""Staff pages for candidate evaluation. Thin: permission, one service or selector, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.core.actor import Actor
from vertebra.core.errors import DomainError
from vertebra.core.pdf import pdf_response
from vertebra.core.permissions import Capability, require
from vertebra.evaluation import presentation, rules, selectors, services
from vertebra.evaluation.forms import RuleSettingsForm
from vertebra.evaluation.models import FinalChoice
from vertebra.patients.selectors import referral_get
from vertebra.patients.services import patient_read_audited


class FinalDecisionForm(forms.Form):
    choice = forms.ChoiceField(
        choices=FinalChoice.choices, widget=forms.RadioSelect, label="Final decision"
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason (required when departing from the recommendation)",
    )


@require(Capability.CLINICAL_EDIT)
@require_POST
def evaluation_create(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(public_id=referral_id)
    if referral is None:
        raise Http404
    try:
        evaluation = services.evaluation_run(actor=Actor.from_request(request), referral=referral)
    except DomainError as exc:
        messages.error(request, f"Could not evaluate: {exc.message} Nothing was saved.")
        return redirect("staff:patient_chart", patient_id=referral.patient.public_id)
    return redirect("evaluation:detail", evaluation_id=evaluation.public_id)


def _detail_context(evaluation: Any) -> dict[str, Any]:
    view = selectors.evaluation_view(evaluation)
    return {
        "evaluation": evaluation,
        "view": view,
        "page": presentation.evaluation_page(evaluation.result),
        "patient": evaluation.patient,
        "referral": evaluation.referral,
    }


@require(Capability.PATIENT_VIEW)
def evaluation_detail(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    evaluation = selectors.evaluation_get(public_id=evaluation_id)
    if evaluation is None:
        raise Http404
    patient_read_audited(
        actor=Actor.from_request(request), patient=evaluation.patient, what="Opened an evaluation"
    )
    context = _detail_context(evaluation)
    context["form"] = FinalDecisionForm()
    return render(request, "evaluation/detail.html", context)


@require(Capability.REFERRAL_DECIDE)
@require_POST
def evaluation_decide(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    evaluation = selectors.evaluation_get(public_id=evaluation_id)
    if evaluation is None:
        raise Http404
    form = FinalDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.evaluation_record_decision(
                actor=Actor.from_request(request),
                evaluation=evaluation,
                choice=form.cleaned_data["choice"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            for field, errors in exc.field_errors().items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "Final decision recorded.")
            return redirect("staff:patient_chart", patient_id=evaluation.patient.public_id)
    context = _detail_context(evaluation)
    context["form"] = form
    return render(request, "evaluation/detail.html", context, status=422)


@require(Capability.PATIENT_VIEW)
def evaluation_pdf(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    evaluation = selectors.evaluation_get(public_id=evaluation_id)
    if evaluation is None:
        raise Http404
    patient_read_audited(
        actor=Actor.from_request(request),
        patient=evaluation.patient,
        what="Printed an evaluation summary",
    )
    filename = f"evaluation-{evaluation.patient.mrn}-{evaluation.created_at:%Y%m%d-%H%M}.pdf"
    return pdf_response(
        request, "evaluation/summary_pdf.html", _detail_context(evaluation), filename
    )


@require(Capability.SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def rule_settings(request: HttpRequest) -> HttpResponse:
    current, version = services.rule_settings_current()
    form = RuleSettingsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_settings_update(
                actor=Actor.from_request(request),
                values=form.setting_values(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            for field, errors in exc.field_errors().items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "Rule settings saved. New evaluations use them.")
            return redirect("evaluation:settings")
    return render(
        request,
        "evaluation/settings.html",
        {
            "form": form,
            "rows": form.rows(),
            "version": version,
            "sources": rules.SOURCES,
            "history": selectors.rule_settings_history(),
            "nav": "settings",
        },
        status=422 if form.is_bound and form.errors else 200,
    )
