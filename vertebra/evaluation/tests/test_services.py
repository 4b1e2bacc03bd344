"""Evaluations built from the stored record: stored reproducibly, audited, and the physician's
final decision moving the referral, with departures requiring a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import Forbidden, RulesetChanged, TransitionNotAllowed, ValidationFailed
from vertebra.core.models import Role
from vertebra.evaluation import rules, services
from vertebra.evaluation.models import Evaluation, FinalDecision, RuleSettingsVersion
from vertebra.evaluation.snapshot import snapshot_loads
from vertebra.patients import services as patient_services
from vertebra.patients.models import Referral, ReferralStatusChange

pytestmark = pytest.mark.django_db

COMPLETE_ASSESSMENT = {
    "pregnant": False,
    "hospitalized": False,
    "asa_class": 3,
    "can_lie_prone": True,
    "pain_nrs": 7,
    "pain_trend": "worsening",
    "pain_duration_weeks": Decimal("3"),
    "pain_attributable_to_fracture": True,
    "pain_radicular": False,
    "conservative_care_tried": True,
    "conservative_care_duration_weeks": Decimal("3"),
    "conservative_care_non_ambulatory_due_to_pain": False,
    "conservative_care_physical_therapy_intolerable": False,
    "conservative_care_analgesic_side_effects": True,
    "function_rmdq": 18,
    "function_ambulation": "walker",
    "neuro_deficit": False,
    "neuro_myelopathy": False,
    "infection_local": False,
    "infection_systemic": False,
    "coagulation_inr": Decimal("1.1"),
    "coagulation_platelets_10e9_per_l": Decimal("240"),
    "coagulation_correctable": True,
    "coagulation_antithrombotics_reviewed": True,
    "allergies_pmma": False,
    "allergies_contrast": False,
    "allergies_local_anaesthetic": False,
    "bone_health_t_score": Decimal("-3.2"),
    "bone_health_osteoporosis_treatment": False,
    "bone_health_prior_vertebral_fractures": 1,
    "bone_health_chronic_corticosteroids": False,
    "surgical_backup_available": True,
    "planned_procedure_date": dt.date(2026, 12, 10),
}
L1_FRACTURE = {
    "level": "L1",
    "etiology": "osteoporotic",
    "high_energy_trauma": False,
    "onset_date": dt.date(2026, 11, 1),
    "mri_oedema": True,
    "height_anterior_mm": Decimal("19.0"),
    "height_middle_mm": Decimal("22.0"),
    "height_posterior_mm": Decimal("27.0"),
    "height_reference_mm": Decimal("28.0"),
    "kyphotic_deformity": True,
    "height_loss_progression": False,
    "posterior_wall": "intact",
    "retropulsion": False,
    "canal_compromise_percent": Decimal("0"),
    "epidural_extension": False,
    "intravertebral_cleft": False,
    "cortical_disruption": False,
    "both_endplates": False,
    "tension_band_failure": False,
}


@pytest.fixture
def candidate(actor, referral):
    """The shared example 'recommended-osteoporotic-l1', entered through the services."""
    patient_services.assessment_update(
        actor=actor, assessment=referral.assessment, expected_version=1, data=COMPLETE_ASSESSMENT
    )
    patient_services.fracture_create(actor=actor, referral=referral, data=L1_FRACTURE)
    return Referral.objects.get(pk=referral.pk)


def test_evaluation_is_stored_with_snapshot_version_settings_and_audit(actor, candidate):
    evaluation = services.evaluation_run(actor=actor, referral=candidate)
    assert evaluation.decision == "recommended"
    assert evaluation.ruleset_version == rules.RULESET_VERSION
    assert evaluation.settings_used == rules.RuleSettings().to_dict()
    stored = snapshot_loads(evaluation.snapshot)
    assert stored["pain"]["nrs"] == 7
    assert stored["fractures"][0]["heights_mm"]["anterior"] == Decimal("19.0")
    level = evaluation.result["levels"][0]
    assert (
        level["level"],
        level["target"],
        level["genant"]["grade"],
        level["genant"]["morphology"],
    ) == ("L1", True, 2, "wedge")
    assert {"IND-ACUTE-FRACTURE", "IND-PAIN-SEVERITY", "PRE-BMD"} <= {
        f["rule"] for f in evaluation.result["findings"]
    }
    event = AuditEvent.objects.get(object_type="Evaluation")
    assert event.patient_id == candidate.patient_id
    # The first evaluation moves a new referral into "evaluating".
    assert Referral.objects.get(pk=candidate.pk).status == "evaluating"


def test_evaluation_reads_the_facts_saved_since_the_instance_was_loaded(actor, referral):
    """The caller's referral caches its (empty) assessment; the facts saved through the
    services afterwards are the ones evaluated, not the cached ones."""
    cached = referral.assessment  # loaded before the facts are recorded
    patient_services.assessment_update(
        actor=actor, assessment=cached, expected_version=1, data=COMPLETE_ASSESSMENT
    )
    patient_services.fracture_create(actor=actor, referral=referral, data=L1_FRACTURE)
    assert referral.assessment.pain_nrs is None  # the instance still holds the old values
    evaluation = services.evaluation_run(actor=actor, referral=referral)
    assert evaluation.decision == "recommended"
    assert snapshot_loads(evaluation.snapshot)["pain"]["nrs"] == 7


def test_rerunning_the_stored_snapshot_gives_the_identical_result(actor, candidate):
    evaluation = services.evaluation_run(actor=actor, referral=candidate)
    # Later edits to the record do not change what the stored evaluation reproduces.
    patient_services.assessment_update(
        actor=actor, assessment=candidate.assessment, expected_version=2, data={"pain_nrs": 2}
    )
    assert services.evaluation_reproduce(evaluation) == evaluation.result


def test_an_evaluation_from_another_rule_set_is_not_rerun_under_this_one(actor, candidate):
    evaluation = services.evaluation_run(actor=actor, referral=candidate)
    Evaluation.objects.filter(pk=evaluation.pk).update(ruleset_version="vertebra-rules-1.0.0")
    evaluation.refresh_from_db()
    with pytest.raises(RulesetChanged, match=r"made under vertebra-rules-1\.0\.0"):
        services.evaluation_reproduce(evaluation)
    # Refusing changed nothing: the stored result stands.
    assert Evaluation.objects.get(pk=evaluation.pk).result == evaluation.result


def test_missing_facts_make_the_evaluation_incomplete(actor, referral):
    evaluation = services.evaluation_run(actor=actor, referral=referral)
    assert evaluation.decision == "incomplete"
    missing = {
        f["rule"] for f in evaluation.result["findings"] if f["kind"] == "missing_information"
    }
    assert {"IND-PAIN-SEVERITY", "IND-ACUTE-FRACTURE"} <= missing


def test_settings_in_force_are_used_and_recorded(users, actor, candidate):
    admin = Actor(user=users[Role.ADMINISTRATOR])
    services.rule_settings_update(
        actor=admin,
        values={"pregnancy_contraindication": "relative"},
        reason="Local protocol follows L38213",
    )
    evaluation = services.evaluation_run(actor=actor, referral=candidate)
    assert evaluation.settings_used["pregnancy_contraindication"] == "relative"
    changes = AuditEvent.objects.filter(object_type="RuleSettings").get().changes
    assert changes["pregnancy_contraindication"] == ["absolute", "relative"]


def test_only_an_administrator_changes_settings(actor):
    with pytest.raises(Forbidden):
        services.rule_settings_update(
            actor=actor, values={"pregnancy_contraindication": "relative"}, reason="x"
        )
    assert not RuleSettingsVersion.objects.exists()


def test_agreeing_decision_moves_the_referral_to_decided(actor, physician_actor, candidate):
    evaluation = services.evaluation_run(actor=actor, referral=candidate)
    decision = services.evaluation_record_decision(
        actor=physician_actor, evaluation=evaluation, choice="proceed"
    )
    assert decision.agrees_with_recommendation is True
    assert Referral.objects.get(pk=candidate.pk).status == "decided"
    assert AuditEvent.objects.filter(object_type="FinalDecision").count() == 1


def test_departure_needs_a_reason_and_closes_when_not_proceeding(actor, physician_actor, candidate):
    evaluation = services.evaluation_run(actor=actor, referral=candidate)
    with pytest.raises(ValidationFailed) as refused:
        services.evaluation_record_decision(
            actor=physician_actor, evaluation=evaluation, choice="do_not_proceed", reason="  "
        )
    assert "reason" in refused.value.errors
    assert not FinalDecision.objects.exists()
    assert Referral.objects.get(pk=candidate.pk).status == "evaluating"
    decision = services.evaluation_record_decision(
        actor=physician_actor,
        evaluation=evaluation,
        choice="do_not_proceed",
        reason="Patient prefers to continue bracing",
    )
    assert decision.agrees_with_recommendation is False
    referral = Referral.objects.get(pk=candidate.pk)
    assert referral.status == "closed"
    assert (
        ReferralStatusChange.objects.filter(referral=referral, to_status="closed").get().reason
        == "Decision not to proceed: Patient prefers to continue bracing"
    )


def test_a_nurse_cannot_record_the_final_decision(actor, candidate):
    evaluation = services.evaluation_run(actor=actor, referral=candidate)
    with pytest.raises(Forbidden):
        services.evaluation_record_decision(actor=actor, evaluation=evaluation, choice="proceed")
    assert not FinalDecision.objects.exists()


def test_decisions_only_on_the_newest_evaluation_and_only_once(actor, physician_actor, candidate):
    older = services.evaluation_run(actor=actor, referral=candidate)
    newer = services.evaluation_run(actor=actor, referral=candidate)
    with pytest.raises(TransitionNotAllowed):
        services.evaluation_record_decision(
            actor=physician_actor, evaluation=older, choice="proceed"
        )
    services.evaluation_record_decision(actor=physician_actor, evaluation=newer, choice="proceed")
    with pytest.raises(TransitionNotAllowed):
        services.evaluation_record_decision(
            actor=physician_actor, evaluation=newer, choice="proceed"
        )
    assert FinalDecision.objects.count() == 1
    assert Evaluation.objects.count() == 2


def test_closed_referrals_are_not_evaluated(actor, candidate):
    patient_services.referral_set_status(
        actor=actor, referral=candidate, to_status="closed", reason="Patient moved away"
    )
    with pytest.raises(TransitionNotAllowed, match="before treatment"):
        services.evaluation_run(actor=actor, referral=Referral.objects.get(pk=candidate.pk))
    assert not Evaluation.objects.exists()


def test_evaluable_statuses_match_the_chart(client_for, actor, candidate):
    chart = client_for(Role.NURSE).get(f"/staff/patients/{candidate.patient.public_id}/")
    assert set(chart.context["evaluable_statuses"]) == set(services.EVALUABLE_STATUSES)
