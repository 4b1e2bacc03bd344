"""Patient, referral, fracture and assessment services: exact effects, refusals that change
nothing, audit rows in the same transaction, and the concurrent-edit conflict."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vertebra.audit.models import AuditEvent
from vertebra.core import timeutil
from vertebra.core.errors import (
    DuplicateRecord,
    EditConflict,
    Forbidden,
    RecordInactive,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import RecordStatus, Role
from vertebra.patients import services
from vertebra.patients.models import (
    ClinicalAssessment,
    Fracture,
    Patient,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)

pytestmark = pytest.mark.django_db


def test_patient_create_stores_fields_search_text_and_one_audit_row(actor):
    patient = services.patient_create(
        actor=actor,
        data={
            "mrn": " MRN-77 ",
            "family_name": "Łęcka-Müller",
            "given_name": "Zoë",
            "birth_date": dt.date(1950, 1, 2),
            "sex": "female",
            "phone": "",
            "email": "",
        },
    )
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.mrn == "MRN-77"
    assert stored.search_text == "lecka muller zoe mrn 77"
    assert stored.version == 1
    events = list(AuditEvent.objects.filter(object_id=str(patient.public_id)))
    assert len(events) == 1
    assert events[0].action == "create"
    assert events[0].patient_id == patient.pk
    assert events[0].actor_username == actor.user.username
    assert events[0].actor_role == "nurse"
    assert events[0].client_address == "127.0.0.1"
    assert events[0].changes["family_name"] == [None, "Łęcka-Müller"]


def test_duplicate_mrn_is_refused_case_insensitively_and_nothing_is_written(actor, patient):
    before = (Patient.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DuplicateRecord) as refused:
        services.patient_create(
            actor=actor,
            data={
                "mrn": patient.mrn.lower(),
                "family_name": "Other",
                "given_name": "Person",
                "birth_date": dt.date(1960, 1, 1),
                "sex": "",
                "phone": "",
                "email": "",
            },
        )
    assert refused.value.field == "mrn"
    assert "already belongs" in refused.value.message
    assert (Patient.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("field", "value", "message_part"),
    [
        ("birth_date", dt.date(2999, 1, 1), "future"),
        ("birth_date", dt.date(1800, 1, 1), "more than 150 years ago"),
        ("family_name", "", "blank"),
        ("sex", "unknown-sex", "not a valid choice"),
        ("email", "not-an-email", "valid email"),
    ],
)
def test_invalid_patient_input_is_refused_per_field_and_saves_nothing(
    actor, field, value, message_part
):
    data = {
        "mrn": "NEW-1",
        "family_name": "Valid",
        "given_name": "Name",
        "birth_date": dt.date(1950, 1, 1),
        "sex": "",
        "phone": "",
        "email": "",
        field: value,
    }
    with pytest.raises(ValidationFailed) as refused:
        services.patient_create(actor=actor, data=data)
    assert field in refused.value.errors
    assert message_part in " ".join(refused.value.errors[field]).lower()
    assert not Patient.objects.filter(mrn="NEW-1").exists()
    assert AuditEvent.objects.count() == 0


def test_unknown_field_is_refused(actor):
    with pytest.raises(ValidationFailed) as refused:
        services.patient_create(actor=actor, data={"mrn": "X", "nickname": "Zed"})
    assert refused.value.errors == {"nickname": ["Unknown field."]}


def test_update_records_old_and_new_values_and_bumps_version(actor, patient):
    updated = services.patient_update(
        actor=actor, patient=patient, expected_version=1, data={"family_name": "Meyer"}
    )
    assert updated.version == 2
    assert Patient.objects.get(pk=patient.pk).search_text.startswith("meyer ")
    event = AuditEvent.objects.filter(action="update").get()
    assert event.changes == {"family_name": ["Müller", "Meyer"], "version": [1, 2]}


def test_update_without_change_writes_nothing(actor, patient):
    services.patient_update(
        actor=actor, patient=patient, expected_version=1, data={"family_name": "Müller"}
    )
    assert Patient.objects.get(pk=patient.pk).version == 1
    assert not AuditEvent.objects.filter(action="update").exists()


def test_concurrent_edit_is_detected_and_nothing_is_overwritten(actor, physician_actor, patient):
    # Both loaded version 1; the physician saves first.
    services.patient_update(
        actor=physician_actor, patient=patient, expected_version=1, data={"phone": "+49 30 1234"}
    )
    with pytest.raises(EditConflict) as conflict:
        services.patient_update(
            actor=actor,
            patient=patient,
            expected_version=1,
            data={"phone": "+49 40 9999", "given_name": "Zoe"},
        )
    assert conflict.value.current_version == 2
    assert conflict.value.current_values == {"phone": "+49 30 1234"}
    stored = Patient.objects.get(pk=patient.pk)
    assert (stored.phone, stored.given_name, stored.version) == ("+49 30 1234", "Zoë", 2)
    # Having seen the conflict, the nurse saves on top of version 2.
    services.patient_update(
        actor=actor, patient=patient, expected_version=2, data={"phone": "+49 40 9999"}
    )
    assert Patient.objects.get(pk=patient.pk).phone == "+49 40 9999"


def test_duplicate_mrn_on_update_is_refused(actor, make_patient):
    first, second = make_patient(), make_patient()
    with pytest.raises(DuplicateRecord):
        services.patient_update(
            actor=actor, patient=second, expected_version=1, data={"mrn": first.mrn}
        )
    assert Patient.objects.get(pk=second.pk).mrn != first.mrn


def test_entered_in_error_needs_a_reason_keeps_the_row_and_blocks_edits(actor, patient):
    with pytest.raises(ValidationFailed):
        services.patient_enter_in_error(actor=actor, patient=patient, reason="  ")
    services.patient_enter_in_error(actor=actor, patient=patient, reason="Duplicate registration")
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.record_status == RecordStatus.ENTERED_IN_ERROR
    assert stored.entered_in_error_reason == "Duplicate registration"
    with pytest.raises(RecordInactive):
        services.patient_update(
            actor=actor, patient=patient, expected_version=2, data={"phone": "1"}
        )
    assert AuditEvent.objects.filter(action="entered_in_error", patient=patient).count() == 1


def test_referral_create_starts_referred_with_an_empty_assessment(actor, patient):
    referral = services.referral_create(
        actor=actor,
        patient=patient,
        data={
            "referring_clinician": "Dr GP",
            "reason": "Back pain",
            "referral_date": dt.date(2026, 11, 1),
        },
    )
    assert referral.status == ReferralStatus.REFERRED
    assessment = ClinicalAssessment.objects.get(referral=referral)
    assert assessment.pain_nrs is None
    assert assessment.pain_attributable_to_fracture is None  # not assessed, not "no"


def test_referral_date_in_future_is_refused(actor, patient):
    with pytest.raises(ValidationFailed) as refused:
        services.referral_create(
            actor=actor,
            patient=patient,
            data={
                "referring_clinician": "Dr GP",
                "reason": "x",
                "referral_date": dt.date(2999, 1, 1),
            },
        )
    assert "referral_date" in refused.value.errors
    assert not Referral.objects.exists()


def test_a_date_of_birth_150_years_ago_is_accepted(actor):
    today = timeutil.clinic_today()
    born = today.replace(year=today.year - 150)
    patient = services.patient_create(
        actor=actor,
        data={"mrn": "OLD-1", "family_name": "Old", "given_name": "A", "birth_date": born},
    )
    assert patient.birth_date == born


@pytest.mark.parametrize("field", ["onset_date", "imaging_date"])
def test_a_fracture_dated_in_the_future_is_refused_and_saves_nothing(actor, referral, field):
    tomorrow = timeutil.clinic_today() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        services.fracture_create(
            actor=actor, referral=referral, data={"level": "L1", field: tomorrow}
        )
    assert refused.value.errors == {
        field: [f"{field.replace('_', ' ').capitalize()} can't be in the future."]
    }
    assert not Fracture.objects.exists()
    fracture = services.fracture_create(
        actor=actor, referral=referral, data={"level": "L1", field: timeutil.clinic_today()}
    )
    with pytest.raises(ValidationFailed):
        services.fracture_update(
            actor=actor, fracture=fracture, expected_version=1, data={field: tomorrow}
        )
    assert getattr(Fracture.objects.get(pk=fracture.pk), field) == timeutil.clinic_today()


def test_status_moves_along_the_pathway_with_history_and_audit(actor, physician_actor, referral):
    services.referral_set_status(actor=actor, referral=referral, to_status="evaluating")
    services.referral_set_status(actor=physician_actor, referral=referral, to_status="decided")
    history = list(
        ReferralStatusChange.objects.filter(referral=referral).values_list(
            "from_status", "to_status", "changed_by__role"
        )
    )
    assert history == [("referred", "evaluating", "nurse"), ("evaluating", "decided", "physician")]
    events = AuditEvent.objects.filter(action="status_change").order_by("sequence")
    assert [e.changes["status"] for e in events] == [
        ["referred", "evaluating"],
        ["evaluating", "decided"],
    ]


def test_only_a_physician_records_the_decision(actor, referral):
    services.referral_set_status(actor=actor, referral=referral, to_status="evaluating")
    with pytest.raises(Forbidden):
        services.referral_set_status(actor=actor, referral=referral, to_status="decided")
    assert Referral.objects.get(pk=referral.pk).status == "evaluating"


def test_deciding_or_treating_by_hand_needs_a_reason(actor, physician_actor, referral):
    services.referral_set_status(actor=actor, referral=referral, to_status="evaluating")
    with pytest.raises(ValidationFailed) as refused:
        services.referral_set_status(
            actor=physician_actor, referral=referral, to_status="decided", by_hand=True
        )
    assert refused.value.errors == {
        "reason": [
            "Say why the referral is decided without a final decision recorded on an "
            "evaluation (recording the decision there moves it)."
        ]
    }
    assert Referral.objects.get(pk=referral.pk).status == "evaluating"
    assert ReferralStatusChange.objects.count() == 1
    services.referral_set_status(
        actor=physician_actor,
        referral=referral,
        to_status="decided",
        reason="Decided at the spine meeting",
        by_hand=True,
    )
    services.referral_set_status(actor=actor, referral=referral, to_status="scheduled")
    with pytest.raises(ValidationFailed) as refused:
        services.referral_set_status(
            actor=actor, referral=referral, to_status="treated", by_hand=True
        )
    assert "without a procedure record" in refused.value.errors["reason"][0]
    assert Referral.objects.get(pk=referral.pk).status == "scheduled"
    services.referral_set_status(
        actor=actor,
        referral=referral,
        to_status="treated",
        reason="Treated elsewhere",
        by_hand=True,
    )
    reasons = list(
        ReferralStatusChange.objects.filter(referral=referral)
        .order_by("changed_at", "pk")
        .values_list("to_status", "reason")
    )
    assert reasons == [
        ("evaluating", ""),
        ("decided", "Decided at the spine meeting"),
        ("scheduled", ""),
        ("treated", "Treated elsewhere"),
    ]


def test_skipping_a_stage_is_refused_and_changes_nothing(actor, referral):
    with pytest.raises(TransitionNotAllowed) as refused:
        services.referral_set_status(actor=actor, referral=referral, to_status="treated")
    assert "can move to" in refused.value.message
    assert Referral.objects.get(pk=referral.pk).status == "referred"
    assert not ReferralStatusChange.objects.exists()


def test_closing_needs_a_reason(actor, referral):
    with pytest.raises(ValidationFailed):
        services.referral_set_status(actor=actor, referral=referral, to_status="closed")
    services.referral_set_status(
        actor=actor, referral=referral, to_status="closed", reason="Patient declined"
    )
    assert Referral.objects.get(pk=referral.pk).status == "closed"


def test_stale_status_change_is_refused(actor, referral):
    services.referral_set_status(actor=actor, referral=referral, to_status="evaluating")
    with pytest.raises(TransitionNotAllowed):
        services.referral_set_status(
            actor=actor, referral=referral, to_status="closed", reason="x", expected_version=1
        )


def test_scheduler_may_not_edit_clinical_facts(users, referral):
    from vertebra.core.actor import Actor

    scheduler = Actor(user=users[Role.SCHEDULER])
    with pytest.raises(Forbidden):
        services.fracture_create(actor=scheduler, referral=referral, data={"level": "T12"})
    assert not Fracture.objects.exists()


def test_fracture_level_once_per_referral_and_free_again_after_entered_in_error(actor, referral):
    first = services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    with pytest.raises(ValidationFailed) as refused:
        services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    assert "already recorded" in refused.value.errors["level"][0]
    services.fracture_enter_in_error(actor=actor, fracture=first, reason="Wrong level")
    again = services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    assert again.pk != first.pk
    assert Fracture.objects.filter(referral=referral).count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"level": "T13"}, "level"),
        ({"level": "L1", "height_anterior_mm": Decimal("-1")}, "height_anterior_mm"),
        ({"level": "L1", "height_reference_mm": Decimal("0")}, "height_reference_mm"),
        ({"level": "L1", "canal_compromise_percent": Decimal("101")}, "canal_compromise_percent"),
        ({"level": "L1", "etiology": "alien"}, "etiology"),
    ],
)
def test_invalid_fracture_input_is_refused(actor, referral, data, field):
    with pytest.raises(ValidationFailed) as refused:
        services.fracture_create(actor=actor, referral=referral, data=data)
    assert field in refused.value.errors
    assert not Fracture.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pain_nrs", 11),
        ("function_rmdq", 25),
        ("asa_class", 0),
        ("asa_class", 7),
        ("coagulation_inr", Decimal("0")),
        ("pain_trend", "sideways"),
    ],
)
def test_assessment_ranges_are_enforced(actor, referral, field, value):
    assessment = referral.assessment
    with pytest.raises(ValidationFailed) as refused:
        services.assessment_update(
            actor=actor, assessment=assessment, expected_version=1, data={field: value}
        )
    assert field in refused.value.errors
    stored = ClinicalAssessment.objects.get(pk=assessment.pk)
    assert getattr(stored, field) in (None, "")
    assert stored.version == 1


def test_assessment_boundaries_are_accepted(actor, referral):
    services.assessment_update(
        actor=actor,
        assessment=referral.assessment,
        expected_version=1,
        data={
            "pain_nrs": 10,
            "function_rmdq": 24,
            "asa_class": 6,
            "pain_attributable_to_fracture": False,
        },
    )
    stored = ClinicalAssessment.objects.get(pk=referral.assessment.pk)
    assert (stored.pain_nrs, stored.function_rmdq, stored.asa_class) == (10, 24, 6)
    assert stored.pain_attributable_to_fracture is False


def test_every_input_problem_is_reported_in_one_round(actor, patient):
    with pytest.raises(ValidationFailed) as refused:
        services.patient_create(
            actor=actor,
            data={
                "mrn": "NEW-2",
                "family_name": "",
                "given_name": "A",
                "birth_date": dt.date(2999, 1, 1),
                "sex": "",
                "phone": "",
                "email": "bad",
            },
        )
    assert set(refused.value.errors) == {"family_name", "birth_date", "email"}


def test_duplicate_level_is_checked_only_once_the_input_is_valid(actor, referral):
    services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    with pytest.raises(ValidationFailed) as refused:
        services.fracture_create(
            actor=actor,
            referral=referral,
            data={"level": "T12", "height_anterior_mm": Decimal("-3")},
        )
    assert set(refused.value.errors) == {"height_anterior_mm"}


@pytest.mark.parametrize(
    "query", ["obrien", "O'Brien", "o’brien", "brien siobh", "1950-01-02", "02.01.1950"]
)
def test_search_ignores_case_accents_and_punctuation(actor, make_patient, query):
    from vertebra.patients.selectors import patient_search

    wanted = make_patient(
        family_name="O'Brien", given_name="Siobhán", birth_date=dt.date(1950, 1, 2)
    )
    make_patient(family_name="Brienne", given_name="Tarth", birth_date=dt.date(1951, 1, 2))
    assert [p.pk for p in patient_search(query=query)] == [wanted.pk]


def test_search_by_partial_mrn(actor, make_patient):
    from vertebra.patients.selectors import patient_search

    wanted = make_patient(mrn="AB-123456")
    make_patient(mrn="CD-999")
    assert [p.pk for p in patient_search(query="23456")] == [wanted.pk]
    assert [p.pk for p in patient_search(query="ab-123")] == [wanted.pk]


def test_retracting_a_patient_retracts_their_referrals_and_empties_the_worklist(actor, referral):
    from vertebra.patients.selectors import worklist

    assert [r.pk for r in worklist().referrals] == [referral.pk]
    services.patient_enter_in_error(actor=actor, patient=referral.patient, reason="Test record")
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.record_status == RecordStatus.ENTERED_IN_ERROR
    assert stored.entered_in_error_reason == "Patient record entered in error: Test record"
    assert worklist().referrals == []
    assert worklist().counts["referred"] == 0


def test_worklist_counts_levels_and_statuses(actor, referral, make_referral, patient):
    from vertebra.patients.selectors import worklist

    services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    gone = services.fracture_create(actor=actor, referral=referral, data={"level": "L1"})
    services.fracture_enter_in_error(actor=actor, fracture=gone, reason="Wrong level")
    second = make_referral(patient, referral_date=dt.date(2026, 10, 1))
    services.referral_set_status(actor=actor, referral=second, to_status="evaluating")
    data = worklist()
    assert [(r.pk, r.level_count) for r in data.referrals] == [(second.pk, 0), (referral.pk, 1)]
    assert (data.counts["referred"], data.counts["evaluating"], data.total) == (1, 1, 2)
    assert [r.pk for r in worklist(status="evaluating").referrals] == [second.pk]


def test_worklist_pages_show_every_open_referral_oldest_first(actor, make_patient, make_referral):
    from vertebra.patients.selectors import WORKLIST_PAGE_SIZE, worklist

    patient = make_patient()
    made = [
        make_referral(patient, referral_date=dt.date(2026, 1, 1) + dt.timedelta(days=i))
        for i in range(WORKLIST_PAGE_SIZE + 3)
    ]
    first, second = worklist(page=1), worklist(page=2)
    assert (first.pages, first.total, first.first_row, first.last_row) == (2, 53, 1, 50)
    assert [r.pk for r in first.referrals + second.referrals] == [r.pk for r in made]
    assert (second.first_row, second.last_row) == (51, 53)
    assert worklist(page=99).page == 2  # past the end: the last page
    assert worklist(page=0).page == 1
