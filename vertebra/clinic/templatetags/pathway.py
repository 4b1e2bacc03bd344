"""Next-step lines and role queues on the chart and the worklist. An action is linked only for
a role that may take it; for others the step is shown as plain text (what the referral waits
for), never as a link that would end on "Not allowed"."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from vertebra.clinic.chart import steps as step_reads
from vertebra.core.permissions import Capability, has_capability

register = template.Library()


def step_url(step: step_reads.ReferralStep, referral_id: Any, patient_id: Any) -> str:
    key = step.step.key
    if key == "evaluate":
        return reverse("staff:patient_chart", args=[patient_id]) + f"#ref-{referral_id}"
    if key == "decide" and step.evaluation_public_id is not None:
        return reverse("evaluation:detail", args=[step.evaluation_public_id])
    if key in ("book", "follow_up"):
        return reverse("scheduling:find") + f"?patient={patient_id}"
    if key == "consent":
        return reverse("procedures:consent_new", args=[referral_id])
    if key == "checklist":
        return reverse("procedures:checklist", args=[referral_id])
    return reverse("procedures:procedure_start", args=[referral_id])


def step_html(user: Any, step: step_reads.ReferralStep, referral_id: Any, patient_id: Any) -> str:
    text = escape(step.step.text)
    if has_capability(user, Capability(step.step.capability)):
        url = escape(step_url(step, referral_id, patient_id))
        return f'<a class="next-step" href="{url}">{text}</a>'
    return f'<span class="next-step">{text}</span>'


@register.simple_tag(takes_context=True)
def chart_steps(context: Any, chart: Any) -> dict[int, SafeString]:
    """Each open referral of the chart's next step as markup, by referral pk."""
    referrals = [entry.referral for entry in chart.referrals]
    found = step_reads.referral_steps((r.pk, r.status) for r in referrals)
    user = context["user"]
    return {
        r.pk: SafeString(step_html(user, found[r.pk], r.public_id, chart.patient.public_id))
        for r in referrals
        if r.pk in found
    }


@register.filter
def step_of(steps: dict[int, Any], pk: int) -> Any:
    return steps.get(pk, "")


@register.simple_tag(takes_context=True)
def worklist_steps(context: Any, rows: Any) -> dict[str, Any]:
    """The worklist page's next steps (by referral pk, as markup) and the user's role queue,
    read together: one query for the queue's candidates and one set of step reads."""
    user = context["user"]
    candidates = step_reads.role_queue_candidates(role=user.role)
    found = step_reads.referral_steps(
        [(r.pk, r.status) for r in rows] + [(c[0], c[3]) for c in candidates]
    )
    queue = step_reads.role_queue(role=user.role, candidates=candidates, steps=found)
    return {
        "steps": {
            r.pk: step_html(user, found[r.pk], r.referral_public_id, r.patient_public_id)
            for r in rows
            if r.pk in found
        },
        "queue": queue,
        "queue_steps": {
            q.pk: SafeString(step_html(user, q.step, q.referral_public_id, q.patient_public_id))
            for q in (queue.rows if queue else ())
        },
    }


@register.simple_tag
def chart_grades(chart: Any) -> dict[int, dict[str, Any]]:
    """{referral pk: {level: Genant grade of the latest evaluation}} for the chart."""
    return step_reads.latest_genant([entry.referral.pk for entry in chart.referrals])


@register.filter
def genant_text(genant: Any) -> str:
    """ "grade 2 (moderate), height loss 32.1 %", prefixed "at least" for a lower bound."""
    text = f"grade {genant['grade']}"
    if genant.get("label"):
        text += f" ({genant['label']})"
    if genant.get("height_loss_percent") is not None:
        text += f", height loss {genant['height_loss_percent']} %"
    return f"at least {text}" if genant.get("at_least") else text
