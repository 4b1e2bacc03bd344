"""Issue 14, the checklist side: the antithrombotic hold is checked against the booked
procedure (not the assessment's planned date) whenever the checklist is shown or gates the
start; marking met an item the evaluation found not met needs a physician and a reason, and
every override is listed for the quality lead; fasting times are checked against the settings
(§4.1a [ASAFAST2017]); documentation items (PRE-BMD) do not block unless the clinic says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import Forbidden, ValidationFailed
from vertebra.core.models import Role, User
from vertebra.core.timeutil import clinic_today
from vertebra.evaluation.selectors import long_date
from vertebra.evaluation.services import evaluation_run
from vertebra.patients import services as patient_services
from vertebra.patients.models import Patient, Referral
from vertebra.procedures import checklist, record, services
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import ChecklistItem, ChecklistOverride, PatientInformation
from vertebra.procedures.tests.conftest import complete_checklist
from vertebra.scheduling import services as booking
from vertebra.scheduling.services import BookingRequest
from vertebra.scheduling.tests.conftest import make_clinic
from vertebra.scheduling.tests.test_booking import _decided_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def aspirin(
    make_patient: Callable[..., Patient],
    make_referral: Callable[..., Referral],
    users: dict[Role, User],
) -> Referral:
    """80-year-old woman, acute osteoporotic L1 fracture, aspirin 75 mg, last dose yesterday:
    earliest safe date in 5 days [ASRA2018]."""
    today = clinic_today()
    patient = make_patient(
        mrn="MRN-0080", birth_date=today.replace(year=today.year - 80), sex="female"
    )
    referral = make_referral(patient, reason="Acute osteoporotic L1 fracture")
    patient_services.fracture_create(
        actor=Actor(user=users[Role.NURSE]),
        referral=referral,
        data={"level": "L1", "etiology": "osteoporotic"},
    )
    return _decided_referral(referral, users, aspirin_last_dose=today - dt.timedelta(days=1))


def hold_text(referral: Referral) -> tuple[bool, bool, str]:
    check = checklist.hold_check(referral)
    return check.blocks, check.overridden, check.text


def test_the_hold_is_checked_against_the_booked_date_and_follows_a_rebooking(
    aspirin: Referral, users: dict[Role, User], actor: Actor, physician_actor: Actor
) -> None:
    clinic = make_clinic(users)
    scheduler = Actor(user=users[Role.SCHEDULER])
    earliest = long_date(clinic_today() + dt.timedelta(days=5))
    started = checklist.checklist_start(actor=actor, referral=aspirin)
    # No booking yet: checked against now (the hold has days to run), and it says so.
    blocks, _, text = hold_text(aspirin)
    assert blocks
    assert text.startswith("Antithrombotic hold: no procedure is booked; checked against now")
    assert f"Earliest safe date {earliest}: Hold aspirin 6 days [ASRA2018]" in text
    booked = booking.appointment_book(
        actor=scheduler,
        request=BookingRequest(
            patient=aspirin.patient,
            appointment_type=clinic.types["procedure"],
            starts_at=clinic.at(5, 10),
            referral=aspirin,
        ),
    )
    assert hold_text(aspirin) == (
        False,
        False,
        f"Antithrombotic hold: the procedure booked for {earliest} 10:00 respects it. "
        f"Earliest safe date {earliest}: Hold aspirin 6 days [ASRA2018]",
    )
    assert not any(
        line.startswith("Antithrombotic") for line in checklist.readiness(started).blocking
    )
    # A physician moves it a day earlier, with an override: shown on the checklist.
    booking.appointment_reschedule(
        actor=physician_actor,
        appointment_id=booked.pk,
        expected_version=1,
        starts_at=clinic.at(4, 10),
        hold_override_reason="Cardiology agrees: aspirin is primary prevention",
    )
    blocks, overridden, text = hold_text(aspirin)
    assert (blocks, overridden) == (False, True)
    assert "Booked on a physician's override by Physician Tester" in text
    assert text.endswith("Cardiology agrees: aspirin is primary prevention")
    # Cancelling the booking: back to "no procedure is booked", checked against now.
    booking.appointment_cancel(
        actor=scheduler, appointment_id=booked.pk, expected_version=2, reason="Patient unwell"
    )
    assert hold_text(aspirin)[0] is True
    gate = checklist.procedure_gate(aspirin)
    assert any(
        line.startswith("Antithrombotic hold: no procedure is booked") for line in gate.blocking
    )


def test_a_later_evaluation_is_checked_against_the_same_booking(
    aspirin: Referral, users: dict[Role, User], actor: Actor, physician_actor: Actor
) -> None:
    clinic = make_clinic(users)
    booking.appointment_book(
        actor=Actor(user=users[Role.SCHEDULER]),
        request=BookingRequest(
            patient=aspirin.patient,
            appointment_type=clinic.types["procedure"],
            starts_at=clinic.at(5, 10),
            referral=aspirin,
        ),
    )
    assert hold_text(aspirin)[0] is False
    # The patient took aspirin again today: a new evaluation moves the earliest date by a day.
    drug = Referral.objects.get(pk=aspirin.pk).assessment.anticoagulants.get()
    patient_services.anticoagulant_add(
        actor=physician_actor,
        assessment=drug.assessment,
        data={"drug": "clopidogrel", "last_dose_date": clinic_today()},
    )
    evaluation_run(actor=physician_actor, referral=aspirin)
    blocks, overridden, text = hold_text(aspirin)
    assert (blocks, overridden) == (True, False)
    later = long_date(clinic_today() + dt.timedelta(days=7))
    assert f"Earliest safe date {later}: Hold clopidogrel 7 days [ASRA2018]" in text
    assert "Rebook it, or a physician books it with an override." in text
    started = checklist.checklist_start(actor=actor, referral=aspirin)
    assert text in checklist.readiness(started).blocking


def test_met_against_the_rule_needs_a_physician_and_a_reason_and_is_listed(
    referral: Referral,
    actor: Actor,
    physician_actor: Actor,
    client_for: Callable[..., Client],
) -> None:
    assessment = Referral.objects.get(pk=referral.pk).assessment
    patient_services.assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=assessment.version,
        data={"coagulation_inr": Decimal("2.4"), "coagulation_platelets_10e9_per_l": 200},
    )
    evaluation_run(actor=physician_actor, referral=referral)
    started = checklist.checklist_start(actor=actor, referral=referral)
    coag = ChecklistItem.objects.get(checklist=started, key="PRE-COAG")
    assert (coag.status, coag.rule_result, coag.kind) == ("unknown", "not_met", "safety")
    before = (AuditEvent.objects.count(), ChecklistOverride.objects.count())
    with pytest.raises(Forbidden) as refused:
        checklist.checklist_item_set(
            actor=actor, item_id=coag.pk, expected_version=1, status="met", note="INR fine"
        )
    assert refused.value.message == checklist.AGAINST_RULE
    with pytest.raises(ValidationFailed) as refused_reason:
        checklist.checklist_item_set(
            actor=physician_actor, item_id=coag.pk, expected_version=1, status="met"
        )
    assert list(refused_reason.value.errors) == ["note"]
    assert (AuditEvent.objects.count(), ChecklistOverride.objects.count()) == before
    coag.refresh_from_db()
    assert (coag.status, coag.version) == ("unknown", 1)
    # A nurse may still record it not met (agreeing with the rule).
    checklist.checklist_item_set(actor=actor, item_id=coag.pk, expected_version=1, status="not_met")
    done = checklist.checklist_item_set(
        actor=physician_actor,
        item_id=coag.pk,
        expected_version=2,
        status="met",
        note="INR 1.3 this morning after vitamin K",
    )
    assert (done.status, done.override_reason, done.overridden_by) == (
        "met",
        "INR 1.3 this morning after vitamin K",
        physician_actor.user,
    )
    override = ChecklistOverride.objects.get()
    assert (override.kind, override.reason, override.by) == (
        "met_against_rule",
        "INR 1.3 this morning after vitamin K",
        physician_actor.user,
    )
    event = AuditEvent.objects.latest("sequence")
    assert event.summary == "Checklist item PRE-COAG: met against the rule's result"
    # Through the page: the nurse is refused with the message, nothing changes.
    nurse = client_for(Role.NURSE)
    nurse.post(f"/staff/checklist-items/{coag.public_id}", {"version": "3", "status": "not_met"})
    response = nurse.post(
        f"/staff/checklist-items/{coag.public_id}",
        {"version": "4", "status": "met", "note": "ok"},
        follow=True,
    )
    assert checklist.AGAINST_RULE in response.content.decode()
    assert ChecklistItem.objects.get(pk=coag.pk).status == "not_met"
    # The list, for the quality lead and physicians only; kept after the item changed.
    for role in (Role.QUALITY_LEAD, Role.PHYSICIAN):
        page = client_for(role).get("/staff/checklist-overrides")
        assert page.status_code == 200
        body = page.content.decode()
        assert "INR 1.3 this morning after vitamin K" in body
        assert "Marked met against the rule&#x27;s result" in body
    for role in (Role.NURSE, Role.SCHEDULER, Role.ADMINISTRATOR):
        assert client_for(role).get("/staff/checklist-overrides").status_code == 403


def test_fasting_times_are_checked_against_the_settings(
    referral: Referral, actor: Actor, client_for: Callable[..., Client]
) -> None:
    started = checklist.checklist_start(actor=actor, referral=referral)
    fasting = ChecklistItem.objects.get(checklist=started, key="fasting")
    with pytest.raises(ValidationFailed) as refused:
        checklist.checklist_item_set(
            actor=actor, item_id=fasting.pk, expected_version=1, status="met"
        )
    assert refused.value.errors == {"status": [checklist.FASTING_BY_TIMES]}
    now = timezone.now()

    def record(version: int, clear_h: float, food_h: float, kind: str) -> Any:
        return checklist.checklist_fasting_record(
            actor=actor,
            item_id=fasting.pk,
            expected_version=version,
            clear_liquid_at=now - dt.timedelta(hours=clear_h),
            food_at=now - dt.timedelta(hours=food_h),
            food_kind=kind,
        )

    # No booking: against now. Fatty food 7 h ago is too recent (8 h) [ASAFAST2017].
    item = record(1, 2.5, 7, "fatty")
    assert item.status == "not_met"
    assert item.note.startswith("Not fasted long enough: fried or fatty food, or meat 7 h 00 min")
    assert "(needs 8 h 00 min)" in item.note
    assert checklist.fasting_result(
        start=now,
        clear_liquid_at=now - dt.timedelta(hours=2),
        food_at=now - dt.timedelta(hours=6),
        food_kind="light",
    ) == ("met", "Clear liquid 2 h 00 min and light meal 6 h 00 min before the start.")
    with override_settings(VERTEBRA_FASTING_CLEAR_LIQUID_HOURS=Decimal("3")):
        assert record(2, 2.5, 9, "light").status == "not_met"
    started.refresh_from_db()
    assert started.last_food_kind == "light"
    with pytest.raises(ValidationFailed) as bad:
        checklist.checklist_fasting_record(
            actor=actor,
            item_id=fasting.pk,
            expected_version=3,
            clear_liquid_at=now + dt.timedelta(hours=1),
            food_at=None,
            food_kind="soup",
        )
    assert set(bad.value.errors) == {"clear_liquid_at", "food_at", "food_kind"}
    assert ChecklistItem.objects.get(pk=fasting.pk).version == 3
    # The page shows blank answers ("Choose…"), never a preselected "Met".
    page = client_for(Role.NURSE).get(f"/staff/referrals/{referral.public_id}/checklist")
    body = page.content.decode()
    assert '<option value="" selected>Choose…</option>' in body
    assert '<option value="met" selected>' not in body


def test_documentation_items_are_tracked_but_block_only_when_the_clinic_says_so(
    referral: Referral, actor: Actor, physician_actor: Actor
) -> None:
    patient_services.fracture_create(
        actor=actor, referral=referral, data={"level": "L1", "etiology": "osteoporotic"}
    )
    evaluation_run(actor=physician_actor, referral=referral)
    started = checklist.checklist_start(actor=actor, referral=referral)
    bmd = ChecklistItem.objects.get(checklist=started, key="PRE-BMD")
    assert (bmd.kind, bmd.status, bmd.rule_result) == ("documentation", "unknown", "not_met")
    assert bmd.label not in checklist.readiness(started).blocking
    with override_settings(VERTEBRA_CHECKLIST_DOCUMENTATION_BLOCKS=True):
        assert bmd.label in checklist.readiness(started).blocking
    # Documenting it is the nurse's: no physician needed.
    checklist.checklist_item_set(actor=actor, item_id=bmd.pk, expected_version=1, status="met")
    assert not ChecklistOverride.objects.exists()


def test_the_override_is_shown_on_the_checklist_page_and_the_procedure_report(
    aspirin: Referral,
    users: dict[Role, User],
    actor: Actor,
    physician_actor: Actor,
    client_for: Callable[..., Client],
) -> None:
    clinic = make_clinic(users)
    reason = "Urgent: cardiology agrees to operate on aspirin"
    booking.appointment_book(
        actor=physician_actor,
        request=BookingRequest(
            patient=aspirin.patient,
            appointment_type=clinic.types["procedure"],
            starts_at=clinic.at(4, 10),
            referral=aspirin,
            hold_override_reason=reason,
        ),
    )
    services.consent_sign(
        actor=actor,
        referral=aspirin,
        information=install_version_1(PatientInformation),  # type: ignore[arg-type]
        risks_discussed=["cement_leakage"],
        questions="",
        typed_name=f"{aspirin.patient.given_name} {aspirin.patient.family_name}",
        patient_confirmed=True,
    )
    started = checklist.checklist_start(actor=actor, referral=aspirin)
    complete_checklist(started, actor, physician_actor)
    page = client_for(Role.NURSE).get(f"/staff/referrals/{aspirin.public_id}/checklist")
    body = page.content.decode()
    assert "Overridden by a physician:" in body
    assert reason in body
    assert "Ready: nothing blocks the procedure" in body
    procedure = record.procedure_start(
        actor=actor, referral=aspirin, operator=users[Role.PHYSICIAN]
    )
    assert procedure.gate_blocking == []
    report = client_for(Role.PHYSICIAN).get(f"/staff/procedures/{procedure.public_id}/report")
    assert report.status_code == 200
    assert (
        "<strong>Antithrombotic hold</strong>: Booked before the antithrombotic hold ended: "
        "physician&#x27;s override by Physician Tester"
    ) in report.content.decode()
    assert reason in report.content.decode()
