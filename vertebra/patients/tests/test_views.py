"""Staff pages: entering a record in error from the page that edits it."""

from __future__ import annotations

import datetime as dt

import pytest

from vertebra.core.models import RecordStatus, Role
from vertebra.patients import services
from vertebra.patients.models import Fracture, Patient, Referral

pytestmark = pytest.mark.django_db


def test_edit_pages_offer_entered_in_error_to_clinicians_only(client_for, actor, referral):
    fracture = services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    patient_id = referral.patient.public_id
    pages = {
        f"/staff/patients/{patient_id}/edit": "Mark patient record entered in error",
        f"/staff/referrals/{referral.public_id}/edit": "Mark referral entered in error",
        f"/staff/fractures/{fracture.public_id}/edit": "Mark level entered in error",
    }
    for url, button in pages.items():
        assert button in client_for(Role.NURSE).get(url).content.decode()
    # The scheduler edits demographics but may not retract records.
    scheduler_page = client_for(Role.SCHEDULER).get(
        f"/staff/patients/{referral.patient.public_id}/edit"
    )
    assert "entered in error" not in scheduler_page.content.decode()


def test_retracting_a_level_keeps_it_with_the_reason(client_for, actor, referral):
    fracture = services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    client = client_for(Role.NURSE)
    url = f"/staff/fractures/{fracture.public_id}/entered-in-error"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 302
    assert Fracture.objects.get(pk=fracture.pk).record_status == RecordStatus.ACTIVE
    client.post(url, {"reason": "Level miscounted: it is T11"})
    stored = Fracture.objects.get(pk=fracture.pk)
    assert (stored.record_status, stored.entered_in_error_reason) == (
        RecordStatus.ENTERED_IN_ERROR,
        "Level miscounted: it is T11",
    )
    chart = client.get(f"/staff/patients/{referral.patient.public_id}/").content.decode()
    assert "No level recorded yet." in chart


def test_retracting_a_patient_from_the_edit_page(client_for, referral):
    client = client_for(Role.NURSE)
    response = client.post(
        f"/staff/patients/{referral.patient.public_id}/entered-in-error",
        {"reason": "Registered twice"},
    )
    assert (response.status_code, response["Location"]) == (302, "/staff/patients/")
    assert Patient.objects.get(pk=referral.patient.pk).record_status == "entered_in_error"
    assert Referral.objects.get(pk=referral.pk).record_status == "entered_in_error"


def test_worklist_rows_show_and_escape_every_column(client_for, actor, make_patient, make_referral):
    patient = make_patient(family_name="<b>O'Brien</b>", given_name="Ann & Co", mrn="MRN-<9>")
    referral = make_referral(
        patient, referring_clinician='Dr "Quote" <i>', referral_date=dt.date(2026, 3, 4)
    )
    services.fracture_create(actor=actor, referral=referral, data={"level": "T12"})
    services.fracture_create(actor=actor, referral=referral, data={"level": "L1"})
    services.referral_set_status(actor=actor, referral=referral, to_status="evaluating")

    page = client_for(Role.NURSE).get("/staff/").content.decode()

    assert (
        f'<td><a href="/staff/patients/{patient.public_id}/">'
        "&lt;b&gt;O&#x27;Brien&lt;/b&gt;, Ann &amp; Co</a></td>\n"
        '      <td class="nowrap">MRN-&lt;9&gt;</td>\n'
        '      <td class="nowrap">2026-03-04</td>\n'
        "      <td>Dr &quot;Quote&quot; &lt;i&gt;</td>\n"
        "      <td>2</td>\n"
        '      <td><span class="status">Evaluating</span></td>'
    ) in page
    assert "<b>O'Brien</b>" not in page
    services.referral_set_status(
        actor=actor, referral=referral, to_status="closed", reason="Declined"
    )
    assert '<tr><td colspan="7">No referrals here.</td></tr>' in (
        client_for(Role.NURSE).get("/staff/").content.decode()
    )


def test_spine_diagram_names_and_marks_the_fractured_levels():
    from vertebra.patients.spine import LEVELS
    from vertebra.patients.spine_svg import spine_svg

    none = str(spine_svg(set()))
    assert "Fractured levels: none</title>" in none
    assert none.count("<rect ") == len(LEVELS)
    assert "fractured" not in none
    two = str(spine_svg({"L1", "T12"}))
    assert "Fractured levels: T12 L1 </title>" in two  # head to tail, as on the drawing
    assert two.count('<rect class="body fractured"') == 2
    assert '<text x="60" y="385" class="fractured">T12</text>' in two
    assert '<rect class="body" x="35" y="4"' not in two  # C1 is 40 wide, centred at 40
    assert '<rect class="body" x="40" y="4" width="40" height="14" rx="3"></rect>' in two


def test_patient_list_shows_the_latest_referrals_status_by_its_label(client_for, actor, referral):
    services.referral_set_status(actor=actor, referral=referral, to_status="evaluating")
    page = client_for(Role.NURSE).get("/staff/patients/", {"q": referral.patient.mrn})
    row = page.content.decode()
    assert '<span class="status">Evaluating</span>' in row
    assert ">evaluating<" not in row


def test_an_edit_conflict_lists_the_other_saves_fields_by_their_labels(client_for, patient):
    first, second = client_for(Role.NURSE), client_for(Role.PHYSICIAN)
    form = {
        "mrn": patient.mrn,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "birth_date": patient.birth_date.isoformat(),
        "sex": patient.sex,
        "phone": "",
        "email": "",
        "version": str(patient.version),
    }
    url = f"/staff/patients/{patient.public_id}/edit"
    assert first.post(url, {**form, "given_name": "Manfred"}).status_code == 302
    late = second.post(url, {**form, "phone": "111"})
    assert late.status_code == 409
    page = late.content.decode()
    assert "<li>Given name: Manfred</li>" in page
    assert "given_name" not in page.split("Their changes:")[1].split("</ul>")[0]
    assert Patient.objects.get(pk=patient.pk).phone == ""
