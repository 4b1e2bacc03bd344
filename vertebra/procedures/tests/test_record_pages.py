"""The procedure record through its pages: start, sections with errors beside the fields,
signing, the signed record refusing every form, addenda, and the report and discharge PDFs
(text read back with pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.timezone import localtime

from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.models import Role
from vertebra.patients.models import Referral
from vertebra.procedures import record
from vertebra.procedures.models import ProcedureLevel, ProcedureRecord
from vertebra.procedures.tests.conftest import fresh

pytestmark = pytest.mark.django_db


def url(procedure: ProcedureRecord, tail: str = "") -> str:
    return f"/staff/procedures/{procedure.public_id}/{tail}"


def text(response: Any) -> str:
    return response.content.decode()


def test_the_chart_lists_the_procedure_with_its_status_and_operator_to_those_who_may_see_it(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    patient_id = started.referral.patient.public_id
    line = (
        f'<li><a href="{url(started)}">'
        f"{localtime(started.started_at):%Y-%m-%d %H:%M}: In progress</a> "
        '<span class="hint">· operator Physician Tester</span></li>'
    )
    assert line in text(client_for(Role.NURSE).get(f"/staff/patients/{patient_id}/"))
    scheduler_chart = text(client_for(Role.SCHEDULER).get(f"/staff/patients/{patient_id}/"))
    assert "<h4>Procedures</h4>" not in scheduler_chart


def test_a_nurse_starts_a_ready_procedure_from_the_referral(
    ready: Referral, client_for: Callable[[Role | None], Client], operator: Any
) -> None:
    client = client_for(Role.NURSE)
    page = client.get(f"/staff/referrals/{ready.public_id}/procedure")
    assert page.status_code == 200
    assert "Ready: a valid consent and a completed checklist" in text(page)
    response = client.post(
        f"/staff/referrals/{ready.public_id}/procedure", {"operator": operator.pk}
    )
    started = ProcedureRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(started)
    page = client.get(url(started))
    assert page.status_code == 200
    for heading in (
        "1. Patient preparation",
        "2. Imaging guidance and dose",
        "3. Levels and cement",
        "Adverse events",
        "4. Observation after the procedure",
        "Discharge",
        "Still to record before signing",
    ):
        assert heading in text(page)


def test_a_blocked_start_lists_what_blocks_and_saves_nothing(
    referral: Referral, client_for: Callable[[Role | None], Client], operator: Any
) -> None:
    from vertebra.procedures.tests.conftest import decide

    decide(referral, Actor(user=operator))
    client = client_for(Role.NURSE)
    before = AuditEvent.objects.count()
    response = client.post(
        f"/staff/referrals/{referral.public_id}/procedure", {"operator": operator.pk}
    )
    assert response.status_code == 422
    assert "The procedure can&#x27;t start yet:" in text(response)
    assert "No pre-procedure checklist has been started." in text(response)
    assert ProcedureRecord.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_a_section_error_is_shown_beside_its_field_and_nothing_is_saved(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    client = client_for(Role.NURSE)
    response = client.post(
        url(started, "sections/team"),
        {
            "version": "1",
            "team-operator": started.operator_id,
            "team-started_at": "2026-12-01T10:00",
            "team-ended_at": "2026-12-01T09:00",
        },
    )
    assert response.status_code == 422
    assert "the end is before the start" in text(response)
    assert "Nothing was saved." in text(response)
    assert fresh(started).ended_at is None


def test_level_volume_50_needs_the_confirmation_then_is_kept(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    client = client_for(Role.PHYSICIAN)
    data = {"level-level": "L1", "level-volume_ml": "50", "level-leakage": "none"}
    response = client.post(url(started, "levels"), data)
    assert response.status_code == 422
    assert "50 mL at L1 is outside 0.5–15 mL: confirm it is mL" in text(response)
    assert ProcedureLevel.objects.count() == 0
    response = client.post(url(started, "levels"), data | {"level-volume_confirmed": "on"})
    assert response.status_code == 302
    assert response["Location"] == url(started) + "#levels"
    assert ProcedureLevel.objects.get().volume_ml == 50


def test_the_dose_conversion_is_shown_on_the_page(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    client = client_for(Role.NURSE)
    response = client.post(
        url(started, "imaging"),
        {"version": "1", "imaging-modality": "fluoroscopy_biplane",
         "imaging-kap_amount": "1250", "imaging-kap_unit": "cGy·cm²",
         "imaging-kar_amount": "", "imaging-kar_unit": "mGy",
         "imaging-fluoroscopy_amount": "", "imaging-fluoroscopy_unit": "s"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(url(started))
    assert "1,250 cGy·cm² = 12.5 Gy·cm²" in text(page)


@pytest.fixture
def signed(complete: Callable[..., ProcedureRecord], physician_actor: Actor) -> ProcedureRecord:
    filled = complete()
    return fresh(
        record.procedure_sign(
            actor=physician_actor, procedure=filled, expected_version=filled.version
        )
    )


def test_the_operator_signs_on_the_page(
    complete: Callable[..., ProcedureRecord], client_for: Callable[[Role | None], Client]
) -> None:
    filled = complete()
    client = client_for(Role.PHYSICIAN)
    assert "The record is complete." in text(client.get(url(filled)))
    response = client.post(url(filled, "sign"), {"version": str(filled.version)})
    assert response.status_code == 302
    page = client.get(url(filled))
    assert "Signed</strong> by Physician Tester" in text(page)
    assert "Save team and times" not in text(page)


def test_signing_an_incomplete_record_on_the_page_lists_what_is_missing(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    response = client_for(Role.PHYSICIAN).post(url(started, "sign"), {"version": "1"})
    assert response.status_code == 422
    assert "The record can&#x27;t be signed yet. Still to record:" in text(response)
    assert "at least one level treated" in text(response)
    assert fresh(started).status == "in_progress"


def test_no_form_changes_a_signed_record(
    signed: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    client = client_for(Role.PHYSICIAN)
    level = signed.levels.first()
    assert level is not None
    before = (AuditEvent.objects.count(), fresh(signed).version, fresh(signed).updated_at)
    posts = [
        (url(signed, "sections/discharge"), {"version": str(signed.version),
                                             "discharge-disposition": "admitted"}),
        (url(signed, "imaging"), {"version": str(signed.version), "imaging-modality": "ct",
                                  "imaging-kap_unit": "Gy·cm²", "imaging-kar_unit": "mGy",
                                  "imaging-fluoroscopy_unit": "s"}),
        (url(signed, "levels"), {"level-level": "L3", "level-volume_ml": "2"}),
        (f"/staff/procedure-levels/{level.public_id}", {"version": str(level.version),
                                                        f"level-{level.public_id}-level": "L1"}),
        (url(signed, "adverse-events"), {"event-kind": "fever", "event-sir_grade": "1"}),
        (url(signed, "medications"), {"drug-kind": "sedation", "drug-agent": "midazolam",
                                      "drug-dose": "2", "drug-dose_unit": "mg"}),
    ]  # fmt: skip
    for path, data in posts:
        response = client.post(path, data)
        assert response.status_code == 409, path
        assert "signed and never changes" in text(response), path
    assert (AuditEvent.objects.count(), fresh(signed).version, fresh(signed).updated_at) == before


def test_an_addendum_is_shown_with_the_signed_record_and_its_report(
    signed: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    client = client_for(Role.NURSE)
    response = client.post(
        url(signed, "addenda"),
        {"addendum-reason": "Lot transcribed wrongly", "addendum-text": "L1 lot: LOT-4712"},
    )
    assert response.status_code == 302
    for page in (client.get(url(signed)), client.get(url(signed, "report"))):
        assert "Addendum of" in text(page)
        assert "Nurse Tester" in text(page)
        assert "why: Lot transcribed wrongly" in text(page)
        assert "L1 lot: LOT-4712" in text(page)


def _pdf_text(content: bytes, tmp_path: Any) -> str:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_report_pdf_carries_patient_levels_volumes_codes_and_signature(
    signed: ProcedureRecord, client_for: Callable[[Role | None], Client], tmp_path: Any
) -> None:
    record.addendum_add(
        actor=Actor(user=signed.operator), procedure=signed, reason="Typo", text="Lot LOT-4712"
    )
    response = client_for(Role.QUALITY_LEAD).get(url(signed, "report.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    extracted = " ".join(_pdf_text(response.content, tmp_path).split())
    for expected in (
        "Müller, Zoë · MRN MRN-0001",
        "Procedure report: percutaneous vertebroplasty",
        "T12",
        "L1",
        "3.5 mL",
        "22510",
        "22512",
        "M80.08XA",
        "type S [YEOM2003], venous (segmental / paravertebral plexus), asymptomatic",
        "Transient pain increase: SIR grade 1 [SIRAE2017]",
        "1,250 cGy·cm² = 12.5 Gy·cm²",
        "Substantial radiation dose [STECKER2009]: no",
        "Electronically signed by Physician Tester (operator)",
        "why: Typo",
        "Impression Vertebroplasty of T12 (3.5 mL) and L1 (3.5 mL); asymptomatic cement leakage",
    ):
        assert expected in extracted, expected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_discharge_instructions_give_activity_pain_bones_follow_up_and_red_flags(
    signed: ProcedureRecord, client_for: Callable[[Role | None], Client], tmp_path: Any
) -> None:
    response = client_for(Role.NURSE).get(url(signed, "discharge.pdf"))
    assert response.status_code == 200
    extracted = " ".join(_pdf_text(response.content, tmp_path).split())
    day = signed.started_at.date()
    for expected in (
        "After your vertebroplasty",
        "Zoë Müller",
        "T12, L1",
        "within 24 to 48 hours",
        "Pain",
        "Your bones",
        "Phone call (24–48 hours)",
        "12 months",
        "new weakness or numbness in your legs",
        "trouble controlling your bladder or bowels",
        "chest pain",
        "fever",
        "After the sedation: for the next 24 hours",
        "A responsible adult takes you home.",
        "Do not drive or use machinery.",
    ):
        assert expected in extracted, expected
    assert f"{day.year + 1}" in extracted  # the 12-month visit falls next year


def test_a_draft_report_says_it_is_not_signed(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    page = client_for(Role.PHYSICIAN).get(url(started, "report"))
    assert page.status_code == 200
    assert "NOT SIGNED — draft, in progress." in text(page)


def test_the_forms_show_what_is_stored_so_saving_unchanged_changes_nothing(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    """A stored yes (the time-out, confirmed in the room) is shown as Yes, not as "Not
    recorded", and blank choices read "Not recorded"."""
    assert started.time_out_done is None  # never carried over from the checklist (issue 14)
    record.procedure_update(
        actor=Actor(user=started.operator),
        procedure=started,
        expected_version=started.version,
        data={"time_out_done": True},
    )
    page = text(client_for(Role.NURSE).get(url(started)))
    assert '<option value="true" selected>Yes</option>' in page
    assert '<option value="" selected>Not recorded</option>' in page
    assert "---------" not in page


def test_the_patient_gets_their_own_discharge_instructions_in_the_portal(
    signed: ProcedureRecord,
    users: dict[Role, Any],
    make_patient: Callable[..., Any],
    client_for: Callable[[Role | None], Client],
) -> None:
    from vertebra.patients.models import Patient

    patient_client = client_for(Role.PATIENT)
    pdf_url = f"/portal/procedures/{signed.public_id}/discharge.pdf"
    # Not linked to this patient yet: no such procedure.
    assert patient_client.get(pdf_url).status_code == 404
    Patient.objects.filter(pk=signed.patient_id).update(user=users[Role.PATIENT])
    home = text(patient_client.get("/portal/"))
    assert "After your procedure" in home
    assert pdf_url in home
    before = AuditEvent.objects.count()
    response = patient_client.get(pdf_url)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert AuditEvent.objects.latest("sequence").summary == (
        "Patient printed their discharge instructions"
    )
    assert AuditEvent.objects.count() == before + 1
    # Another patient's signed record answers exactly as one that does not exist.
    other = make_patient(mrn="MRN-OTHER")
    Patient.objects.filter(pk=signed.patient_id).update(user=None)
    Patient.objects.filter(pk=other.pk).update(user=users[Role.PATIENT])
    assert patient_client.get(pdf_url).status_code == 404
    assert "After your procedure" not in text(patient_client.get("/portal/"))


def test_an_unsigned_record_is_not_in_the_portal(
    started: ProcedureRecord, users: dict[Role, Any], client_for: Callable[[Role | None], Client]
) -> None:
    from vertebra.patients.models import Patient

    Patient.objects.filter(pk=started.patient_id).update(user=users[Role.PATIENT])
    client = client_for(Role.PATIENT)
    assert client.get(f"/portal/procedures/{started.public_id}/discharge.pdf").status_code == 404
    assert "After your procedure" not in text(client.get("/portal/"))


def test_a_reader_sees_an_in_progress_record_as_its_report_without_forms(
    started: ProcedureRecord, client_for: Callable[[Role | None], Client]
) -> None:
    page = text(client_for(Role.QUALITY_LEAD).get(url(started)))
    assert "<strong>In progress</strong>: shown as its report would print today." in page
    assert "Still to record before the operator signs: the procedure end time;" in page
    assert "NOT SIGNED — draft, in progress." in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]
