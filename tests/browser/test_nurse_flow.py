"""The nurse's path through the staff app in a real browser: log in, register a patient, record
a referral and a fracture at T12, find the referral on the worklist and open the chart. Also
the same pages by keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from vertebra.audit.models import AuditEvent
from vertebra.core.models import Role
from vertebra.patients.models import Fracture, Patient, Referral

pytestmark = pytest.mark.browser


def test_nurse_registers_a_patient_and_finds_it_on_the_worklist(
    page: Any, logged_in: Any, shoot: Any
) -> None:
    nurse = logged_in(Role.NURSE)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")

    # Register the patient.
    page.get_by_role("link", name="New patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New patient")
    page.get_by_label("MRN").fill("BRW-0042")
    page.get_by_label("Family name").fill("Šimek")
    page.get_by_label("Given name").fill("Hana")
    page.get_by_label("Date of birth").fill("1941-07-09")
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Registered Hana Šimek (BRW-0042).")
    expect(page.get_by_role("heading", level=1)).to_have_text("Šimek, Hana")

    # The referral.
    page.get_by_role("link", name="New referral").click()
    page.get_by_label("Referring clinician").fill("Dr Novak, GP")
    page.get_by_label("Reason").fill("Severe thoracolumbar pain after a fall from standing.")
    page.get_by_label("Referral date").fill("2026-01-12")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Referral recorded.")
    referral = page.get_by_role("region", name=re.compile(r"^Referral of 2026-01-12"))
    expect(referral).to_contain_text("Dr Novak, GP")
    expect(referral).to_contain_text("No level recorded yet.")

    # The fracture at T12.
    referral.get_by_role("link", name="Add fractured level").click()
    page.get_by_label(re.compile(r"^Level")).select_option("T12")
    page.get_by_label("Etiology").select_option(label="Osteoporotic")
    page.get_by_label("MRI marrow oedema").select_option(label="Yes")
    page.get_by_label("Anterior height (mm)").fill("14.5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Fracture at T12 recorded.")
    levels = page.get_by_role("region", name=re.compile(r"^Referral of 2026-01-12")).get_by_role(
        "table"
    )
    expect(levels.get_by_role("rowheader", name="T12")).to_be_visible()
    expect(levels).to_contain_text("Osteoporotic")
    expect(page.get_by_role("img", name=re.compile(r"Fractured levels: T12"))).to_be_visible()

    # Find it on the worklist and open the chart from there.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Worklist").click()
    row = page.get_by_role("row").filter(has_text="BRW-0042")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(2)).to_have_text("2026-01-12")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Dr Novak, GP")
    expect(row.get_by_role("cell").nth(4)).to_have_text("1")
    expect(row.get_by_role("cell").nth(5)).to_have_text("Referred")
    shoot(page, "worklist-tablet")
    row.get_by_role("link", name="Šimek, Hana").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Šimek, Hana")
    expect(page.get_by_role("rowheader", name="T12")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Recorded fracture at T12")
    page.locator("details").evaluate_all("(all) => all.forEach(d => d.open = true)")
    shoot(page, "chart-tablet")

    # What the browser did is what the database holds, written as the nurse.
    patient = Patient.objects.get(mrn="BRW-0042")
    assert (patient.family_name, patient.given_name, str(patient.birth_date)) == (
        "Šimek",
        "Hana",
        "1941-07-09",
    )
    referral_row = Referral.objects.get(patient=patient)
    assert referral_row.referring_clinician == "Dr Novak, GP"
    fracture = Fracture.objects.get(referral=referral_row)
    assert (fracture.level, fracture.etiology, fracture.mri_oedema) == ("T12", "osteoporotic", True)
    assert str(fracture.height_anterior_mm) == "14.5"
    assert fracture.height_middle_mm is None  # left empty: not assessed, not zero
    actions = set(
        AuditEvent.objects.filter(patient=patient, actor_username=nurse.username).values_list(
            "action", flat=True
        )
    )
    assert {"create", "view"} <= actions, actions


def _tab_to(page: Any, accessible_name: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element has this accessible name (text or label)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el) return '';
              const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
              return (label || el.innerText || el.value || '').trim();
            }"""
        )
        if name.startswith(accessible_name):
            return
    raise AssertionError(f"Tab never reached {accessible_name!r}")


def _type_date(page: Any, iso: str) -> None:
    """Type a date into the focused native date field, as a keyboard user would. The order of
    its parts follows the browser's language (Debian's Chromium ships en-US only: mm/dd/yyyy),
    so find it first by typing 01, 02, 2000 and reading the value back."""
    page.keyboard.type("01022000")
    probe = page.evaluate("() => document.activeElement.value")
    order = {"2000-01-02": "mdy", "2000-02-01": "dmy"}.get(probe, "ymd")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back on the first part of the same field
    year, month, day = iso.split("-")
    parts = {"y": year, "m": month, "d": day}
    page.keyboard.type("".join(parts[p] for p in order))


def _focus_is_visible(page: Any) -> bool:
    return page.evaluate(
        """() => {
          const s = getComputedStyle(document.activeElement);
          return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
        }"""
    )


def test_keyboard_only_login_and_patient_registration(page: Any, make_user: Any) -> None:
    nurse = make_user(Role.NURSE)
    page.goto("/login/")
    # The username field has focus on arrival; Enter submits. Chromium applies autofocus at its
    # next rendering step, after the load event, so wait for it rather than type into nothing.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(nurse.username)
    page.keyboard.press("Tab")
    page.keyboard.type("Correct-horse-battery-42")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")

    # First Tab: the skip link, visible when focused; it moves focus into <main>.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    _tab_to(page, "New patient")
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("New patient")

    # Saving an empty form: the error summary is announced and its links lead to the fields.
    _tab_to(page, "Save")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was saved.")
    expect(summary).to_be_focused()
    expect(page.get_by_label("MRN")).to_have_attribute("aria-invalid", "true")
    _tab_to(page, "MRN")
    expect(page.locator(":focus")).to_have_attribute("href", "#id_mrn")
    page.keyboard.press("Enter")
    expect(page.get_by_label("MRN")).to_be_focused()

    # Fill the form by keyboard alone, in the visual order of the fields.
    page.keyboard.type("KBD-0001")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyes")
    page.keyboard.press("Tab")
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Date of birth")).to_be_focused()
    _type_date(page, "1950-03-31")
    expect(page.get_by_label("Date of birth")).to_have_value("1950-03-31")
    _tab_to(page, "Sex", limit=2)  # Chromium may stop once more inside the date field
    page.keyboard.press("Tab")
    expect(page.get_by_label("Phone")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Keyes, Ada")
    assert Patient.objects.filter(mrn="KBD-0001").exists()
