"""Running and storing evaluations, recording the physician's final decision, and changing the
clinic's rule settings. Each write is one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record
from vertebra.core import timeutil
from vertebra.core.actor import Actor
from vertebra.core.errors import (
    Forbidden,
    RulesetChanged,
    TransitionNotAllowed,
    ValidationFailed,
)
from vertebra.core.models import RecordStatus, system_user
from vertebra.core.permissions import Capability, ensure, has_capability
from vertebra.evaluation import rules
from vertebra.evaluation.models import (
    Decision,
    Evaluation,
    FinalChoice,
    FinalDecision,
    RuleSettingsVersion,
)
from vertebra.evaluation.rules.settings import SPEC_BY_KEY
from vertebra.evaluation.snapshot import build_snapshot, snapshot_dumps, snapshot_loads
from vertebra.patients.models import SPINE_LEVELS, Referral, ReferralStatus
from vertebra.patients.services import referral_set_status


def rule_settings_current() -> tuple[rules.RuleSettings, RuleSettingsVersion | None]:
    """The settings in force: the newest saved version, or the reference defaults."""
    latest = RuleSettingsVersion.objects.order_by("-id").first()
    if latest is None:
        return rules.RuleSettings(), None
    return rules.RuleSettings.from_dict(latest.values), latest


def referral_snapshot(referral: Referral) -> dict[str, Any]:
    """The §2.1 snapshot of a referral as recorded now (levels in spinal order). Read from the
    database, not from the instance passed in: a caller's instance may hold an assessment or
    patient cached before the latest save, which the evaluation would otherwise ignore."""
    referral = Referral.objects.select_related("patient", "assessment").get(pk=referral.pk)
    fractures = sorted(
        referral.fractures.filter(record_status=RecordStatus.ACTIVE),
        key=lambda f: SPINE_LEVELS.index(f.level),
    )
    assessment = referral.assessment
    return build_snapshot(
        patient=referral.patient,
        assessment=assessment,
        fractures=fractures,
        anticoagulants=list(assessment.anticoagulants.filter(record_status=RecordStatus.ACTIVE)),
        on=timeutil.clinic_today(),
    )


def evaluate_snapshot(snapshot: Mapping[str, Any], settings: rules.RuleSettings) -> dict[str, Any]:
    """Pure evaluation of a stored or submitted snapshot, as the JSON result document."""
    return dict(rules.result_to_json(rules.evaluate(rules.parse_snapshot(snapshot), settings)))


# An evaluation informs the decision to treat: it is made before treatment, not after.
EVALUABLE_STATUSES = frozenset(
    {ReferralStatus.REFERRED, ReferralStatus.EVALUATING, ReferralStatus.DECIDED}
)


def _ensure_evaluable(referral: Referral) -> None:
    if referral.status not in EVALUABLE_STATUSES:
        raise TransitionNotAllowed(
            f"The referral is {referral.get_status_display().lower()}: evaluations are made "
            "before treatment (reopen the referral to evaluate again)."
        )


def evaluation_run(*, actor: Actor, referral: Referral) -> Evaluation:
    """Evaluate the referral's current record and store snapshot, settings and result."""
    ensure(actor, Capability.CLINICAL_EDIT)
    _ensure_evaluable(referral)
    return _evaluate_and_store(actor=actor, referral=referral, snapshot=referral_snapshot(referral))


def evaluation_store_submitted(
    *, actor: Actor, referral: Referral, snapshot: Mapping[str, Any]
) -> Evaluation:
    """Evaluate a snapshot sent by another system (the API) and keep it with the referral."""
    ensure(actor, Capability.CLINICAL_EDIT)
    _ensure_evaluable(referral)
    return _evaluate_and_store(actor=actor, referral=referral, snapshot=snapshot)


def _evaluate_and_store(
    *, actor: Actor, referral: Referral, snapshot: Mapping[str, Any]
) -> Evaluation:
    settings, _version = rule_settings_current()
    try:
        result = evaluate_snapshot(snapshot, settings)
    except rules.SnapshotError as exc:
        raise ValidationFailed({exc.path: [exc.message]}) from exc
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            referral=referral,
            patient=referral.patient,
            evaluated_by=actor.user or system_user(),
            evaluated_on=timeutil.clinic_today(),
            snapshot=snapshot_dumps(snapshot),
            ruleset_version=result["ruleset_version"],
            settings_used=settings.to_dict(),
            result=result,
            decision=result["decision"],
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="Evaluation",
            object_id=evaluation.public_id,
            patient=referral.patient,
            summary=f"Evaluated: {Decision(evaluation.decision).label}",
            changes={
                "decision": [None, evaluation.decision],
                "ruleset_version": [None, evaluation.ruleset_version],
            },
        )
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status == ReferralStatus.REFERRED:
            referral_set_status(actor=actor, referral=current, to_status=ReferralStatus.EVALUATING)
    return evaluation


def evaluation_reproduce(evaluation: Evaluation) -> dict[str, Any]:
    """Re-run a stored evaluation on its own snapshot and settings (for the audit of advice).
    Only under the rule set that made it: another version applies other rules."""
    if evaluation.ruleset_version != rules.RULESET_VERSION:
        raise RulesetChanged(
            f"This evaluation was made under {evaluation.ruleset_version}; this server runs "
            f"{rules.RULESET_VERSION}, so re-running it would apply other rules. Its stored "
            "result and snapshot are unchanged."
        )
    return evaluate_snapshot(
        snapshot_loads(evaluation.snapshot), rules.RuleSettings.from_dict(evaluation.settings_used)
    )


# A decision "agrees" only where the recommendation itself names it; anything else is a
# departure and needs the physician's reason.
_AGREEING = {
    (Decision.RECOMMENDED, FinalChoice.PROCEED),
    (Decision.NOT_RECOMMENDED, FinalChoice.DO_NOT_PROCEED),
}


def decision_agrees(recommendation: str, choice: str) -> bool:
    return (recommendation, choice) in _AGREEING


def evaluation_record_decision(
    *, actor: Actor, evaluation: Evaluation, choice: str, reason: str = ""
) -> FinalDecision:
    """The physician's final decision. Proceeding moves the referral to "decided"; not
    proceeding closes it with the reason. Departing from the recommendation needs a reason."""
    ensure(actor, Capability.REFERRAL_DECIDE)
    if actor.user is not None and not has_capability(actor.user, Capability.REFERRAL_DECIDE):
        raise Forbidden("Only a physician records the final decision.")
    if choice not in FinalChoice.values:
        raise ValidationFailed({"choice": ["Choose proceed or do not proceed."]})
    reason = reason.strip()
    agrees = decision_agrees(evaluation.decision, choice)
    if not agrees and not reason:
        raise ValidationFailed(
            {
                "reason": [
                    f"The recommendation was “{Decision(evaluation.decision).label}”: say why you "
                    "decide otherwise."
                ]
            }
        )
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=evaluation.referral_id)
        if FinalDecision.objects.filter(evaluation=evaluation).exists():
            raise TransitionNotAllowed("A final decision was already recorded for this evaluation.")
        latest = referral.evaluations.order_by("-created_at", "-id").first()
        if latest is None or latest.pk != evaluation.pk:
            raise TransitionNotAllowed(
                "A newer evaluation exists for this referral: decide on the newest one."
            )
        if referral.status not in (ReferralStatus.REFERRED, ReferralStatus.EVALUATING):
            raise TransitionNotAllowed(
                f"The referral is {referral.get_status_display().lower()}: a decision can only "
                "be recorded while it is being evaluated."
            )
        decision = FinalDecision.objects.create(
            evaluation=evaluation,
            choice=choice,
            agrees_with_recommendation=agrees,
            reason=reason,
            decided_by=actor.user or system_user(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="FinalDecision",
            object_id=decision.public_id,
            patient=evaluation.patient,
            summary=(
                f"Final decision: {FinalChoice(choice).label}"
                + ("" if agrees else f" (departs from “{Decision(evaluation.decision).label}”)")
            ),
            changes={
                "choice": [None, choice],
                "agrees_with_recommendation": [None, agrees],
                "reason": [None, reason],
                "evaluation": [None, str(evaluation.public_id)],
            },
        )
        if referral.status == ReferralStatus.REFERRED:
            referral = referral_set_status(
                actor=actor, referral=referral, to_status=ReferralStatus.EVALUATING
            )
        if choice == FinalChoice.PROCEED:
            referral_set_status(actor=actor, referral=referral, to_status=ReferralStatus.DECIDED)
        else:
            referral_set_status(
                actor=actor,
                referral=referral,
                to_status=ReferralStatus.CLOSED,
                reason=f"Decision not to proceed: {reason or Decision(evaluation.decision).label}",
            )
    return decision


def rule_settings_update(
    *, actor: Actor, values: Mapping[str, Any], reason: str
) -> RuleSettingsVersion:
    """Save a new version of the clinic's rule settings (administrator), audited with old/new."""
    ensure(actor, Capability.SETTINGS_EDIT)
    if not reason.strip():
        raise ValidationFailed({"reason": ["Say why the settings change (e.g. local protocol)."]})
    current, _ = rule_settings_current()
    try:
        updated = rules.RuleSettings.from_dict({**current.to_dict(), **values})
        rules.check_consistent(updated)
    except (ValueError, TypeError, KeyError) as exc:
        # "<setting>: <message>": shown at that setting's field, in words, not its key.
        key, _, message = str(exc).partition(": ")
        if key in SPEC_BY_KEY and message:
            raise ValidationFailed({key: [message[0].upper() + message[1:] + "."]}) from exc
        raise ValidationFailed({"__all__": [str(exc)]}) from exc
    old, new = current.to_dict(), updated.to_dict()
    diff = {k: [old.get(k), new[k]] for k in new if old.get(k) != new[k]}
    if not diff:
        raise ValidationFailed({"__all__": ["Nothing changed."]})
    with transaction.atomic():
        version = RuleSettingsVersion.objects.create(
            values=new, saved_by=actor.user, reason=reason.strip()
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="RuleSettings",
            object_id=version.pk,
            summary="Changed evaluation rule settings",
            changes={**diff, "reason": reason.strip()},
        )
    return version
