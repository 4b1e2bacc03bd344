"""Consent: the signed record with the information version shown, withdrawal with a reason,
bad input refused with nothing written, the PDF read back with pdftotext."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.errors import EditConflict, Forbidden, TransitionNotAllowed, ValidationFailed
from vertebra.core.models import Role, User
from vertebra.patients.models import Referral
from vertebra.procedures import selectors, services
from vertebra.procedures.information import install_version_1
from vertebra.procedures.models import Consent, PatientInformation

pytestmark = pytest.mark.django_db

ALL_RISKS = [
    "cement_leakage",
    "pulmonary_embolism",
    "infection",
    "bleeding",
    "allergy",
    "new_fracture",
    "radiation",
]


CONSENT_DETAILS_POST = {
    "levels": ["L1"],
    "sedation_planned": "moderate",
    "alternatives_discussed": "Analgesia, a brace and physiotherapy; no procedure.",
    "has_capacity": "true",
    "interpreter_used": "true",
    "interpreter_name": "A. Nowak, Polish",
}


@pytest.fixture
def information() -> PatientInformation:
    return install_version_1(PatientInformation)  # type: ignore[return-value]


def sign(
    actor: Actor, referral: Referral, information: PatientInformation, **extra: object
) -> Consent:
    data: dict[str, object] = {
        "risks_discussed": ALL_RISKS,
        "questions": "Will I be asleep? — No, sedated and comfortable.",
        "typed_name": "zoe MULLER",
        "patient_confirmed": True,
        **extra,
    }
    return services.consent_sign(actor=actor, referral=referral, information=information, **data)  # type: ignore[arg-type]


def counts() -> tuple[int, int]:
    return Consent.objects.count(), AuditEvent.objects.count()


def test_a_signed_consent_keeps_what_was_shown_and_discussed(
    referral: Referral, information: PatientInformation, actor: Actor
) -> None:
    consent = sign(actor, referral, information, risks_discussed=["radiation", "cement_leakage"])
    assert consent.information.version == 1
    assert consent.risks_discussed == ["cement_leakage", "radiation"]  # in the listed order
    assert consent.patient_typed_name == "zoe MULLER"
    assert consent.witness == actor.user
    assert consent.status == "valid"
    assert len(consent.risks_not_discussed) == 5
    assert selectors.valid_consent(referral) == consent
    event = AuditEvent.objects.latest("sequence")
    assert (event.action, event.object_type, event.patient_id) == (
        "create",
        "Consent",
        referral.patient_id,
    )
    assert event.changes["information_version"] == [None, 1]


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        (
            {"typed_name": "Zoe Meier"},
            {"typed_name": ["The patient types their full name as registered (Zoë Müller)."]},
        ),
        (
            {"patient_confirmed": False},
            {"patient_confirmed": ["The patient confirms that they consent."]},
        ),
        (
            {"risks_discussed": []},
            {"risks_discussed": ["Tick the risks that were discussed with the patient."]},
        ),
        ({"risks_discussed": ["hair_loss"]}, {"risks_discussed": ["Unknown risk: hair_loss."]}),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_nothing_is_written(
    referral: Referral,
    information: PatientInformation,
    actor: Actor,
    extra: dict[str, object],
    errors: dict[str, list[str]],
) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        sign(actor, referral, information, **extra)
    assert refused.value.errors == errors
    assert counts() == before


def test_the_name_may_be_typed_either_way_round_without_accents(
    referral: Referral, information: PatientInformation, actor: Actor
) -> None:
    assert sign(actor, referral, information, typed_name="  Müller   Zoë ").patient_typed_name == (
        "Müller Zoë"
    )


def test_roles_that_may_not_record_a_consent_are_refused(
    referral: Referral, information: PatientInformation, users: dict[Role, User]
) -> None:
    before = counts()
    for role in (Role.SCHEDULER, Role.QUALITY_LEAD, Role.ADMINISTRATOR, Role.PATIENT):
        with pytest.raises(Forbidden):
            sign(Actor(user=users[role]), referral, information)
    assert counts() == before


def test_withdrawal_needs_a_reason_and_keeps_the_consent(
    referral: Referral, information: PatientInformation, actor: Actor, physician_actor: Actor
) -> None:
    consent = sign(actor, referral, information)
    before = counts()
    with pytest.raises(ValidationFailed):
        services.consent_withdraw(actor=actor, consent_id=consent.pk, expected_version=1, reason="")
    with pytest.raises(EditConflict):
        services.consent_withdraw(
            actor=actor, consent_id=consent.pk, expected_version=2, reason="x"
        )
    assert counts() == before
    withdrawn = services.consent_withdraw(
        actor=physician_actor, consent_id=consent.pk, expected_version=1, reason="Changed mind"
    )
    assert (withdrawn.status, withdrawn.version, withdrawn.withdrawal_reason) == (
        "withdrawn",
        2,
        "Changed mind",
    )
    assert withdrawn.withdrawn_by == physician_actor.user
    assert selectors.valid_consent(referral) is None
    assert Consent.objects.count() == 1  # kept, never deleted
    with pytest.raises(TransitionNotAllowed):
        services.consent_withdraw(
            actor=actor, consent_id=consent.pk, expected_version=2, reason="x"
        )


def test_the_pages_record_a_consent_and_the_pdf_carries_it(
    referral: Referral,
    information: PatientInformation,
    client_for: Callable[..., Client],
    users: dict[Role, User],
    tmp_path: Path,
) -> None:
    client = client_for(Role.NURSE)
    explainer = users[Role.PHYSICIAN]
    page = client.get(f"/staff/referrals/{referral.public_id}/consent").content.decode()
    assert "Version 1 of 24 November 2026" in page
    assert "Pulmonary cement embolism (1.9 % on CT screening, mostly silent) [PCE2021]" in page
    refused = client.post(f"/staff/referrals/{referral.public_id}/consent", {"typed_name": "x"})
    assert refused.status_code == 422
    assert Consent.objects.count() == 0
    done = client.post(
        f"/staff/referrals/{referral.public_id}/consent",
        {
            "risks_discussed": ALL_RISKS[:6],
            "typed_name": "Zoë Müller",
            "patient_confirmed": "on",
            "questions": "How long will I stay?",
            **CONSENT_DETAILS_POST,
            "explained_by": str(explainer.pk),
        },
    )
    consent = Consent.objects.get()
    assert done["Location"] == f"/staff/consents/{consent.public_id}/"
    assert (consent.levels, consent.sedation_planned, consent.explained_by) == (
        ["L1"],
        "moderate",
        explainer,
    )
    assert (consent.has_capacity, consent.interpreter_used, consent.interpreter_name) == (
        True,
        True,
        "A. Nowak, Polish",
    )
    detail = client.get(f"/staff/consents/{consent.public_id}/").content.decode()
    for expected in (
        "<dt>Level(s)</dt><dd>L1</dd>",
        "<dt>Anaesthesia / sedation</dt><dd>Conscious (moderate) sedation</dd>",
        "<dt>Alternatives discussed</dt>"
        "<dd>Analgesia, a brace and physiotherapy; no procedure.</dd>",
        f"<dt>Risks explained by</dt><dd>{explainer} (Physician)</dd>",
        "<dt>Capacity to consent</dt><dd>yes</dd>",
        "<dt>Interpreter</dt><dd>A. Nowak, Polish</dd>",
    ):
        assert expected in detail, expected
    pdf = client.get(f"/staff/consents/{consent.public_id}/consent.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "consent.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        "Müller, Zoë",
        "MRN MRN-0001",
        "Signed by the patient: Zoë Müller",
        "Witness: Nurse Tester",
        "Version 1 of 2026-11-24",
        "Not discussed: Radiation exposure",
        "How long will I stay?",
        "Conscious (moderate) sedation",
        "A. Nowak, Polish",
    ):
        assert expected in text, expected


def test_the_consent_page_requires_what_was_explained_and_refuses_a_nurse_explainer(
    referral: Referral,
    information: PatientInformation,
    client_for: Callable[..., Client],
    users: dict[Role, User],
) -> None:
    """The level(s), sedation, alternatives and the explaining clinician are required; by
    default only a physician explains the risks (VERTEBRA_CONSENT_EXPLAINER_ROLES)."""
    client = client_for(Role.NURSE)
    base = {"risks_discussed": ALL_RISKS, "typed_name": "Zoë Müller", "patient_confirmed": "on"}
    missing = client.post(f"/staff/referrals/{referral.public_id}/consent", base)
    assert missing.status_code == 422
    # Each required new field says so: levels, sedation, alternatives, explainer,
    # capacity, interpreter (the interpreter's name only when one is used), each in the
    # summary at the top and beside its field.
    assert missing.content.decode().count("This field is required.") == 2 * 6
    assert Consent.objects.count() == 0
    nurse_explains = client.post(
        f"/staff/referrals/{referral.public_id}/consent",
        {**base, **CONSENT_DETAILS_POST, "explained_by": str(users[Role.NURSE].pk)},
    )
    assert nurse_explains.status_code == 422
    assert "Select a valid choice" in nurse_explains.content.decode()
    assert Consent.objects.count() == 0


def test_the_service_refuses_a_patient_without_capacity_and_an_unnamed_interpreter(
    referral: Referral, information: PatientInformation, actor: Actor, users: dict[Role, User]
) -> None:
    before = counts()
    details = services.ConsentDetails(
        levels=("L1",),
        sedation_planned="moderate",
        alternatives_discussed="Analgesia",
        explained_by=users[Role.NURSE],
        has_capacity=False,
        interpreter_used=True,
        interpreter_name=" ",
    )
    with pytest.raises(ValidationFailed) as refused:
        sign(actor, referral, information, details=details)
    errors = refused.value.field_errors()
    assert errors["has_capacity"] == [
        "A patient without capacity cannot sign this consent: follow the clinic's process for "
        "a patient who lacks capacity."
    ]
    assert errors["interpreter_name"] == ["Name the interpreter and the language."]
    assert errors["explained_by"] == [
        "The risks are explained by a clinician of the role(s): physician."
    ]
    assert counts() == before


def test_a_clinic_may_let_a_nurse_explain_the_risks(
    referral: Referral,
    information: PatientInformation,
    actor: Actor,
    users: dict[Role, User],
    settings: object,
) -> None:
    settings.VERTEBRA_CONSENT_EXPLAINER_ROLES = ["nurse"]  # type: ignore[attr-defined]
    details = services.ConsentDetails(
        levels=("L2", "L1"), explained_by=users[Role.NURSE], has_capacity=True
    )
    consent = sign(actor, referral, information, details=details)
    assert consent.levels == ["L1", "L2"]
    assert consent.explained_by == users[Role.NURSE]


def test_a_quality_lead_reads_but_cannot_record(
    referral: Referral, information: PatientInformation, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.QUALITY_LEAD)
    page = client.get(f"/staff/referrals/{referral.public_id}/consent").content.decode()
    assert "Record the signed consent" not in page
    before = counts()
    response = client.post(
        f"/staff/referrals/{referral.public_id}/consent",
        {"risks_discussed": ALL_RISKS, "typed_name": "Zoë Müller", "patient_confirmed": "on"},
    )
    assert response.status_code == 403
    assert counts() == before
