"""The demo clinic's decisions: an evaluation of the recorded facts and the demo physician's
final decision, departing (with a reason) where the recommendation was not to treat."""

from __future__ import annotations

from vertebra.core.actor import Actor
from vertebra.core.models import User
from vertebra.evaluation import services
from vertebra.evaluation.models import Decision, FinalChoice
from vertebra.patients.models import Referral


def decide_demo_referral(referral: Referral) -> None:
    physician = User.objects.get(username="physician")
    actor = Actor(user=physician, client_address=None)
    evaluation = services.evaluation_run(actor=actor, referral=referral)
    agrees = evaluation.decision == Decision.RECOMMENDED
    services.evaluation_record_decision(
        actor=actor,
        evaluation=evaluation,
        choice=FinalChoice.PROCEED,
        reason="" if agrees else "Demo: multidisciplinary review supported treatment.",
    )
