"""The audit hash chain: every write leaves a verifiable row; tampering is found at its row."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from vertebra.audit.chain import GENESIS_HASH, chain_hash
from vertebra.audit.models import AuditChainHead, AuditEvent
from vertebra.audit.selectors import audit_chain_verify
from vertebra.audit.services import audit_record
from vertebra.core.actor import Actor
from vertebra.core.models import Role
from vertebra.patients import services

pytestmark = pytest.mark.django_db


def _three_events(actor, make_patient):
    patient = make_patient()
    services.patient_update(
        actor=actor, patient=patient, expected_version=1, data={"phone": "+1 555 0100"}
    )
    services.patient_update(
        actor=actor, patient=patient, expected_version=2, data={"phone": "+1 555 0199"}
    )
    return patient


def test_rows_link_to_their_predecessor_from_the_genesis_hash(actor, make_patient):
    _three_events(actor, make_patient)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].previous_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash
    for event in events:
        assert event.hash == chain_hash(event.previous_hash, event.hashed_fields())
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (3, events[-1].hash)
    assert audit_chain_verify().ok


def test_sql_update_of_one_row_is_reported_at_that_row(actor, make_patient, capsys):
    _three_events(actor, make_patient)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE sequence = 2", ["edited"])
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.broken_sequence) == (False, 2)
    assert "content does not match" in verdict.reason
    with pytest.raises(CommandError, match="broken at event #2"):
        call_command("audit_verify")


def test_changing_the_recorded_old_values_is_detected(actor, make_patient):
    _three_events(actor, make_patient)
    event = AuditEvent.objects.get(sequence=3)
    changes = dict(event.changes)
    changes["phone"] = ["+1 555 0100", "+1 555 0000"]
    AuditEvent.objects.filter(pk=event.pk).update(changes=changes)
    assert audit_chain_verify().broken_sequence == 3


def test_deleting_a_row_is_detected(actor, make_patient):
    _three_events(actor, make_patient)
    AuditEvent.objects.filter(sequence=2).delete()
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.broken_sequence) == (False, 2)
    assert "missing" in verdict.reason


def test_deleting_the_last_row_is_detected_through_the_head(actor, make_patient):
    _three_events(actor, make_patient)
    AuditEvent.objects.filter(sequence=3).delete()
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert "end of the trail" in verdict.reason


def test_recomputing_a_tampered_row_hash_still_breaks_the_next_link(actor, make_patient):
    _three_events(actor, make_patient)
    event = AuditEvent.objects.get(sequence=2)
    event.summary = "forged"
    forged = chain_hash(event.previous_hash, event.hashed_fields())
    AuditEvent.objects.filter(pk=event.pk).update(summary="forged", hash=forged)
    verdict = audit_chain_verify()
    assert verdict.broken_sequence == 3
    assert "link" in verdict.reason


def test_audit_record_refuses_to_run_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=Actor.system(), action="view", object_type="X", object_id="1")


def test_a_failed_change_rolls_back_its_audit_row(actor, make_patient):
    patient = make_patient()
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():  # noqa: PT012
        audit_record(
            actor=actor,
            action="view",
            object_type="Patient",
            object_id=patient.public_id,
            patient=patient,
        )
        1 / 0  # noqa: B018 - the change fails after its audit row was written
    assert AuditEvent.objects.count() == before
    assert audit_chain_verify().ok


def test_empty_trail_verifies(db):
    assert audit_chain_verify().describe() == "ok (0 events)"


def test_an_event_refuses_a_record_other_than_a_patient_as_its_patient(actor, users):
    # audit_record types its patient as any model (audit sits below patients): the foreign key
    # is what keeps a referral or a user from being stored as the event's patient.
    with pytest.raises(ValueError, match='must be a "Patient" instance'), transaction.atomic():
        audit_record(
            actor=actor, action="view", object_type="User", object_id="x", patient=users[Role.NURSE]
        )
    assert not AuditEvent.objects.exists()
