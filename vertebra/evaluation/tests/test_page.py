"""The evaluation page read in two seconds (issue 14 §3): the aspirin case of an 80-year-old
woman with an acute osteoporotic L1 fracture, last aspirin 5 December, procedure planned on
10 December. Built through the services; the page, the chart and the summary PDF show the
decision banner, the physician's decision and note, the dated hold and the levels first."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html import unescape

import pytest
from django.template.loader import render_to_string

from vertebra.core.models import Role
from vertebra.evaluation import services, views
from vertebra.evaluation.models import Evaluation
from vertebra.evaluation.tests.test_services import COMPLETE_ASSESSMENT, L1_FRACTURE
from vertebra.patients import services as patient_services

pytestmark = pytest.mark.django_db

NOTE = "Aspirin is primary prevention; book on or after 11 December"


def _text(html: str) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace(" :", ":")


def _evaluate(actor, referral, *, assessment=None, fracture=None, aspirin=True) -> Evaluation:
    patient_services.assessment_update(
        actor=actor,
        assessment=referral.assessment,
        expected_version=1,
        data={**COMPLETE_ASSESSMENT, **(assessment or {})},
    )
    patient_services.fracture_create(
        actor=actor, referral=referral, data={**L1_FRACTURE, **(fracture or {})}
    )
    if aspirin:
        patient_services.anticoagulant_add(
            actor=actor,
            assessment=referral.assessment,
            data={"drug": "aspirin 75 mg", "last_dose_date": dt.date(2026, 12, 5)},
        )
    return services.evaluation_run(actor=actor, referral=referral)


@pytest.fixture
def aspirin_case(actor, physician_actor, referral) -> Evaluation:
    evaluation = _evaluate(actor, referral)
    services.evaluation_record_decision(
        actor=physician_actor, evaluation=evaluation, choice="proceed", reason=NOTE
    )
    return Evaluation.objects.get(pk=evaluation.pk)


def _page(client_for, evaluation: Evaluation, role: Role = Role.PHYSICIAN) -> str:
    response = client_for(role).get(f"/staff/evaluations/{evaluation.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_banner_then_decision_then_before_the_procedure_then_levels(client_for, aspirin_case):
    html = _page(client_for, aspirin_case)
    text = _text(html)
    assert '<section class="card banner banner-recommended"' in html
    assert '<span class="banner-icon" aria-hidden="true">✓</span>' in html
    assert "Recommendation: Recommended" in text
    assert "Every indication is met; no contraindication or review flag is present." in text
    assert (
        "Physician's decision: Proceed with vertebroplasty — agrees with the recommendation" in text
    )
    assert f"Physician's note: {NOTE}" in text
    # The form is gone once decided; the decision is not repeated further down.
    assert "Record decision" not in html
    assert text.count("Physician's decision:") == 1
    order = [
        html.index(marker)
        for marker in (
            'id="decision-heading"',
            'class="physician-note"',
            'id="before-heading"',
            'id="levels-heading"',
            'id="kind-indication"',
            'id="sources-heading"',
        )
    ]
    assert order == sorted(order)


def test_before_the_procedure_gives_the_aspirin_hold_with_its_date(client_for, aspirin_case):
    html = _page(client_for, aspirin_case)
    box = html[html.index('id="before-heading"') : html.index('id="levels-heading"')]
    text = _text(box)
    assert "Hold aspirin 75 mg 6 days: procedure on or after Friday 11 December 2026" in text
    assert (
        "Hold aspirin 75 mg 6 days: earliest 11 December 2026; the planned date 10 December "
        "2026 is too early." in text
    )
    # The rules' nested parenthetical is a second line, not parentheses in parentheses.
    assert (
        '<p class="finding-line">Confirm with the prescriber or cardiologist before stopping '
        "(secondary prevention or a recent stent needs a shared decision).</p>" in box
    )
    assert "(confirm with" not in html
    for line in re.findall(r'<p class="finding-line">(.*?)</p>', html):
        assert "((" not in line.replace(" ", "")
        depth = 0
        for char in line:
            depth += {"(": 1, ")": -1}.get(char, 0)
            assert depth <= 1, line
    # The other actions: bone-density referral and consent; the hold comes first.
    actions = re.findall(r'<strong class="finding-title">(.*?)</strong>', box)
    assert actions == [
        "Hold aspirin 75 mg 6 days",
        "Bone-density referral and osteoporosis care",
        "Informed consent",
    ]
    assert "chip chip-action" in box
    assert "Coagulation tests" not in box  # INR and platelets within target: nothing to do


def test_chips_by_meaning_and_clinical_titles_with_the_rule_id_in_small_print(
    client_for, aspirin_case
):
    html = _page(client_for, aspirin_case)
    met = (
        '<span class="chip chip-met"><span class="chip-icon" aria-hidden="true">✓</span> Met</span>'
    )
    action = (
        '<span class="chip chip-action"><span class="chip-icon" aria-hidden="true">→</span> '
        "Action needed</span>"
    )
    absent = (
        '<span class="chip chip-absent"><span class="chip-icon" aria-hidden="true">–</span> '
        "Absent</span>"
    )
    risk = "chip chip-risk"
    for chip in (met, action, absent, risk):
        assert chip in html
    assert '<span class="status">' not in html  # no shared grey pill
    assert '<strong class="finding-title">Acute fracture on imaging</strong>' in html
    assert (
        '<p class="rule-id"><small>IND-ACUTE-FRACTURE · [LCD], [CCP2018], [SIR2014]</small></p>'
        in html
    )
    # The message no longer repeats its source keys: they are in the small print.
    assert '<p class="finding-line">Acute fracture on imaging at L1.</p>' in html
    # Sources collapsed.
    assert re.search(r"<details><summary>Full citations \(\d+\)</summary>", html)


def test_levels_table_shows_grade_height_loss_of_type_and_score(client_for, aspirin_case):
    html = _page(client_for, aspirin_case)
    row = re.search(r'<th scope="row">L1</th>(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [_text(c).strip() for c in re.findall(r"<td>(.*?)</td>", row[1], re.S)]
    assert cells == [
        "Yes",
        "2, moderate",
        "32.1 %",
        "wedge",
        "OF2",
        "4, conservative not recorded, scored 0: frailty",
        "—",
    ]


def test_genant_without_a_reference_height_reads_at_least(client_for, actor, referral):
    evaluation = _evaluate(actor, referral, fracture={"height_reference_mm": None})
    html = _page(client_for, evaluation)
    row = re.search(r'<th scope="row">L1</th>(.*?)</tr>', html, re.S)
    assert row is not None
    assert "<td>at least 2, moderate</td>" in row[1]
    assert re.search(r"<td>at least \d+\.\d %</td>", row[1])


def test_not_recommended_banner_names_its_reason(client_for, actor, referral):
    evaluation = _evaluate(actor, referral, assessment={"pain_trend": "improving"})
    assert evaluation.decision == "not_recommended"
    html = _page(client_for, evaluation, Role.NURSE)
    assert '<section class="card banner banner-not_recommended"' in html
    assert '<span class="banner-icon" aria-hidden="true">✗</span>' in html
    text = _text(html)
    assert "Recommendation: Not recommended" in text
    assert "An absolute contraindication is present or an indication is not met:" in text
    assert "Pain improving on medical therapy (present)" in text
    assert "Awaiting the physician's decision." in text
    assert "banner-recommended" not in html


def test_the_chart_shows_the_physicians_note(client_for, aspirin_case):
    chart = client_for(Role.NURSE).get(f"/staff/patients/{aspirin_case.patient.public_id}/")
    text = _text(chart.content.decode())
    assert "Final decision: Proceed with vertebroplasty" in text
    assert f"Physician's note: {NOTE}" in text
    assert "departs from the recommendation" not in text


def test_a_departure_shows_its_reason_not_a_note(client_for, actor, physician_actor, referral):
    evaluation = _evaluate(actor, referral)
    services.evaluation_record_decision(
        actor=physician_actor, evaluation=evaluation, choice="do_not_proceed", reason="Bracing"
    )
    text = _text(_page(client_for, evaluation))
    assert "departs from the recommendation" in text
    assert "Reason for departing: Bracing" in text
    assert "Physician's note" not in text
    chart = client_for(Role.NURSE).get(f"/staff/patients/{evaluation.patient.public_id}/")
    assert "Physician's note" not in chart.content.decode()


def test_the_summary_pdf_has_the_same_order_and_content(aspirin_case):
    html = render_to_string("evaluation/summary_pdf.html", views._detail_context(aspirin_case))
    text = _text(html)
    assert '<div class="banner banner-recommended">' in html
    assert "✓ Recommendation: Recommended" in text
    assert f"Physician's note: {NOTE}" in text
    assert "Hold aspirin 75 mg 6 days: procedure on or after Friday 11 December 2026" in text
    assert '<span class="chip chip-met">' in html
    assert "Acute fracture on imaging: Acute fracture on imaging at L1." in text
    assert "(confirm with" not in html
    order = [
        text.index("Recommendation: Recommended"),
        text.index("Physician's note:"),
        text.index("Before the procedure"),
        text.index("Levels"),
        text.index("Reasons"),
        text.index("Sources"),
    ]
    assert order == sorted(order)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_printed_summary_is_one_page_with_the_note(client_for, aspirin_case, tmp_path):
    response = client_for(Role.PHYSICIAN).get(
        f"/staff/evaluations/{aspirin_case.public_id}/summary.pdf"
    )
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.MULTILINE)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "Physician's note: Aspirin is primary prevention" in flat
    assert "procedure on or after Friday 11 December 2026" in flat
