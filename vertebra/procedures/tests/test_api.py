"""The procedure record API: the record with its codes, edits while in progress, a signed
record refusing every edit (409, nothing written), addenda."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.models import Role
from vertebra.procedures import record
from vertebra.procedures.models import ProcedureRecord
from vertebra.procedures.tests.conftest import fresh

pytestmark = pytest.mark.django_db


def patch(client: Client, procedure: ProcedureRecord, body: dict[str, object]) -> object:
    return client.patch(
        f"/api/procedures/{procedure.public_id}", json.dumps(body), content_type="application/json"
    )


def test_an_in_progress_record_is_edited_and_read_with_what_it_still_needs(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    client = client_for(Role.NURSE)
    response = patch(client, started, {"version": 1, "changes": {"position": "prone"}})
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (body["status"], body["version"]) == ("in_progress", 2)
    assert "the patient's position" not in body["still_to_record"]
    assert "the procedure end time" in body["still_to_record"]
    refused = patch(client, started, {"version": 2, "changes": {"signed_at": "2026-12-01"}})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert refused.json()["error"]["fields"] == {  # type: ignore[attr-defined]
        "signed_at": ["This field can't be set here."]
    }
    assert fresh(started).version == 2


def test_a_signed_record_is_read_with_its_codes_and_refuses_every_edit(
    complete: Callable[..., ProcedureRecord],
    physician_actor: Actor,
    client_for: Callable[[Role | None], Client],
) -> None:
    filled = complete()
    record.procedure_sign(actor=physician_actor, procedure=filled, expected_version=filled.version)
    signed = fresh(filled)
    client = client_for(Role.PHYSICIAN)
    body = client.get(f"/api/procedures/{signed.public_id}").json()
    assert body["status"] == "signed"
    assert [level["level"] for level in body["levels"]] == ["T12", "L1"]
    assert body["levels"][1]["leaks"] == [
        {"leak_type": "S", "location": "venous", "symptomatic": False,
         "action_taken": "Injection paused"}
    ]  # fmt: skip
    assert [c["code"] for c in body["summary"]["coding"]["procedure"]] == ["22510", "22512"]
    assert body["still_to_record"] == []
    before = AuditEvent.objects.count()
    refused = patch(client, signed, {"version": signed.version, "changes": {"team": "X"}})
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert refused.json()["error"]["code"] == "record_signed"  # type: ignore[attr-defined]
    assert AuditEvent.objects.count() == before
    assert fresh(signed).team == signed.team
    added = client.post(
        f"/api/procedures/{signed.public_id}/addenda",
        json.dumps({"reason": "Typo", "text": "Lot LOT-4712"}),
        content_type="application/json",
    )
    assert added.status_code == 201
    assert added.json()["reason"] == "Typo"
    assert client.get(f"/api/procedures/{signed.public_id}").json()["addenda"][0]["text"] == (
        "Lot LOT-4712"
    )
