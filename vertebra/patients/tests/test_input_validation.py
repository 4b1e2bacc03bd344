"""A referral dated before the patient's birth is refused on every path (the API, the staff
form, an edit), with the same message and nothing written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import ValidationFailed
from vertebra.core.models import Role
from vertebra.patients import services
from vertebra.patients.models import Patient, Referral

pytestmark = pytest.mark.django_db

BEFORE_BIRTH = "Referral date can't be before the patient's date of birth (1944-03-31)."


def state() -> tuple[Any, ...]:
    return list(Referral.objects.order_by("pk").values()), AuditEvent.objects.count()


def test_the_api_refuses_a_referral_dated_before_birth(
    client_for: Callable[..., Client], patient: Patient
) -> None:
    before = state()
    body = {"referring_clinician": "Dr R", "reason": "Back pain", "referral_date": "0053-01-01"}
    response = client_for(Role.NURSE).post(
        f"/api/patients/{patient.public_id}/referrals",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": f"referral_date: {BEFORE_BIRTH}",
            "fields": {"referral_date": [BEFORE_BIRTH]},
        }
    }
    assert state() == before


def test_the_staff_form_refuses_it_with_the_same_message(
    client_for: Callable[..., Client], patient: Patient
) -> None:
    before = state()
    response = client_for(Role.NURSE).post(
        f"/staff/patients/{patient.public_id}/referrals/new",
        {"referring_clinician": "Dr R", "reason": "Back pain", "referral_date": "1944-03-30"},
    )
    assert response.status_code == 422  # the staff pages answer a refused form with 422
    assert "Referral date can&#x27;t be before the patient&#x27;s date of birth (1944-03-31)." in (
        response.content.decode()
    )
    assert state() == before


def test_an_edit_to_a_date_before_birth_is_refused_and_the_birth_date_itself_is_accepted(
    actor: Actor, patient: Patient, referral: Referral
) -> None:
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        services.referral_update(
            actor=actor,
            referral=referral,
            expected_version=1,
            data={"referral_date": dt.date(53, 1, 1)},
        )
    assert refused.value.errors == {"referral_date": [BEFORE_BIRTH]}
    assert state() == before
    services.referral_update(
        actor=actor,
        referral=referral,
        expected_version=1,
        data={"referral_date": patient.birth_date},
    )
    assert Referral.objects.get(pk=referral.pk).referral_date == dt.date(1944, 3, 31)
