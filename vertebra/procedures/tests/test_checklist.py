"""The pre-procedure checklist: filled from the evaluation's preconditions and the clinic's
items; unmet items and a missing consent block the procedure unless overridden, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import EditConflict, Forbidden, ValidationFailed
from vertebra.core.models import Role, User
from vertebra.evaluation.services import evaluation_run
from vertebra.patients.models import Referral
from vertebra.procedures import checklist, services
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import ChecklistItem, ChecklistOverride, PatientInformation

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(referral: Referral, physician_actor: Actor) -> Referral:
    """A referral with an evaluation (its assessment mostly not recorded: work-up missing)."""
    evaluation_run(actor=physician_actor, referral=referral)
    return referral


def items(checklist_id: int) -> dict[str, str]:
    return dict(
        ChecklistItem.objects.filter(checklist_id=checklist_id).values_list("key", "status")
    )


def test_the_checklist_is_filled_from_the_evaluation_and_the_clinic_items(
    evaluated: Referral, actor: Actor
) -> None:
    started = checklist.checklist_start(actor=actor, referral=evaluated)
    found = items(started.pk)
    assert started.evaluation is not None
    # Preconditions of the evaluation, the consent excepted (it is checked live) …
    preconditions = [
        f["rule"]
        for f in started.evaluation.result["findings"]
        if f["kind"] == "precondition" and f["rule"] not in ("PRE-CONSENT", "PRE-ANTITHROMBOTIC")
    ]
    assert preconditions
    assert set(preconditions) <= set(found)
    # The consent and the hold are checked live, not stored.
    assert "PRE-CONSENT" not in found
    assert "PRE-ANTITHROMBOTIC" not in found
    # … and the checks of the day; every answer starts blank, whatever the evaluation found.
    for key, _label, _source in checklist.DAY_OF_ITEMS:
        assert found[key] == "unknown"
    assert set(found.values()) == {"unknown"}
    rule_results = dict(
        ChecklistItem.objects.filter(checklist=started).values_list("key", "rule_result")
    )
    assert rule_results["identity"] == ""
    assert rule_results["PRE-COAG"] == "unknown"  # the labs were not recorded
    event = AuditEvent.objects.latest("sequence")
    assert (event.object_type, event.action, event.patient_id) == (
        "Checklist",
        "create",
        evaluated.patient_id,
    )


def test_unmet_items_and_a_missing_consent_block_until_met_or_overridden(
    evaluated: Referral, actor: Actor, physician_actor: Actor
) -> None:
    started = checklist.checklist_start(actor=actor, referral=evaluated)
    blocking = checklist.readiness(started).blocking
    assert blocking[0].startswith("No valid consent")
    # The evaluation did not review antithrombotics: the hold could not be checked, and says so.
    assert blocking[1].startswith("Antithrombotic hold: no procedure is booked")
    assert "Review antithrombotic medication" in blocking[1]
    stored = ChecklistItem.objects.filter(checklist=started)
    assert len(blocking) == 2 + sum(1 for item in stored if item.blocks)
    install_version_1(PatientInformation)
    services.consent_sign(
        actor=actor,
        referral=evaluated,
        information=PatientInformation.objects.get(),
        risks_discussed=["cement_leakage"],
        questions="",
        typed_name="Zoë Müller",
        patient_confirmed=True,
    )
    for item in ChecklistItem.objects.filter(checklist=started):
        if item.blocks and item.key not in ("iv_access", "fasting"):
            checklist.checklist_item_set(
                actor=actor, item_id=item.pk, expected_version=1, status="met"
            )
    fasting = ChecklistItem.objects.get(checklist=started, key="fasting")
    now = timezone.now()
    checklist.checklist_fasting_record(
        actor=actor,
        item_id=fasting.pk,
        expected_version=1,
        clear_liquid_at=now - dt.timedelta(hours=3),
        food_at=now - dt.timedelta(hours=9),
        food_kind="fatty",
    )
    iv = ChecklistItem.objects.get(checklist=started, key="iv_access")
    checklist.checklist_item_set(
        actor=actor, item_id=iv.pk, expected_version=1, status="not_met", note="Veins poor"
    )
    hold_line = checklist.readiness(started).blocking[0]
    assert list(checklist.readiness(started).blocking) == [hold_line, "IV access in place"]
    with pytest.raises(Forbidden):  # a nurse records, a physician overrides
        checklist.checklist_item_override(
            actor=actor, item_id=iv.pk, expected_version=2, reason="x"
        )
    with pytest.raises(ValidationFailed):
        checklist.checklist_item_override(
            actor=physician_actor, item_id=iv.pk, expected_version=2, reason=" "
        )
    checklist.checklist_item_override(
        actor=physician_actor,
        item_id=iv.pk,
        expected_version=2,
        reason="Anaesthetist places the line in the room",
    )
    assert list(checklist.readiness(started).blocking) == [hold_line]
    event = AuditEvent.objects.latest("sequence")
    assert event.changes["override_reason"] == [None, "Anaesthetist places the line in the room"]
    override = ChecklistOverride.objects.get()
    assert (override.item_id, override.kind, override.by) == (
        iv.pk,
        "go_ahead",
        physician_actor.user,
    )
    # A withdrawn consent blocks again, whatever the checklist says.
    consent = evaluated.consents.get()
    services.consent_withdraw(
        actor=actor, consent_id=consent.pk, expected_version=1, reason="Patient declined"
    )
    assert checklist.readiness(started).blocking[0].startswith("No valid consent")


def test_bad_item_updates_are_refused_and_change_nothing(evaluated: Referral, actor: Actor) -> None:
    started = checklist.checklist_start(actor=actor, referral=evaluated)
    item = ChecklistItem.objects.get(checklist=started, key="time_out_in_room")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed):
        checklist.checklist_item_set(
            actor=actor, item_id=item.pk, expected_version=1, status="unknown"
        )
    with pytest.raises(ValidationFailed):
        checklist.checklist_item_set(
            actor=actor, item_id=item.pk, expected_version=1, status="maybe"
        )
    checklist.checklist_item_set(actor=actor, item_id=item.pk, expected_version=1, status="met")
    with pytest.raises(EditConflict):
        checklist.checklist_item_set(
            actor=actor, item_id=item.pk, expected_version=1, status="not_met"
        )
    item.refresh_from_db()
    assert (item.status, item.version) == ("met", 2)
    assert AuditEvent.objects.count() == before + 1


def test_the_checklist_page(
    evaluated: Referral, client_for: Callable[..., Client], users: dict[Role, User]
) -> None:
    nurse = client_for(Role.NURSE)
    empty = nurse.get(f"/staff/referrals/{evaluated.public_id}/checklist").content.decode()
    assert "No checklist yet." in empty
    nurse.post(f"/staff/referrals/{evaluated.public_id}/checklist")
    page = nurse.get(f"/staff/referrals/{evaluated.public_id}/checklist").content.decode()
    assert "Not ready:" in page
    assert "No valid consent" in page
    item = ChecklistItem.objects.get(key="iv_access")
    nurse.post(f"/staff/checklist-items/{item.public_id}", {"version": "1", "status": "met"})
    item.refresh_from_db()
    assert (item.status, item.checked_by) == ("met", users[Role.NURSE])
    quality = client_for(Role.QUALITY_LEAD)
    assert quality.post(f"/staff/referrals/{evaluated.public_id}/checklist").status_code == 403
    assert quality.get(f"/staff/referrals/{evaluated.public_id}/checklist").status_code == 200


def test_without_an_evaluation_only_the_day_of_checks_are_listed(
    referral: Referral, actor: Actor
) -> None:
    started = checklist.checklist_start(actor=actor, referral=referral)
    assert started.evaluation is None
    assert list(items(started.pk)) == [
        "identity",
        "consent_confirmed",
        "antithrombotic_today",
        "fasting",
        "allergies",
        "levels_marked",
        "iv_access",
        "imaging_reviewed",
        "time_out_in_room",
    ]
    hold = checklist.readiness(started).hold
    assert hold is not None
    assert hold.blocks
    assert hold.text.endswith("No evaluation yet: the antithrombotic hold could not be checked.")
