"""axe-core on every kind of page, as the people who use it see it: no serious or critical
violation, and nothing scrolls sideways on a tablet held upright. Folded sections (<details>)
are opened first, so what they hide is checked too."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from vertebra.core.actor import Actor
from vertebra.core.models import Role, User
from vertebra.patients import services
from vertebra.patients.models import Patient, Referral

pytestmark = pytest.mark.browser


def _open_details(page: Any) -> None:
    page.locator("details").evaluate_all("(all) => all.forEach(d => { d.open = true; })")


@pytest.fixture
def nurse_page(page: Any, logged_in: Callable[[Role], User]) -> Any:
    logged_in(Role.NURSE)
    return page


@pytest.fixture
def charted(make_user: Callable[..., User]) -> tuple[Patient, Referral]:
    """A patient with a referral, fractures at T12 and L1 and a status change, recorded through
    the services by a nurse: every section of the chart has something in it."""
    recorder = make_user(Role.NURSE, username="recording-nurse")
    actor = Actor(user=recorder, client_address="127.0.0.1")
    patient = services.patient_create(
        actor=actor,
        data={
            "mrn": "A11Y-0001",
            "family_name": "O'Brien",
            "given_name": "Siobhán",
            "birth_date": dt.date(1938, 12, 1),
            "sex": "female",
            "phone": "+49 30 1234567",
            "email": "siobhan@example.org",
        },
    )
    referral = services.referral_create(
        actor=actor,
        patient=patient,
        data={
            "referring_clinician": "Dr Referrer",
            "reason": "Painful T12 fracture",
            "referral_date": dt.date(2026, 1, 5),
        },
    )
    services.fracture_create(
        actor=actor,
        referral=referral,
        data={"level": "T12", "etiology": "osteoporotic", "mri_oedema": True},
    )
    services.fracture_create(actor=actor, referral=referral, data={"level": "L1"})
    referral.refresh_from_db()
    services.referral_set_status(
        actor=actor,
        referral=referral,
        to_status="evaluating",
        reason="",
        expected_version=referral.version,
    )
    return patient, referral


def test_login_page(page: Any, accessible: Any) -> None:
    page.goto("/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    accessible(page, "login")


def test_login_page_with_an_error(page: Any, make_user: Any, accessible: Any) -> None:
    user = make_user(Role.NURSE)
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")
    accessible(page, "login-error")


def test_public_pages(page: Any, accessible: Any) -> None:
    page.goto("/")
    accessible(page, "home")
    page.get_by_role("link", name="What is vertebroplasty?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is vertebroplasty?")
    accessible(page, "education")


def test_worklist(nurse_page: Any, charted: Any, accessible: Any) -> None:
    nurse_page.goto("/staff/")
    expect(nurse_page.get_by_role("row").filter(has_text="A11Y-0001")).to_have_count(1)
    accessible(nurse_page, "worklist")
    nurse_page.get_by_role("link", name=re.compile(r"^Evaluating")).click()
    expect(nurse_page.get_by_role("link", name=re.compile(r"^Evaluating"))).to_have_attribute(
        "aria-current", "page"
    )
    accessible(nurse_page, "worklist-evaluating")


def test_chart(nurse_page: Any, charted: Any, accessible: Any, shoot: Any) -> None:
    patient, _ = charted
    nurse_page.goto(f"/staff/patients/{patient.public_id}/")
    expect(nurse_page.get_by_role("heading", level=1)).to_have_text("O'Brien, Siobhán")
    _open_details(nurse_page)
    accessible(nurse_page, "chart")
    # On a tablet the fractured-levels table fits its card: no Edit link hidden off to the side.
    hidden = nurse_page.locator(".table-wrap").evaluate_all(
        "(all) => all.map(w => w.scrollWidth - w.clientWidth)"
    )
    assert max(hidden) <= 0, f"a table scrolls sideways inside its card by {hidden} px"
    shoot(nurse_page, "chart-two-levels-tablet")


def test_patient_form_empty_and_with_errors(nurse_page: Any, accessible: Any, shoot: Any) -> None:
    nurse_page.goto("/staff/patients/new")
    accessible(nurse_page, "patient-form")
    nurse_page.get_by_label("Date of birth").fill("2999-01-01")
    nurse_page.get_by_label("Email").fill("not-an-address")
    nurse_page.get_by_role("button", name="Save").click()
    summary = nurse_page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was saved.")
    expect(summary).to_be_focused()
    for label in ("MRN", "Family name", "Email"):
        field = nurse_page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        # The message is read out with the field, not only shown next to it.
        expect(field).to_have_accessible_description(re.compile(r"\S"))
    accessible(nurse_page, "patient-form-errors")
    shoot(nurse_page, "patient-form-errors-tablet")


def test_referral_fracture_and_assessment_forms(
    nurse_page: Any, charted: Any, accessible: Any
) -> None:
    patient, referral = charted
    nurse_page.goto(f"/staff/patients/{patient.public_id}/referrals/new")
    accessible(nurse_page, "referral-form")
    nurse_page.get_by_role("button", name="Save").click()
    expect(nurse_page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    accessible(nurse_page, "referral-form-errors")

    nurse_page.goto(f"/staff/referrals/{referral.public_id}/fractures/new")
    accessible(nurse_page, "fracture-form")
    nurse_page.get_by_label(re.compile(r"^Level")).select_option("T12")  # already recorded
    nurse_page.get_by_label("Anterior height (mm)").fill("-3")
    nurse_page.get_by_role("button", name="Save").click()
    expect(nurse_page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    accessible(nurse_page, "fracture-form-errors")

    nurse_page.goto(f"/staff/referrals/{referral.public_id}/assessment")
    _open_details(nurse_page)
    accessible(nurse_page, "assessment-form")


def test_patient_search(nurse_page: Any, charted: Any, accessible: Any) -> None:
    nurse_page.goto("/staff/patients/")
    search = nurse_page.get_by_role("searchbox", name=re.compile("Search by name"))
    search.fill("siobhan")  # accents optional
    nurse_page.get_by_role("button", name="Search").click()
    expect(nurse_page.get_by_role("link", name="O'Brien, Siobhán")).to_be_visible()
    accessible(nurse_page, "patient-search")


def test_audit_page_as_administrator(
    page: Any, logged_in: Any, charted: Any, accessible: Any
) -> None:
    logged_in(Role.ADMINISTRATOR)
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.get_by_role("cell", name="A11Y-0001").first).to_be_visible()
    accessible(page, "audit")
    page.get_by_label("From").fill("2026-02-01")
    page.get_by_label("To").fill("2026-01-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_contain_text("The end date is before the start date.")
    accessible(page, "audit-errors")


def test_portal_as_patient(
    page: Any, make_user: Any, login: Any, charted: Any, accessible: Any
) -> None:
    patient, _ = charted
    person = make_user(Role.PATIENT)
    Patient.objects.filter(pk=patient.pk).update(user=person)  # the clinic links the login
    login(page, person)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Siobhán")
    expect(page.get_by_text("levels: T12 L1")).to_be_visible()
    accessible(page, "portal")


def test_the_axe_check_itself_catches_violations(page: Any, axe: Any) -> None:
    """Guards against a silently broken check: a page with known faults must fail it."""
    page.goto("/login/")
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const input = document.createElement('input');
          input.name = 'unlabelled';
          const faint = document.createElement('p');
          faint.textContent = 'Faint text';
          faint.style.color = '#bbb';  // CSSOM, not a style attribute: the CSP allows it
          main.append(input, faint);
        }"""
    )
    found = {v["id"] for v in axe(page, label="self-test")}
    assert {"label", "color-contrast"} <= found, found


def test_consent_form_with_errors_and_the_signed_consent(
    nurse_page: Any, charted: Any, accessible: Any, shoot: Any, make_user: Any
) -> None:
    from vertebra.procedures.information import install_version_1
    from vertebra.procedures.models import PatientInformation

    install_version_1(PatientInformation)  # the live server's tables were flushed
    _patient, referral = charted
    make_user(Role.PHYSICIAN)  # the clinician who explains the risks
    nurse_page.goto(f"/staff/referrals/{referral.public_id}/consent")
    accessible(nurse_page, "consent-form")
    nurse_page.get_by_role("button", name="Record consent").click()
    expect(nurse_page.get_by_role("alert").first).to_contain_text("Nothing was saved.")
    accessible(nurse_page, "consent-form-errors")
    nurse_page.get_by_label(re.compile("^Cement leakage")).check()
    # What was explained (issue 14 §6): levels, sedation, alternatives, who, capacity.
    nurse_page.get_by_label(re.compile("^Level\\(s\\) to be treated")).select_option(["L1"])
    nurse_page.get_by_label(re.compile("^Anaesthesia / sedation planned")).select_option(
        label="Conscious (moderate) sedation"
    )
    nurse_page.get_by_label(re.compile("^Alternatives discussed")).fill(
        "Continued analgesia and bracing; physiotherapy; surgery"
    )
    nurse_page.get_by_label(re.compile("^Risks explained by")).select_option(index=1)
    nurse_page.get_by_label(re.compile("^The patient has capacity")).select_option(label="Yes")
    nurse_page.get_by_label(re.compile("^Interpreter used")).select_option(label="No")
    nurse_page.get_by_label(re.compile("^Patient's signature")).fill("Siobhán O'Brien")
    nurse_page.get_by_label(re.compile("^The patient confirms")).check()
    nurse_page.get_by_role("button", name="Record consent").click()
    expect(nurse_page.get_by_role("status")).to_contain_text("Consent recorded.")
    accessible(nurse_page, "consent-detail")
    shoot(nurse_page, "consent-detail")
    nurse_page.goto(f"/staff/referrals/{referral.public_id}/checklist")
    nurse_page.get_by_role("button", name="Start the checklist").click()
    expect(nurse_page.get_by_role("heading", name=re.compile("^Not ready"))).to_be_visible()
    accessible(nurse_page, "checklist")
    shoot(nurse_page, "checklist")
