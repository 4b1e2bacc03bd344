"""The procedure record's services: the gate on "start procedure" and its override, the §4.2
entry checks, signing, and the immutability of a signed record (addenda only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    DuplicateRecord,
    EditConflict,
    Forbidden,
    NotReady,
    RecordSigned,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import Role, User
from vertebra.patients.models import Referral
from vertebra.procedures import checklist, record, services
from vertebra.procedures.models import (
    AdverseEvent,
    CementLeak,
    Consent,
    ProcedureAddendum,
    ProcedureLevel,
    ProcedureRecord,
)
from vertebra.procedures.tests.conftest import decide, fresh, level_data

pytestmark = pytest.mark.django_db


def world() -> tuple[int, int, int, int, int]:
    """Rows that a refused write must leave as they were."""
    return (
        ProcedureRecord.objects.count(),
        ProcedureLevel.objects.count(),
        CementLeak.objects.count(),
        AdverseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


# --- The gate ---------------------------------------------------------------------------


def test_without_consent_or_checklist_the_procedure_cannot_start(
    referral: Referral, actor: Actor, physician_actor: Actor, operator: User
) -> None:
    decide(referral, physician_actor)
    before = world()
    with pytest.raises(NotReady) as refused:
        record.procedure_start(actor=actor, referral=referral, operator=operator)
    # The consent, the antithrombotic hold (no evaluation: it could not be checked) and the
    # checklist (issue 14).
    consent, hold, no_checklist = refused.value.blocking
    assert (consent, no_checklist) == (checklist.NO_CONSENT, checklist.NO_CHECKLIST)
    assert hold.startswith("Antithrombotic hold: no procedure is booked; checked against now")
    assert hold.endswith("No evaluation yet: the antithrombotic hold could not be checked.")
    assert world() == before


def test_an_unmet_item_or_a_withdrawn_consent_blocks_the_start(
    ready: Referral, actor: Actor, operator: User
) -> None:
    item = ready.checklists.get().items.get(key="fasting")
    now = timezone.now()
    checklist.checklist_fasting_record(
        actor=actor,
        item_id=item.pk,
        expected_version=2,
        clear_liquid_at=now - dt.timedelta(minutes=30),
        food_at=now - dt.timedelta(hours=10),
        food_kind="light",
    )
    consent = Consent.objects.get(referral=ready)
    services.consent_withdraw(actor=actor, consent_id=consent.pk, expected_version=1, reason="No")
    before = world()
    with pytest.raises(NotReady) as refused:
        record.procedure_start(actor=actor, referral=ready, operator=operator)
    assert refused.value.blocking == [
        checklist.NO_CONSENT,
        "Fasting times recorded: last clear liquid and last food",
    ]
    assert world() == before


def test_a_nurse_cannot_override_the_gate(
    referral: Referral, actor: Actor, physician_actor: Actor, operator: User
) -> None:
    decide(referral, physician_actor)
    before = world()
    with pytest.raises(Forbidden, match="Only a physician may start with an emergency override"):
        record.procedure_start(
            actor=actor, referral=referral, operator=operator, emergency_reason="Unstable"
        )
    assert world() == before


def test_a_physician_starts_with_an_emergency_override_which_is_kept_and_audited(
    referral: Referral, physician_actor: Actor, operator: User
) -> None:
    decide(referral, physician_actor)
    started = record.procedure_start(
        actor=physician_actor,
        referral=referral,
        operator=operator,
        emergency_reason="  Intractable pain, consent given verbally before sedation  ",
    )
    blocking = [checklist.NO_CONSENT, started.gate_blocking[1], checklist.NO_CHECKLIST]
    assert started.gate_blocking == blocking
    assert blocking[1].startswith("Antithrombotic hold: no procedure is booked")
    assert started.emergency_override_reason == (
        "Intractable pain, consent given verbally before sedation"
    )
    assert started.emergency_override_by == operator
    assert started.consent is None
    event = AuditEvent.objects.latest("sequence")
    assert (event.object_type, event.action, event.summary) == (
        "ProcedureRecord",
        "create",
        "Procedure started with an emergency override",
    )
    assert event.changes["emergency_override"] == {
        "reason": "Intractable pain, consent given verbally before sedation",
        "overrode": blocking,
    }


def test_a_ready_referral_starts_with_its_consent_checklist_and_time_out(
    ready: Referral, actor: Actor, operator: User
) -> None:
    started = record.procedure_start(
        actor=actor, referral=ready, operator=operator, emergency_reason="ignored: nothing blocks"
    )
    assert started.status == "in_progress"
    assert started.consent == Consent.objects.get(referral=ready)
    assert started.checklist == ready.checklists.get()
    # The time-out is confirmed in the room, on the record: never carried over (issue 14).
    assert started.time_out_done is None
    assert (started.gate_blocking, started.emergency_override_reason) == ([], "")
    assert started.operator == operator


def test_start_refuses_an_undecided_referral_a_second_open_record_and_a_non_physician(
    ready: Referral, referral: Referral, actor: Actor, operator: User, users: dict[Role, User]
) -> None:
    record.procedure_start(actor=actor, referral=ready, operator=operator)
    before = world()
    with pytest.raises(DuplicateRecord):
        record.procedure_start(actor=actor, referral=ready, operator=operator)
    with pytest.raises(ValidationFailed) as refused:
        record.procedure_start(actor=actor, referral=ready, operator=users[Role.NURSE])
    assert refused.value.errors == {
        "operator": ["The operator is an active physician of the clinic."]
    }
    other = Referral.objects.create(
        patient=ready.patient,
        referring_clinician="Dr X",
        reason="Pain",
        referral_date=dt.date(2026, 11, 1),
    )
    with pytest.raises(TransitionNotAllowed, match="a procedure starts once the physician"):
        record.procedure_start(actor=actor, referral=other, operator=operator)
    with pytest.raises(Forbidden):
        record.procedure_start(
            actor=Actor(user=users[Role.SCHEDULER]), referral=ready, operator=operator
        )
    assert world() == before


# --- Entry checks (§4.2): refused with a message, nothing saved -----------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"volume_ml": Decimal(0)}, "volume_ml", "The cement volume must be more than 0 mL."),
        (
            {"volume_ml": Decimal(50)},
            "volume_ml",
            "50 mL at L2 is outside 0.5–15 mL: confirm it is mL (a unit error is likely). "
            "Tick the confirmation to keep it.",
        ),
        (
            {"volume_ml": Decimal("0.4")},
            "volume_ml",
            "0.4 mL at L2 is outside 0.5–15 mL: confirm it is mL (a unit error is likely). "
            "Tick the confirmation to keep it.",
        ),
        ({"level": "T13"}, "level", "Unknown level 'T13'."),
    ],
)
def test_bad_level_entries_are_refused_and_nothing_is_saved(
    started: ProcedureRecord, actor: Actor, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = world()
    with pytest.raises(ValidationFailed) as refused:
        record.level_add(actor=actor, procedure=started, data=level_data("L2") | overrides)
    assert refused.value.errors == {field: [message]}
    assert world() == before


def test_a_confirmed_unusual_volume_is_kept(started: ProcedureRecord, actor: Actor) -> None:
    level = record.level_add(
        actor=actor,
        procedure=started,
        data=level_data("L2", volume_ml=Decimal(16), volume_confirmed=True),
    )
    assert (level.volume_ml, level.volume_confirmed) == (Decimal(16), True)


def test_the_same_level_twice_is_refused(started: ProcedureRecord, actor: Actor) -> None:
    record.level_add(actor=actor, procedure=started, data=level_data("L2"))
    before = world()
    with pytest.raises(ValidationFailed) as refused:
        record.level_add(actor=actor, procedure=started, data=level_data("L2"))
    assert refused.value.errors == {"level": ["L2 is entered twice."]}
    assert world() == before


def test_a_fourth_level_needs_a_reason(started: ProcedureRecord, actor: Actor) -> None:
    for level in ("T11", "T12", "L1"):
        record.level_add(actor=actor, procedure=started, data=level_data(level))
    before = world()
    with pytest.raises(ValidationFailed) as refused:
        record.level_add(actor=actor, procedure=started, data=level_data("L2"))
    assert refused.value.errors == {
        "levels_reason": ["4 levels in one session: more than 3 needs a recorded reason [LCD]."]
    }
    assert world() == before
    fourth = record.level_add(
        actor=actor,
        procedure=started,
        data=level_data("L2"),
        levels_reason="Multiple myeloma, four painful acute levels",
    )
    assert fourth.position == 3
    assert fresh(started).levels_reason == "Multiple myeloma, four painful acute levels"


def test_an_end_before_the_start_is_refused(started: ProcedureRecord, actor: Actor) -> None:
    before = world()
    with pytest.raises(ValidationFailed) as refused:
        record.procedure_update(
            actor=actor,
            procedure=started,
            expected_version=1,
            data={"ended_at": started.started_at - dt.timedelta(minutes=1)},
        )
    assert refused.value.errors == {"ended_at": ["the end is before the start"]}
    assert world() == before
    assert fresh(started).ended_at is None


def test_dose_is_converted_visibly_and_bad_units_are_refused(
    started: ProcedureRecord, actor: Actor
) -> None:
    saved = record.procedure_set_imaging(
        actor=actor,
        procedure=started,
        expected_version=1,
        modality="fluoroscopy_single",
        doses={"fluoroscopy": ("2", "min"), "kap": ("1250", "cGy·cm²"), "kar": ("0.2", "Gy")},
    )
    saved = fresh(saved)
    assert (saved.fluoroscopy_time_s, saved.kap_gy_cm2, saved.kar_mgy) == (
        Decimal(120),
        Decimal("12.5"),
        Decimal(200),
    )
    assert saved.dose_as_entered == {
        "fluoroscopy": "2 min = 120 s",
        "kap": "1,250 cGy·cm² = 12.5 Gy·cm²",
        "kar": "0.2 Gy = 200 mGy",
    }
    before = world()
    with pytest.raises(ValidationFailed) as refused:
        record.procedure_set_imaging(
            actor=actor,
            procedure=started,
            expected_version=saved.version,
            modality="ct",
            doses={"kap": ("12", "Gy·m²"), "kar": ("-1", "mGy")},
        )
    assert refused.value.errors == {
        "kap": ["unit 'Gy·m²' is not one of Gy·cm², dGy·cm², cGy·cm², mGy·cm², µGy·m²"],
        "kar": ["must be zero or more"],
    }
    assert world() == before
    assert fresh(started).modality == "fluoroscopy_single"


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(
    started: ProcedureRecord, actor: Actor, physician_actor: Actor
) -> None:
    record.procedure_update(
        actor=physician_actor, procedure=started, expected_version=1, data={"team": "A, B"}
    )
    with pytest.raises(EditConflict) as refused:
        record.procedure_update(
            actor=actor, procedure=started, expected_version=1, data={"team": "C"}
        )
    assert refused.value.current_values == {"team": "A, B"}
    assert fresh(started).team == "A, B"


def test_adding_an_adverse_event_clears_no_adverse_event_and_the_reverse_is_refused(
    started: ProcedureRecord, actor: Actor
) -> None:
    record.procedure_update(
        actor=actor, procedure=started, expected_version=1, data={"no_adverse_events": True}
    )
    record.adverse_event_add(
        actor=actor, procedure=started, data={"kind": "haematoma", "sir_grade": 1}
    )
    assert fresh(started).no_adverse_events is False
    with pytest.raises(ValidationFailed) as refused:
        record.procedure_update(
            actor=actor,
            procedure=started,
            expected_version=fresh(started).version,
            data={"no_adverse_events": True},
        )
    assert refused.value.errors == {
        "no_adverse_events": ["Adverse events are recorded: mark them entered in error first."]
    }
    with pytest.raises(ValidationFailed) as refused:
        record.adverse_event_add(
            actor=actor, procedure=started, data={"kind": "other", "sir_grade": 2}
        )
    assert refused.value.errors == {"description": ["Describe the event."]}


# --- Signing -------------------------------------------------------------------------------


def test_an_incomplete_record_cannot_be_signed_and_lists_what_is_missing(
    started: ProcedureRecord, physician_actor: Actor
) -> None:
    before = world()
    with pytest.raises(NotReady) as refused:
        record.procedure_sign(actor=physician_actor, procedure=started, expected_version=1)
    assert refused.value.blocking == [
        "the procedure end time",
        "the patient's position",
        "whether the time-out was done",
        "the anaesthesia / sedation",
        "the imaging guidance modality",
        "at least one level treated",
        'the adverse events (or "no adverse event")',
        "the observation start",
        "the observation end",
        "the neurological check against baseline",
        "the recovery score's scale",
        "the recovery score",
        "the disposition (home the same day or admitted)",
    ]
    assert world() == before
    assert fresh(started).status == "in_progress"


def test_the_operator_signs_a_complete_record_and_the_referral_becomes_treated(
    complete: Callable[..., ProcedureRecord], physician_actor: Actor
) -> None:
    filled = complete()
    signed = record.procedure_sign(
        actor=physician_actor, procedure=filled, expected_version=filled.version
    )
    signed = fresh(signed)
    assert signed.status == "signed"
    assert signed.signed_by == physician_actor.user
    coding = signed.signed_summary["coding"]
    assert [(c["code"], c["levels"]) for c in coding["procedure"]] == [
        ("22510", ["T12"]),
        ("22512", ["L1"]),
    ]
    assert [(c["code"], c["levels"]) for c in coding["diagnosis"]] == [("M80.08XA", ["T12", "L1"])]
    assert signed.signed_summary["dose"] == {
        "substantial": False,
        "reasons": [],
        "missing": ["Ka,r"],
    }
    assert signed.signed_summary["settings"]["dose_kap_gy_cm2"] == "500"
    referral = signed.referral
    referral.refresh_from_db()
    assert referral.status == "treated"
    sign_event = AuditEvent.objects.filter(summary="Procedure record signed").get()
    assert sign_event.changes["codes"] == ["22510", "22512"]


def test_only_the_operator_signs(
    complete: Callable[..., ProcedureRecord], users: dict[Role, User], actor: Actor
) -> None:
    filled = complete()
    other = User.objects.create_user(username="dr-other", role=Role.PHYSICIAN)
    with pytest.raises(Forbidden, match="Only the operator"):
        record.procedure_sign(
            actor=Actor(user=other), procedure=filled, expected_version=filled.version
        )
    with pytest.raises(Forbidden):
        record.procedure_sign(actor=actor, procedure=filled, expected_version=filled.version)
    assert fresh(filled).status == "in_progress"


@pytest.fixture
def signed(complete: Callable[..., ProcedureRecord], physician_actor: Actor) -> ProcedureRecord:
    filled = complete()
    return fresh(
        record.procedure_sign(
            actor=physician_actor, procedure=filled, expected_version=filled.version
        )
    )


def test_no_service_changes_a_signed_record(signed: ProcedureRecord, actor: Actor) -> None:
    level = signed.levels.first()
    assert level is not None
    leak = CementLeak.objects.get()
    event = AdverseEvent.objects.get()
    attempts: list[Callable[[], Any]] = [
        lambda: record.procedure_update(
            actor=actor, procedure=signed, expected_version=signed.version, data={"team": "X"}
        ),
        lambda: record.procedure_set_imaging(
            actor=actor,
            procedure=signed,
            expected_version=signed.version,
            modality="ct",
            doses={},
        ),
        lambda: record.level_add(actor=actor, procedure=signed, data=level_data("L3")),
        lambda: record.level_update(
            actor=actor,
            level=level,
            expected_version=level.version,
            data={"volume_ml": Decimal(9)},
        ),
        lambda: record.leak_add(
            actor=actor,
            level=level,
            data={"leak_type": "C", "location": "intradiscal", "symptomatic": False},
        ),
        lambda: record.adverse_event_add(
            actor=actor, procedure=signed, data={"kind": "fever", "sir_grade": 1}
        ),
        lambda: record.medication_add(
            actor=actor,
            procedure=signed,
            data={"kind": "sedation", "agent": "midazolam", "dose": 2, "dose_unit": "mg"},
        ),
        lambda: record.vitals_add(
            actor=actor,
            procedure=signed,
            data={"taken_at": signed.started_at, "spo2_percent": 97},
        ),
        lambda: record.entry_retract(actor=actor, entry=leak, reason="wrong"),
        lambda: record.entry_retract(actor=actor, entry=event, reason="wrong"),
        lambda: record.procedure_enter_in_error(actor=actor, procedure=signed, reason="wrong"),
    ]
    before = world()
    for attempt in attempts:
        with pytest.raises(RecordSigned, match="signed and never changes"):
            attempt()
    assert world() == before
    assert fresh(signed).version == signed.version


def test_the_database_refuses_any_change_to_a_signed_record(signed: ProcedureRecord) -> None:
    """The guarantee behind the services: even a direct query cannot change it."""
    level = signed.levels.get(level="L1")
    attempts: list[Callable[[], Any]] = [
        lambda: ProcedureRecord.objects.filter(pk=signed.pk).update(team="changed"),
        lambda: ProcedureRecord.objects.filter(pk=signed.pk).update(status="in_progress"),
        lambda: ProcedureLevel.objects.filter(pk=level.pk).update(volume_ml=Decimal(9)),
        lambda: CementLeak.objects.filter(level=level).update(symptomatic=True),
        lambda: AdverseEvent.objects.filter(procedure=signed).delete(),
        lambda: ProcedureLevel.objects.create(procedure=signed, position=9, level="L4"),
        lambda: CementLeak.objects.create(
            level=level, leak_type="B", location="epidural", symptomatic=True
        ),
    ]
    for attempt in attempts:
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            attempt()
    assert fresh(signed).team == signed.team
    assert level.volume_ml == ProcedureLevel.objects.get(pk=level.pk).volume_ml == Decimal("3.5")
    assert AdverseEvent.objects.filter(procedure=signed).count() == 1


def test_an_in_progress_record_can_still_be_changed_directly(started: ProcedureRecord) -> None:
    # The triggers guard signed records only.
    ProcedureRecord.objects.filter(pk=started.pk).update(team="ok")
    assert fresh(started).team == "ok"


def test_an_addendum_corrects_a_signed_record_with_who_when_why(
    signed: ProcedureRecord, actor: Actor
) -> None:
    added = record.addendum_add(
        actor=actor,
        procedure=signed,
        reason="Lot number transcribed wrongly",
        text="The cement lot at L1 was LOT-4712.",
    )
    assert (added.author, added.reason, added.text) == (
        actor.user,
        "Lot number transcribed wrongly",
        "The cement lot at L1 was LOT-4712.",
    )
    event = AuditEvent.objects.latest("sequence")
    assert event.summary == "Addendum to a signed procedure record"
    assert event.changes["reason"] == "Lot number transcribed wrongly"
    assert fresh(signed).signed_summary == signed.signed_summary


def test_an_addendum_needs_a_reason_and_text_and_a_signed_record(
    signed: ProcedureRecord, started: ProcedureRecord, actor: Actor, users: dict[Role, User]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        record.addendum_add(actor=actor, procedure=signed, reason=" ", text="")
    assert refused.value.errors == {
        "reason": ["Say why the addendum is needed."],
        "text": ["Write the addendum."],
    }
    with pytest.raises(Forbidden):
        record.addendum_add(
            actor=Actor(user=users[Role.QUALITY_LEAD]), procedure=signed, reason="x", text="y"
        )
    assert ProcedureAddendum.objects.count() == 0


def test_an_addendum_is_refused_before_signing(started: ProcedureRecord, actor: Actor) -> None:
    with pytest.raises(TransitionNotAllowed, match="not signed yet"):
        record.addendum_add(actor=actor, procedure=started, reason="x", text="y")
    assert ProcedureAddendum.objects.count() == 0


def test_an_entry_entered_in_error_is_kept_with_its_reason(
    started: ProcedureRecord, actor: Actor
) -> None:
    level = record.level_add(actor=actor, procedure=started, data=level_data("L2"))
    record.entry_retract(actor=actor, entry=level, reason="Wrong level selected")
    level.refresh_from_db()
    assert (level.record_status, level.entered_in_error_reason) == (
        "entered_in_error",
        "Wrong level selected",
    )
    # The level may be entered again, correctly.
    record.level_add(actor=actor, procedure=started, data=level_data("L2"))


def test_leakage_none_is_refused_while_leaks_are_recorded(
    started: ProcedureRecord, actor: Actor
) -> None:
    level = record.level_add(actor=actor, procedure=started, data=level_data("L2"))
    record.leak_add(
        actor=actor,
        level=level,
        data={"leak_type": "D", "location": "intradiscal", "symptomatic": False},
    )
    level.refresh_from_db()
    assert level.leakage == "present"
    with pytest.raises(ValidationFailed) as refused:
        record.level_update(
            actor=actor, level=level, expected_version=level.version, data={"leakage": "none"}
        )
    assert refused.value.errors == {
        "leakage": ["Leaks are recorded at this level: mark them entered in error first."]
    }


def test_a_signed_record_survives_a_move_between_databases(
    signed: ProcedureRecord, tmp_path: Any
) -> None:
    """operations.md §3 moves a clinic with dumpdata and loaddata: the record's row is loaded
    before its entries, which are dated before the signature and so accepted."""
    from django.core.management import call_command

    from vertebra.procedures.tests.guard import empty_procedure_tables

    dump = tmp_path / "procedures.json"
    call_command("dumpdata", "procedures", "--natural-foreign", "--output", str(dump))
    before = world()
    empty_procedure_tables()
    assert ProcedureRecord.objects.count() == 0
    call_command("loaddata", str(dump), verbosity=0)
    assert world()[:4] == before[:4]
    assert fresh(signed).signed_summary == signed.signed_summary
    # Loaded, it is as unchangeable as before.
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ProcedureLevel.objects.filter(procedure=signed).update(volume_ml=Decimal(1))
