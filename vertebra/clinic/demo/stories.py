"""Each demo patient's care, in the order a clinic works: registered and referred (imaging
facts recorded), seen (clinical assessment, antithrombotics, labs), evaluated (the evaluation
service reads the recorded facts), decided by the physician, consented, checklist, booked,
treated (signed procedure record), followed up and closed. Every act goes through the service
a clinician would use, at the moment the story yields (see clock.py).

The first patients tour every stage and every rung of the evaluation; the rest vary.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from enum import StrEnum

from vertebra.evaluation import services as evaluation
from vertebra.evaluation.models import Decision, FinalChoice
from vertebra.patients import services as patients
from vertebra.patients.models import ReferralStatus
from vertebra.procedures import checklist
from vertebra.procedures import services as consent
from vertebra.procedures.models import ConsentRisk
from vertebra.procedures.rules.followup import add_months

from . import facts, people, procedure
from .clinic import ARRIVED, COMPLETED, Clinic, give_patient_login
from .clock import Story
from .facts import Case


class Goal(StrEnum):
    """How far the demo takes a patient (later steps still ahead stay booked)."""

    REFERRED = "referred"  # consultation booked
    TRIAGED = "triaged"  # evaluated on the referral letter: incomplete; consultation booked
    AWAIT_REVIEW = "await_review"  # specialist review: the surgeon's opinion is booked
    DECLINED = "declined"  # decided not to proceed: closed with the reason
    DECIDED = "decided"  # proceed; pre-procedure visit booked
    SCHEDULED = "scheduled"  # consented, checklist started, procedure booked
    TREATED = "treated"  # signed record; day-1 phone call booked
    FOLLOWED = "followed"  # as far as the date of the procedure allows, to the 3-month close


# What a physician writes when deciding otherwise than the recommendation.
DEPART_PROCEED = (
    "Spine surgery opinion: posterior-wall involvement without retropulsion or canal "
    "compromise, no instability; vertebroplasty with high-viscosity cement agreed."
)
DEPART_DECLINE = (
    "Patient declines after discussion of benefits and risks; prefers to continue bracing "
    "and analgesia. Will contact the clinic if the pain persists."
)
DEPART_SURGERY = (
    "Tumour board with spine surgery: SINS 10 at the thoracolumbar junction, potentially "
    "unstable; stabilisation surgery and radiotherapy instead of vertebroplasty."
)
AGREE_DECLINE = {
    Case.IMPROVING: "Pain improving on conservative care; no procedure. GP to review.",
    Case.NOT_ACUTE: "No acute fracture on MRI (no marrow oedema); pain work-up by the GP.",
}
CLOSE_AFTER_FOLLOW_UP = (
    "Follow-up complete at 3 months: pain controlled, walking unaided; bone health with the GP."
)


@dataclass(frozen=True)
class Plan:
    index: int
    case: Case
    goal: Goal
    referred_on: dt.date
    procedure_on: dt.date | None = None  # the day the procedure is booked from
    departure: str = ""  # the physician's reason for deciding otherwise


def _weekday_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _treated(index: int, case: Case, goal: Goal, procedure_on: dt.date, lead: int,
             departure: str = "") -> Plan:  # fmt: skip
    return Plan(index, case, goal, procedure_on - dt.timedelta(days=lead), procedure_on, departure)


def plans(*, patients: int, seed: int, today: dt.date) -> list[Plan]:
    rng = random.Random(seed)  # noqa: S311 - reproducible fiction, not security
    days = dt.timedelta(days=1)
    tour = [
        _treated(0, Case.RECOMMENDED, Goal.FOLLOWED, today - 8 * days, 15),  # the patient login
        Plan(1, Case.RECOMMENDED, Goal.REFERRED, today - days),
        Plan(2, Case.INCOMPLETE, Goal.TRIAGED, today - 3 * days),
        Plan(3, Case.REVIEW_POSTERIOR_WALL, Goal.AWAIT_REVIEW, today - 10 * days),
        Plan(4, Case.RECOMMENDED, Goal.DECIDED, today - 7 * days),
        Plan(5, Case.RECOMMENDED, Goal.SCHEDULED, today - 12 * days),
        _treated(6, Case.RECOMMENDED, Goal.TREATED, _weekday_before(today), 14),
        Plan(7, Case.IMPROVING, Goal.DECLINED, today - 30 * days),
        _treated(8, Case.RECOMMENDED, Goal.FOLLOWED, today - 110 * days, 16),
        _treated(
            9, Case.REVIEW_POSTERIOR_WALL, Goal.FOLLOWED, today - 35 * days, 20, DEPART_PROCEED
        ),
        Plan(10, Case.RECOMMENDED, Goal.DECLINED, today - 21 * days, departure=DEPART_DECLINE),
        _treated(11, Case.RECOMMENDED, Goal.FOLLOWED, today - 40 * days, 14),
        Plan(
            12, Case.REVIEW_METASTASIS, Goal.DECLINED, today - 45 * days, departure=DEPART_SURGERY
        ),
        Plan(13, Case.NOT_ACUTE, Goal.DECLINED, today - 50 * days),
        Plan(14, Case.REVIEW_METASTASIS, Goal.AWAIT_REVIEW, today - 9 * days),
    ]
    result = tour[:patients]
    for index in range(len(result), patients):
        kind = rng.choices(
            ("followed", "referred", "triaged", "review", "decided", "scheduled", "declined"),
            (9, 2, 2, 1, 2, 1, 3),
        )[0]
        back = dt.timedelta(days=rng.randint(0, 4))
        if kind == "followed":
            on = today - dt.timedelta(days=rng.randint(12, 130))
            result.append(_treated(index, Case.RECOMMENDED, Goal.FOLLOWED, on, rng.randint(13, 18)))
        elif kind == "referred":
            result.append(Plan(index, Case.RECOMMENDED, Goal.REFERRED, today - days - back))
        elif kind == "triaged":
            result.append(Plan(index, Case.INCOMPLETE, Goal.TRIAGED, today - 2 * days - back))
        elif kind == "review":
            case = Case.REVIEW_POSTERIOR_WALL
            result.append(Plan(index, case, Goal.AWAIT_REVIEW, today - 9 * days - back))
        elif kind == "decided":
            result.append(Plan(index, Case.RECOMMENDED, Goal.DECIDED, today - 7 * days - back))
        elif kind == "scheduled":
            result.append(Plan(index, Case.RECOMMENDED, Goal.SCHEDULED, today - 12 * days - back))
        else:
            case = rng.choice((Case.IMPROVING, Case.NOT_ACUTE))
            on = today - dt.timedelta(days=rng.randint(20, 120))
            result.append(Plan(index, case, Goal.DECLINED, on))
    return result


def story(clinic: Clinic, plan: Plan) -> Story:
    rng = random.Random(f"{clinic.seed}:{plan.index}")  # noqa: S311 - reproducible fiction
    nurse, physician = clinic.actor("nurse"), clinic.actor("physician")
    day = dt.timedelta(days=1)
    referred = plan.referred_on

    # The referral arrives: the scheduler registers the patient, the nurse the imaging.
    yield clinic.at(referred, 9 + plan.index % 6, 15 * (plan.index % 4))
    patient = patients.patient_create(
        actor=clinic.actor("scheduler"),
        data=people.demographics(rng, seed=clinic.seed, index=plan.index, today=clinic.today),
    )
    if plan.index == 0:
        give_patient_login(clinic, patient)
    referral = patients.referral_create(
        actor=clinic.actor("scheduler"),
        patient=patient,
        data={
            "referring_clinician": rng.choice(people.REFERRERS),
            "reason": (
                "Painful vertebral fracture despite conservative care."
                if plan.case != Case.REVIEW_METASTASIS
                else "Painful vertebral metastasis (breast cancer): vertebroplasty?"
            ),
            "referral_date": referred,
        },
    )
    imaged = referred - dt.timedelta(days=rng.randint(1, 6))
    onset = imaged - dt.timedelta(days=rng.randint(3, 30))
    for data in facts.fractures(rng, plan.case, imaged_on=imaged, onset_on=onset):
        patients.fracture_create(actor=nurse, referral=referral, data=data)

    if plan.goal == Goal.TRIAGED:  # a first look at the letter the next morning
        letter = facts.referral_letter(rng)
        assessment = referral.assessment
        patients.assessment_update(
            actor=nurse, assessment=assessment, expected_version=assessment.version, data=letter
        )
        yield clinic.at(referred + day, 8, 30)
        evaluation.evaluation_run(actor=physician, referral=referral)
        clinic.book(
            patient=patient, code="consultation", earliest=clinic.ahead(clinic.at(referred, 16)),
            notes="Complete the assessment: pain course, conservative care, labs.",
        )  # fmt: skip
        return

    earliest = clinic.at(referred + 2 * day, 8)
    if plan.goal == Goal.REFERRED:
        earliest = clinic.ahead(earliest)
    consult = clinic.book(patient=patient, code="consultation", earliest=earliest)
    if plan.goal == Goal.REFERRED:
        return

    # The consultation: the nurse records the assessment, the physician evaluates and decides.
    yield consult.starts_at
    consult = clinic.mark(consult, ARRIVED)
    seen_on = clinic.day_of(consult.starts_at)
    planned = plan.procedure_on or seen_on + dt.timedelta(days=rng.randint(10, 14))
    assessment = referral.assessment
    patients.assessment_update(
        actor=nurse,
        assessment=assessment,
        expected_version=assessment.version,
        data=facts.assessment(rng, plan.case, planned_on=planned),
    )
    if (drug := facts.antithrombotic(rng, consult_on=seen_on)) is not None:
        patients.anticoagulant_add(actor=nurse, assessment=referral.assessment, data=drug)
    yield consult.starts_at + dt.timedelta(minutes=20)
    evaluated = evaluation.evaluation_run(actor=physician, referral=referral)
    clinic.mark(consult, COMPLETED)

    if evaluated.decision == Decision.SPECIALIST_REVIEW:
        # The physician asks the spine surgeon's opinion before deciding.
        opinion_from = clinic.at(seen_on + day, 9)
        if plan.goal == Goal.AWAIT_REVIEW:
            opinion_from = clinic.ahead(opinion_from)
        opinion = clinic.book(
            patient=patient, code="consultation", earliest=opinion_from,
            clinician=clinic.surgeon, notes="Spine surgery opinion before the decision.",
        )  # fmt: skip
        if plan.goal == Goal.AWAIT_REVIEW:
            return
        yield opinion.starts_at
        opinion = clinic.mark(opinion, ARRIVED)
        yield opinion.ends_at
        clinic.mark(opinion, COMPLETED)
    if plan.goal == Goal.DECLINED:
        evaluation.evaluation_record_decision(
            actor=physician,
            evaluation=evaluated,
            choice=FinalChoice.DO_NOT_PROCEED,
            reason=plan.departure or AGREE_DECLINE.get(plan.case, ""),
        )
        return
    evaluation.evaluation_record_decision(
        actor=physician, evaluation=evaluated, choice=FinalChoice.PROCEED, reason=plan.departure
    )

    # Decided: the pre-procedure visit (consent, checklist), then the procedure is booked.
    earliest = clinic.at(seen_on + day, 8)
    if plan.goal == Goal.DECIDED:
        earliest = clinic.ahead(earliest)
    visit = clinic.book(patient=patient, code="pre_procedure", earliest=earliest)
    if plan.goal == Goal.DECIDED:
        return
    yield visit.starts_at
    visit = clinic.mark(visit, ARRIVED)
    consent.consent_sign(
        actor=nurse,
        referral=referral,
        information=clinic.information,
        risks_discussed=ConsentRisk.values,
        questions=rng.choice(
            ("", "How long will I stay? A few hours; most people go home the same day.")
        ),
        typed_name=f"{patient.given_name} {patient.family_name}",
        patient_confirmed=True,
        details=consent.ConsentDetails(
            levels=tuple(
                referral.fractures.filter(record_status="active").values_list("level", flat=True)
            ),
            sedation_planned="moderate",
            alternatives_discussed="Continued analgesia, a brace and physiotherapy; no procedure.",
            explained_by=physician.user,
            has_capacity=True,
            interpreter_used=False,
        ),
    )
    sheet = checklist.checklist_start(actor=nurse, referral=referral)
    visit_day = clinic.day_of(visit.starts_at)
    earliest = clinic.at(max(plan.procedure_on or visit_day, visit_day + 2 * day), 8)
    if plan.goal == Goal.SCHEDULED:
        earliest = clinic.ahead(earliest)
    # Booking the procedure moves the referral to "scheduled".
    session = clinic.book(patient=patient, code="procedure", earliest=earliest, referral=referral)
    yield visit.ends_at
    clinic.mark(visit, COMPLETED)
    if plan.goal == Goal.SCHEDULED:
        return

    # The procedure day.
    yield session.starts_at - dt.timedelta(minutes=40)
    session = clinic.mark(session, ARRIVED)
    procedure.complete_checklist(clinic, sheet)
    yield session.starts_at
    started = procedure.start(clinic, referral)
    procedure.fill_in(clinic, rng, started)
    yield session.starts_at + dt.timedelta(hours=3)
    signed = procedure.sign(clinic, started)  # the referral becomes "treated"
    clinic.mark(session, COMPLETED)
    treated_on = clinic.day_of(signed.started_at)
    earliest = clinic.at(treated_on + day, 8)
    if plan.goal == Goal.TREATED:
        earliest = clinic.ahead(earliest)
    call = clinic.book(patient=patient, code="day1_call", earliest=earliest, referral=referral)
    if plan.goal == Goal.TREATED:
        return

    # Follow-up: the day-1 call, a visit at 2–4 weeks, a visit at 3 months, then closed.
    yield call.starts_at
    call = clinic.mark(call, ARRIVED, COMPLETED)
    patients.referral_set_status(
        actor=nurse, referral=referral, to_status=ReferralStatus.IN_FOLLOW_UP, by_hand=True
    )
    weeks = clinic.book(
        patient=patient, code="follow_up", earliest=clinic.at(treated_on + 19 * day, 9),
        referral=referral, notes="Clinic visit (2–4 weeks).",
    )  # fmt: skip
    yield weeks.starts_at
    weeks = clinic.mark(weeks, ARRIVED, COMPLETED)
    months = clinic.book(
        patient=patient, code="follow_up",
        earliest=clinic.at(add_months(treated_on, 3) - 7 * day, 9),
        referral=referral, notes="Follow-up at 3 months.",
    )  # fmt: skip
    yield months.starts_at
    clinic.mark(months, ARRIVED, COMPLETED)
    patients.referral_set_status(
        actor=nurse,
        referral=referral,
        to_status=ReferralStatus.CLOSED,
        reason=CLOSE_AFTER_FOLLOW_UP,
        by_hand=True,
    )
