"""The next step of a referral for every status (a pure function, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from vertebra.patients.models import ReferralStatus
from vertebra.patients.next_step import ReferralState, next_step

READY = {"consent_valid": True, "checklist_ready": True}


@pytest.mark.parametrize(
    ("state", "text", "capability"),
    [
        (ReferralState("referred"), "Evaluate", "clinical.edit"),
        (ReferralState("evaluating"), "Evaluate", "clinical.edit"),
        (ReferralState("evaluating", evaluated=True), "Record the decision", "referral.decide"),
        # A decision recorded while still evaluating (re-opened): evaluate again.
        (
            ReferralState("evaluating", evaluated=True, decision="proceed"),
            "Evaluate",
            "clinical.edit",
        ),
        (
            ReferralState("decided", evaluated=True, decision="proceed"),
            "Book the procedure",
            "schedule.book",
        ),
        (
            ReferralState("decided", earliest_date=dt.date(2026, 12, 11)),
            "Book the procedure (earliest 11 December 2026)",
            "schedule.book",
        ),
        (ReferralState("scheduled"), "Consent due", "consent.record"),
        (ReferralState("scheduled", checklist_ready=True), "Consent due", "consent.record"),
        (ReferralState("scheduled", consent_valid=True), "Checklist due", "procedure.record"),
        (ReferralState("scheduled", **READY), "Start the procedure record", "procedure.record"),
        (ReferralState("scheduled", procedure="in_progress"), "Sign the record", "procedure.sign"),
        (
            ReferralState("scheduled", **READY, procedure="signed"),
            "Follow-up due",
            "schedule.book",
        ),
        (ReferralState("treated", procedure="in_progress"), "Sign the record", "procedure.sign"),
        (ReferralState("treated"), "Sign the record", "procedure.sign"),
        (ReferralState("treated", procedure="signed"), "Follow-up due", "schedule.book"),
        (ReferralState("in_follow_up", procedure="signed"), "Follow-up due", "schedule.book"),
    ],
)
def test_each_state_has_its_step(state, text, capability):
    step = next_step(state)
    assert step is not None
    assert (step.text, step.capability) == (text, capability)


def test_a_closed_referral_waits_for_nothing():
    assert next_step(ReferralState("closed", evaluated=True, procedure="signed")) is None


def test_every_status_is_covered():
    covered = {
        "referred",
        "evaluating",
        "decided",
        "scheduled",
        "treated",
        "in_follow_up",
        "closed",
    }
    assert covered == set(ReferralStatus.values)
