"""Staff pages: entering a record in error from the page that edits it."""

from __future__ import annotations

import datetime as dt
import re

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


def test_spine_marks_levels_of_closed_referrals_too(client_for, actor, referral):
    services.fracture_create(actor=actor, referral=referral, data={"level": "T9"})
    services.referral_set_status(
        actor=actor, referral=referral, to_status="closed", reason="Declined"
    )
    page = client_for(Role.NURSE).get(f"/staff/patients/{referral.patient.public_id}/")
    assert page.context["chart"].fractured_levels == {"T9"}
    assert "Fractured levels: T9" in page.content.decode()
    assert "Evaluate</button>" not in page.content.decode()


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
    assert '<tr><td colspan="6">No referrals here.</td></tr>' in (
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


def test_chart_shows_each_referrals_lists_with_labels_names_and_missing_facts(
    client_for, actor, make_patient, make_referral
):
    patient = make_patient()
    older = make_referral(patient, referral_date=dt.date(2026, 1, 5), reason="Old T8 fracture")
    newer = make_referral(patient, referral_date=dt.date(2026, 11, 2))
    services.fracture_create(
        actor=actor,
        referral=newer,
        data={
            "level": "L1",
            "etiology": "osteoporotic",
            "posterior_wall": "intact",
            "height_anterior_mm": "14.5",
            "height_reference_mm": "28.0",
            "mri_oedema": True,
        },
    )
    services.fracture_create(actor=actor, referral=older, data={"level": "T8"})
    wrong = services.fracture_create(actor=actor, referral=newer, data={"level": "T4"})
    services.fracture_enter_in_error(actor=actor, fracture=wrong, reason="Miscounted")
    drug = services.anticoagulant_add(
        actor=actor,
        assessment=newer.assessment,
        data={"drug": "apixaban", "last_dose_date": dt.date(2026, 11, 1)},
    )
    services.anticoagulant_add(actor=actor, assessment=newer.assessment, data={"drug": "aspirin"})
    services.anticoagulant_enter_in_error(actor=actor, drug=drug, reason="Stopped 2025")
    services.referral_set_status(actor=actor, referral=older, to_status="evaluating")
    services.referral_set_status(
        actor=actor, referral=older, to_status="referred", reason="Imaging missing"
    )

    page = client_for(Role.NURSE).get(f"/staff/patients/{patient.public_id}/")
    html = page.content.decode()

    chart = page.context["chart"]
    assert [entry.referral for entry in chart.referrals] == [newer, older]  # newest first
    assert chart.fractured_levels == {"L1", "T8"}  # not the level entered in error
    newer_html, older_html = html.split(f'id="ref-{older.public_id}"')
    assert '<th scope="row">L1</th>\n          <td>Osteoporotic</td>' in newer_html
    assert "<td>Yes</td>\n          <td>14.5 / – / – / 28.0</td>\n          <td>Intact</td>" in (
        newer_html
    )
    assert '<th scope="row">T4</th>' not in html
    assert "Antithrombotics: aspirin (last dose not recorded)</p>" in newer_html
    assert "apixaban" not in newer_html.split("Timeline")[0]
    assert "Pathway history" not in newer_html
    assert (
        '<th scope="row">T8</th>\n          <td><span class="not-assessed">not assessed</span>'
        in older_html
    )
    changed = ": Referred → Evaluating by Nurse Tester</li>"
    back = ": Evaluating → Referred by Nurse Tester (Imaging missing)</li>"
    assert changed in older_html
    assert back in older_html
    assert older_html.index(changed) < older_html.index(back)  # oldest change first
    timeline = html.split('id="timeline-heading"')[1]
    assert 'Fracture at T4 marked entered in error <span class="hint">· nurse-user (nurse)' in (
        timeline
    )
    assert "Opened chart" not in timeline  # reads are audited, not shown as events


def test_timeline_items_match_the_date_filter_in_the_clinic_time_zone_and_are_escaped():
    from django.template import engines

    from vertebra.patients.selectors import TimelineEntry

    entries = [
        # 23:30 UTC is the next day in Berlin (the settings' clinic time zone): 00:30, +01:00.
        TimelineEntry(
            dt.datetime(2026, 1, 31, 23, 30, 5, 120, tzinfo=dt.UTC), "<b>Moved</b> & co", "n", "r"
        ),
        TimelineEntry(dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC), "Summer", 'o"k', "<nurse>"),
    ]
    as_django_filters = engines["django"].from_string(
        "{% for e in entries %}\n        <li><time datetime=\"{{ e.occurred_at|date:'c' }}\">"
        '{{ e.occurred_at|date:"Y-m-d H:i" }}</time>{{ e.text }} <span class="hint">· '
        "{{ e.actor_username }} ({{ e.actor_role }})</span></li>{% endfor %}"
    )
    as_tag = engines["django"].from_string("{% load clinical %}{% timeline_items entries %}")

    rendered = as_tag.render({"entries": entries})
    assert rendered == as_django_filters.render({"entries": entries})
    assert (
        '<li><time datetime="2026-02-01T00:30:05.000120+01:00">2026-02-01 00:30</time>'
        '&lt;b&gt;Moved&lt;/b&gt; &amp; co <span class="hint">· n (r)</span></li>'
    ) in rendered
    assert "2026-07-01 10:00</time>Summer" in rendered  # summer time, +02:00
    assert "· o&quot;k (&lt;nurse&gt;)" in rendered


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


def test_chart_lists_a_referrals_levels_head_to_tail_whatever_the_entry_order(
    client_for, actor, referral
):
    for level in ("L2", "T5", "L1", "C7"):
        services.fracture_create(actor=actor, referral=referral, data={"level": level})
    page = client_for(Role.NURSE).get(f"/staff/patients/{referral.patient.public_id}/")
    rows = re.findall(r'<th scope="row">([CTLS]\d+)</th>', page.content.decode())
    assert rows == ["C7", "T5", "L1", "L2"]
