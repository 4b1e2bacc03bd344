"""The chart page: each referral's lists, the spine diagram and the timeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from vertebra.core.models import Role
from vertebra.patients import services

pytestmark = pytest.mark.django_db


def test_spine_marks_levels_of_closed_referrals_too(client_for, actor, referral):
    services.fracture_create(actor=actor, referral=referral, data={"level": "T9"})
    services.referral_set_status(
        actor=actor, referral=referral, to_status="closed", reason="Declined"
    )
    page = client_for(Role.NURSE).get(f"/staff/patients/{referral.patient.public_id}/")
    assert page.context["chart"].fractured_levels == {"T9"}
    assert "Fractured levels: T9" in page.content.decode()
    assert "Evaluate</button>" not in page.content.decode()


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
    assert re.search(r'<th scope="row">L1<br>.*?</th>\n          <td>Osteoporotic</td>', newer_html)
    assert (
        "<td>Yes</td>\n"
        "          <td>14.5 / – / – / 28.0<br>"
        '<span class="not-assessed">no evaluation yet</span></td>\n'
        "          <td>Intact</td>"
    ) in newer_html
    assert '<th scope="row">T4' not in html
    assert "Antithrombotics: aspirin (last dose not recorded)</p>" in newer_html
    assert "apixaban" not in newer_html.split("Timeline")[0]
    assert "Pathway history" not in newer_html
    assert re.search(
        r'<th scope="row">T8<br>.*?</th>\n'
        r'          <td><span class="not-assessed">not assessed</span>',
        older_html,
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

    from vertebra.clinic.chart.selectors import TimelineEntry

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
    as_tag = engines["django"].from_string("{% load chart %}{% timeline_items entries %}")

    rendered = as_tag.render({"entries": entries})
    assert rendered == as_django_filters.render({"entries": entries})
    assert (
        '<li><time datetime="2026-02-01T00:30:05.000120+01:00">2026-02-01 00:30</time>'
        '&lt;b&gt;Moved&lt;/b&gt; &amp; co <span class="hint">· n (r)</span></li>'
    ) in rendered
    assert "2026-07-01 10:00</time>Summer" in rendered  # summer time, +02:00
    assert "· o&quot;k (&lt;nurse&gt;)" in rendered


def test_chart_lists_a_referrals_levels_head_to_tail_whatever_the_entry_order(
    client_for, actor, referral
):
    for level in ("L2", "T5", "L1", "C7"):
        services.fracture_create(actor=actor, referral=referral, data={"level": level})
    page = client_for(Role.NURSE).get(f"/staff/patients/{referral.patient.public_id}/")
    rows = re.findall(r'<th scope="row">([CTLS]\d+)<br>', page.content.decode())
    assert rows == ["C7", "T5", "L1", "L2"]
