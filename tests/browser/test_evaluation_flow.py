"""The physician's evaluation in a real browser: evaluate a demo patient, read the reasons and
their sources, record a decision that departs from the recommendation, see it on the chart."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from vertebra.clinic.demo import DEMO_PASSWORD, load_demo_clinic
from vertebra.core.models import User
from vertebra.evaluation.models import FinalDecision
from vertebra.patients.models import Referral

pytestmark = pytest.mark.browser


def test_physician_evaluates_a_demo_patient_and_departs_with_a_reason(
    page: Any, live_server: Any, shoot: Any, accessible: Any
) -> None:
    load_demo_clinic(patients=3, seed=2026)
    # The demo's third patient is being worked up: evaluated on the referral letter alone.
    referral = Referral.objects.filter(status="evaluating").select_related("patient").first()
    assert referral is not None
    patient = referral.patient
    log_in(page, User.objects.get(username="physician"), password=DEMO_PASSWORD)

    page.goto(f"/staff/patients/{patient.public_id}/")
    section = page.get_by_role("region", name=re.compile(r"^Referral of"))
    section.get_by_role("button", name="Evaluate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation of")
    decision = page.get_by_role("heading", name=re.compile(r"^Recommendation: "))
    expect(decision).to_be_visible()
    recommendation = decision.inner_text().removeprefix("Recommendation: ")
    expect(page.get_by_role("heading", name="Indications", exact=True)).to_be_visible()
    expect(page.get_by_text("IND-PAIN-SEVERITY").first).to_be_visible()
    expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
    page.get_by_text(re.compile(r"^Full citations")).click()  # sources are collapsed
    expect(page.get_by_text(re.compile(r"Hirsch JA")).first).to_be_visible()
    accessible(page, "evaluation-detail")
    shoot(page, "evaluation-detail")

    # Depart from the recommendation: without a reason it is refused, with one it is recorded.
    choice = "Do not proceed" if recommendation == "Recommended" else "Proceed with vertebroplasty"
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").first).to_contain_text("say why you decide otherwise")
    assert not FinalDecision.objects.filter(evaluation__referral=referral).exists()
    page.get_by_label(choice).check()
    page.get_by_label(re.compile(r"^Reason")).fill("Patient prefers to wait two weeks")
    page.get_by_role("button", name="Record decision").click()

    expect(page.get_by_role("status")).to_contain_text("Final decision recorded.")
    expect(page.get_by_text(f"Final decision: {choice}", exact=True)).to_be_visible()
    expect(
        page.get_by_text(re.compile("departs from the recommendation: Patient prefers to wait"))
    ).to_be_visible()
    shoot(page, "chart-after-decision")
    stored = FinalDecision.objects.get(evaluation__referral=referral)
    assert (stored.agrees_with_recommendation, stored.reason) == (
        False,
        "Patient prefers to wait two weeks",
    )
