"""The chart's fracture table: fracture age from the onset, and height loss with the Genant
grade of the latest evaluation ("at least" without a reference height, clinical-reference §3.1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from vertebra.core import timeutil
from vertebra.core.models import Role
from vertebra.evaluation.services import evaluation_run
from vertebra.patients import services

pytestmark = pytest.mark.django_db


def _row(client, referral, level):
    html = client.get(reverse("staff:patient_chart", args=[referral.patient.public_id]))
    page = " ".join(html.content.decode().split())
    start = page.index(f'<th scope="row">{level}<br>')
    return page[start : page.index("</tr>", start)]


def test_fracture_age_height_loss_and_genant_grade(client_for, actor, referral):
    onset = timeutil.clinic_today() - dt.timedelta(days=17)
    heights = {"height_anterior_mm": Decimal(20), "height_middle_mm": Decimal(24)}
    services.fracture_create(
        actor=actor,
        referral=referral,
        data={"level": "L1", "onset_date": onset, **heights, "height_posterior_mm": Decimal(29),
              "height_reference_mm": Decimal(30)},
    )  # fmt: skip
    services.fracture_create(
        actor=actor, referral=referral,
        data={"level": "T12", **heights, "height_posterior_mm": Decimal(25)},
    )  # fmt: skip
    client = client_for(Role.NURSE)
    assert "no evaluation yet" in _row(client, referral, "L1")
    assert "onset not recorded" in _row(client, referral, "T12")

    evaluation = evaluation_run(actor=actor, referral=referral)
    genant = {lv["level"]: lv["genant"] for lv in evaluation.result["levels"]}
    row = _row(client, referral, "L1")
    assert f'2 weeks <span class="hint">(onset {onset:%Y-%m-%d})</span>' in row
    l1 = genant["L1"]
    assert not l1["at_least"]
    assert f"grade {l1['grade']} ({l1['label']}), height loss {l1['height_loss_percent']} %" in row
    assert "at least" not in row
    # No reference height: a lower bound, said so.
    assert genant["T12"]["at_least"]
    assert f"at least grade {genant['T12']['grade']}" in _row(client, referral, "T12")

    # A level recorded after the latest evaluation is not graded by it.
    services.fracture_create(actor=actor, referral=referral, data={"level": "L2"})
    assert "not in the latest evaluation" in _row(client, referral, "L2")
