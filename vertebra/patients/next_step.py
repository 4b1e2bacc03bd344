"""The next step of a referral on its pathway, as one line for the chart and the worklists.

A pure function of what is recorded (no Django): the referral's status, whether it was
evaluated and decided, the earliest date the antithrombotic holds allow (PRE-ANTITHROMBOTIC,
clinical-reference §2.5), a valid consent, a ready checklist and the procedure record. Each step
names the capability that may act on it, so a page offers the action only to a role that can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReferralState:
    status: str  # a ReferralStatus value
    evaluated: bool = False
    decision: str | None = (
        None  # the latest evaluation's final choice: "proceed" | "do_not_proceed"
    )
    earliest_date: dt.date | None = None  # latest evaluation: the last antithrombotic hold's end
    consent_valid: bool = False
    checklist_ready: bool = False  # the latest checklist has nothing blocking
    procedure: str | None = None  # the latest record: None | "in_progress" | "signed"


@dataclass(frozen=True, slots=True)
class NextStep:
    key: str  # evaluate, decide, book, consent, checklist, procedure, sign, follow_up
    text: str
    capability: str  # a core.permissions.Capability value


def _day(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


EVALUATE = NextStep("evaluate", "Evaluate", "clinical.edit")
DECIDE = NextStep("decide", "Record the decision", "referral.decide")
CONSENT = NextStep("consent", "Consent due", "consent.record")
CHECKLIST = NextStep("checklist", "Checklist due", "procedure.record")
PROCEDURE = NextStep("procedure", "Start the procedure record", "procedure.record")
SIGN = NextStep("sign", "Sign the record", "procedure.sign")
FOLLOW_UP = NextStep("follow_up", "Follow-up due", "schedule.book")


def next_step(state: ReferralState) -> NextStep | None:
    """What the referral waits for; None for a closed referral."""
    status = state.status
    if status == "referred":
        return EVALUATE
    if status == "evaluating":
        if not state.evaluated:
            return EVALUATE
        return DECIDE if state.decision is None else EVALUATE
    if status == "decided":
        text = "Book the procedure"
        if state.earliest_date is not None:
            text += f" (earliest {_day(state.earliest_date)})"
        return NextStep("book", text, "schedule.book")
    if status == "scheduled":
        if state.procedure == "in_progress":
            return SIGN
        if not state.consent_valid:
            return CONSENT
        if not state.checklist_ready:
            return CHECKLIST
        return PROCEDURE if state.procedure is None else FOLLOW_UP  # signed, status behind
    if status == "treated":
        return FOLLOW_UP if state.procedure == "signed" else SIGN
    if status == "in_follow_up":
        return FOLLOW_UP
    return None
