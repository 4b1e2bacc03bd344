"""Evaluation pages: run from the chart, the detail with reasons and citations, the physician's
decision, the one-page PDF summary, and the administrator's settings page."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from vertebra.audit.models import AuditEvent
from vertebra.core.models import Role
from vertebra.evaluation.models import Evaluation, FinalDecision, RuleSettingsVersion
from vertebra.evaluation.tests.test_services import COMPLETE_ASSESSMENT, L1_FRACTURE
from vertebra.patients import services as patient_services
from vertebra.patients.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(actor, referral):
    patient_services.assessment_update(
        actor=actor, assessment=referral.assessment, expected_version=1, data=COMPLETE_ASSESSMENT
    )
    patient_services.fracture_create(actor=actor, referral=referral, data=L1_FRACTURE)
    return Referral.objects.get(pk=referral.pk)


def _evaluate(client, referral):
    response = client.post(f"/staff/referrals/{referral.public_id}/evaluate")
    assert response.status_code == 302
    return Evaluation.objects.get(referral=referral), response["Location"]


def test_nurse_evaluates_and_sees_reasons_grouped_with_citations(client_for, candidate):
    client = client_for(Role.NURSE)
    evaluation, location = _evaluate(client, candidate)
    assert location == f"/staff/evaluations/{evaluation.public_id}/"
    page = client.get(location).content.decode()
    assert "Recommendation: Recommended" in page
    assert "Indications" in page
    assert "IND-PAIN-SEVERITY" in page
    assert "Work-up and preconditions" in page
    assert "PRE-BMD" in page
    # The full citation behind a source key, not only the key.
    assert "Hirsch JA" in page
    assert "Awaiting the physician" in page  # a nurse cannot record the decision


def test_physician_departs_with_a_reason_and_the_chart_shows_it(client_for, candidate):
    _evaluation, location = _evaluate(client_for(Role.NURSE), candidate)
    physician = client_for(Role.PHYSICIAN)
    refused = physician.post(f"{location}decision", {"choice": "do_not_proceed", "reason": ""})
    assert refused.status_code == 422
    assert "say why you decide otherwise" in refused.content.decode()
    assert not FinalDecision.objects.exists()
    done = physician.post(
        f"{location}decision", {"choice": "do_not_proceed", "reason": "Prefers bracing"}
    )
    assert done.status_code == 302
    chart = physician.get(f"/staff/patients/{candidate.patient.public_id}/").content.decode()
    assert "Final decision: Do not proceed" in chart
    assert "departs from the recommendation: Prefers bracing" in chart
    assert Referral.objects.get(pk=candidate.pk).status == "closed"


def test_a_second_physicians_decision_is_refused_with_the_reason_shown(client_for, candidate):
    _evaluation, location = _evaluate(client_for(Role.NURSE), candidate)
    first, second = client_for(Role.PHYSICIAN), client_for(Role.PHYSICIAN)
    assert first.post(f"{location}decision", {"choice": "proceed"}).status_code == 302
    late = second.post(f"{location}decision", {"choice": "do_not_proceed", "reason": "Bracing"})
    assert late.status_code == 422
    page = late.content.decode()
    assert "Nothing was saved." in page
    assert "A final decision was already recorded for this evaluation." in page
    assert list(FinalDecision.objects.values_list("choice", flat=True)) == ["proceed"]


def test_nurse_cannot_post_a_decision(client_for, candidate):
    _evaluation, location = _evaluate(client_for(Role.NURSE), candidate)
    response = client_for(Role.NURSE).post(f"{location}decision", {"choice": "proceed"})
    assert response.status_code == 403
    assert not FinalDecision.objects.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_summary_pdf_has_one_page_with_patient_decision_and_scores(client_for, candidate, tmp_path):
    _evaluation, location = _evaluate(client_for(Role.NURSE), candidate)
    response = client_for(Role.PHYSICIAN).get(f"{location}summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.MULTILINE)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Müller, Zoë" in text
    assert candidate.patient.mrn in text
    assert "Recommendation: Recommended" in text
    assert "L1" in text
    assert "moderate" in text  # Genant grade 2
    assert AuditEvent.objects.filter(summary="Printed an evaluation summary").count() == 1


def test_admin_changes_a_setting_with_a_reason_and_it_is_used(client_for, candidate):
    admin = client_for(Role.ADMINISTRATOR)
    page = admin.get("/staff/settings/evaluation")
    assert page.status_code == 200
    html = page.content.decode()
    assert "default, review locally" in html
    assert "SIR2019COAG" in html
    form = _settings_form_values(page)
    form["pregnancy_contraindication"] = "relative"
    form["reason"] = ""
    refused = admin.post("/staff/settings/evaluation", form)
    assert refused.status_code == 422
    assert not RuleSettingsVersion.objects.exists()
    form["reason"] = "Local protocol (L38213)"
    assert admin.post("/staff/settings/evaluation", form).status_code == 302
    assert RuleSettingsVersion.objects.get().values["pregnancy_contraindication"] == "relative"
    evaluation, _ = _evaluate(client_for(Role.NURSE), candidate)
    assert evaluation.settings_used["pregnancy_contraindication"] == "relative"


def test_out_of_range_setting_is_refused(client_for):
    admin = client_for(Role.ADMINISTRATOR)
    form = _settings_form_values(admin.get("/staff/settings/evaluation"))
    form.update(inr_max="2.5", reason="try")
    response = admin.post("/staff/settings/evaluation", form)
    assert response.status_code == 422
    assert not RuleSettingsVersion.objects.exists()


def test_contradictory_settings_are_refused_at_the_field_in_words(client_for):
    admin = client_for(Role.ADMINISTRATOR)
    form = _settings_form_values(admin.get("/staff/settings/evaluation"))
    form.update(of_score_conservative_max="10", of_score_operative_above="2", reason="try")
    response = admin.post("/staff/settings/evaluation", form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Must be at least the conservative maximum (10), or the two bands overlap." in page
    assert "of_score_operative_above:" not in page
    assert not RuleSettingsVersion.objects.exists()


def test_settings_defaults_read_as_words_not_python_values(client_for):
    page = client_for(Role.ADMINISTRATOR).get("/staff/settings/evaluation").content.decode()
    assert "Default: OF4, OF5" in page
    assert "Default: yes" in page
    assert "Default: True" not in page
    assert "Default: [" not in page


def test_only_the_administrator_sees_the_settings(client_for):
    for role in (Role.PHYSICIAN, Role.NURSE, Role.QUALITY_LEAD, Role.SCHEDULER, Role.PATIENT):
        assert client_for(role).get("/staff/settings/evaluation").status_code == 403


def _settings_form_values(response):
    form = response.context["form"]
    values = {}
    for name, field in form.fields.items():
        initial = form.initial.get(name, field.initial)
        values[name] = initial if initial is not None else ""
    return values
