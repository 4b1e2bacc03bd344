"""Permission matrix: every URL route × anonymous and every role.

The expected outcome of each (route, role) is written out below as data, one column per role, so
a wrong entry in `core.permissions.PERMISSIONS` (or a view checking the wrong capability) fails
here. Every request also compares the database before and after: a refused request must change
nothing and write no audit row; an allowed one must make exactly the declared change.

Column order of every grid: anonymous, patient, nurse, scheduler, physician, quality lead,
administrator. Tokens:
  ok        the row's success outcome (status, redirect, declared row-count changes)
  login     302 to /login/?next=<path>                      (staff pages, portal)
  401       {"error": {"code": "unauthenticated", ...}}      (API) / OperationOutcome (FHIR)
  403       the 403 page / {"error": {"code": "forbidden"}} / OperationOutcome
  no        the row's own refusal (a rule inside the service), nothing written
  200, 404, 405, 302>/path   that plain answer, nothing written
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.resolvers import RegexPattern

from config import urls as root_urls
from config.api import api
from vertebra.audit.models import AuditEvent
from vertebra.core.actor import Actor
from vertebra.core.models import Role
from vertebra.core.permissions import PERMISSIONS, Capability
from vertebra.evaluation import services as evaluation_services
from vertebra.patients import services
from vertebra.patients.models import Patient
from vertebra.procedures import checklist as checklist_services
from vertebra.procedures import services as consent_services
from vertebra.procedures.selectors import current_information
from vertebra.scheduling import services as scheduling_services
from vertebra.scheduling.tests.conftest import make_clinic

pytestmark = pytest.mark.django_db

COLUMNS: tuple[Role | None, ...] = (
    None,
    Role.PATIENT,
    Role.NURSE,
    Role.SCHEDULER,
    Role.PHYSICIAN,
    Role.QUALITY_LEAD,
    Role.ADMINISTRATOR,
)

# --- The capability table, written out (a change to PERMISSIONS must change this too) --------

EXPECTED_PERMISSIONS: dict[Capability, set[Role]] = {
    Capability.PATIENT_VIEW: {Role.NURSE, Role.SCHEDULER, Role.PHYSICIAN, Role.QUALITY_LEAD},
    Capability.PATIENT_EDIT: {Role.NURSE, Role.SCHEDULER, Role.PHYSICIAN},
    Capability.REFERRAL_CREATE: {Role.NURSE, Role.SCHEDULER, Role.PHYSICIAN},
    Capability.CLINICAL_EDIT: {Role.NURSE, Role.PHYSICIAN},
    Capability.REFERRAL_DECIDE: {Role.PHYSICIAN},
    Capability.RECORD_RETRACT: {Role.NURSE, Role.PHYSICIAN},
    Capability.AUDIT_VIEW: {Role.ADMINISTRATOR},
    Capability.SETTINGS_EDIT: {Role.ADMINISTRATOR},
    Capability.SCHEDULE_VIEW: {Role.NURSE, Role.SCHEDULER, Role.PHYSICIAN, Role.QUALITY_LEAD},
    Capability.SCHEDULE_BOOK: {Role.NURSE, Role.SCHEDULER, Role.PHYSICIAN},
    Capability.SCHEDULE_OVERRIDE: {Role.SCHEDULER, Role.PHYSICIAN},
    Capability.SCHEDULE_SETUP: {Role.SCHEDULER, Role.ADMINISTRATOR},
    Capability.CONSENT_VIEW: {Role.NURSE, Role.PHYSICIAN, Role.QUALITY_LEAD},
    Capability.CONSENT_RECORD: {Role.NURSE, Role.PHYSICIAN},
    Capability.PROCEDURE_VIEW: {Role.NURSE, Role.PHYSICIAN, Role.QUALITY_LEAD},
    Capability.PROCEDURE_RECORD: {Role.NURSE, Role.PHYSICIAN},
    Capability.PROCEDURE_SIGN: {Role.PHYSICIAN},
    Capability.HOLD_OVERRIDE: {Role.PHYSICIAN},
    Capability.OVERRIDES_VIEW: {Role.PHYSICIAN, Role.QUALITY_LEAD},
    Capability.PORTAL: {Role.PATIENT},
}


def test_permissions_table_is_exactly_the_specified_one() -> None:
    assert {cap: set(roles) for cap, roles in PERMISSIONS.items()} == EXPECTED_PERMISSIONS


# Grids per capability, for staff pages (anonymous → login) and the API/FHIR (anonymous → 401).
#            anon   patient nurse scheduler physician quality admin
PAGE_VIEW = "login  403     ok    ok        ok        ok      403"
PAGE_EDIT = "login  403     ok    ok        ok        403     403"
PAGE_CLIN = "login  403     ok    403       ok        403     403"
PAGE_DECIDE = "login 403    403   403       ok        403     403"
PAGE_AUDIT = "login 403     403   403       403       403     ok"
PAGE_SETTINGS = "login 403  403   403       403       403     ok"
PAGE_PORTAL = "login ok     403   403       403       403     403"
PAGE_SETUP = "login  403     403   ok        403       403     ok"
PAGE_CONSENT_VIEW = "login 403  ok    403       ok        ok      403"
PAGE_CONSENT = "login  403    ok    403       ok        403     403"
PAGE_PROC_VIEW = "login 403  ok    403       ok        ok      403"
API_VIEW = "401    403     ok    ok        ok        ok      403"
API_EDIT = "401    403     ok    ok        ok        403     403"
API_CLIN = "401    403     ok    403       ok        403     403"
API_PROC_VIEW = "401   403     ok    403       ok        ok      403"
EVERYONE_200 = "200 200     200   200       200       200     200"
# The administrator may not open the worklist: they land on the audit trail.
HOME = "200  302>/portal/ 302>/staff/ 302>/staff/ 302>/staff/ 302>/staff/ 302>/staff/audit/"


@dataclass(frozen=True)
class Case:
    method: str
    url: str  # placeholders: {p} patient, {r} referral, {f} fracture, {d} antithrombotic,
    # {e} evaluation
    kind: str  # page | api | fhir | public
    grid: str
    data: dict[str, Any] | None = None
    ok_status: int = 200
    ok_location: str | None = None  # a regex after placeholders are filled in
    ok_delta: dict[str, int] = field(default_factory=dict)
    refused: tuple[int, str | None, dict[str, Any] | None] | None = None  # status, location, body
    setup: str = ""  # "evaluating": the referral is in evaluation first (version 2)

    @property
    def label(self) -> str:
        return f"{self.method} {self.url}"


AUDIT_1 = {"AuditEvent": 1}
# Stored evaluation of a referred referral: it also moves to "evaluating" (two audit events).
EVALUATED = {"Evaluation": 1, "ReferralStatusChange": 1, "AuditEvent": 2}
CHART = r"/staff/patients/{p}/"
PATIENT_FORM = {
    "version": "1",
    "mrn": "MRN-0001",
    "family_name": "Müller",
    "given_name": "Zoë",
    "birth_date": "1944-03-31",
    "sex": "female",
    "phone": "555 0101",
    "email": "",
}
NEW_PATIENT_JSON = {
    "mrn": "MRN-NEW",
    "family_name": "New",
    "given_name": "Person",
    "birth_date": "1950-05-05",
}
NEW_REFERRAL = {
    "referring_clinician": "Dr New",
    "reason": "Back pain",
    "referral_date": "2026-11-10",
}
API_FORBIDDEN = {
    "error": {"code": "forbidden", "message": "Your role does not allow this.", "fields": {}}
}
API_UNAUTHENTICATED = {
    "error": {"code": "unauthenticated", "message": "Log in first.", "fields": {}}
}
DECIDE_REFUSED = {
    "error": {
        "code": "forbidden",
        "message": "Only a physician records the decision to treat.",
        "fields": {"status": ["Only a physician records the decision to treat."]},
    }
}

CASES: tuple[Case, ...] = (
    # --- Public pages, login, logout, health ----------------------------------------------
    Case("GET", "/", "public", HOME),
    Case("GET", "/about/vertebroplasty", "public", EVERYONE_200),
    Case("GET", "/healthz", "public", EVERYONE_200),
    Case("GET", "/login/", "public", "200 302>/ 302>/ 302>/ 302>/ 302>/ 302>/"),
    Case("GET", "/logout/", "public", "405 405 405 405 405 405 405"),
    Case("POST", "/logout/", "public", "302>/login/ ok ok ok ok ok ok", ok_status=302,
         ok_location="/login/", ok_delta=AUDIT_1),
    # No Django admin (it would write around the services and the audit trail).
    Case("GET", "/api/no-such-endpoint", "public", "404 404 404 404 404 404 404"),
    # --- Staff pages ------------------------------------------------------------------------
    Case("GET", "/staff/", "page", PAGE_VIEW),
    Case("GET", "/staff/?status=referred", "page", PAGE_VIEW),
    Case("GET", "/staff/patients/", "page", PAGE_VIEW),
    Case("GET", "/staff/patients/?q=zoe", "page", PAGE_VIEW),
    Case("GET", "/staff/patients/new", "page", PAGE_EDIT),
    Case("POST", "/staff/patients/new", "page", PAGE_EDIT,
         data={**PATIENT_FORM, "version": "", "mrn": "MRN-NEW"}, ok_status=302,
         ok_location=r"/staff/patients/[0-9a-f-]{{36}}/", ok_delta={"Patient": 1, "AuditEvent": 1}),
    Case("GET", "/staff/patients/{p}/", "page", PAGE_VIEW, ok_delta=AUDIT_1),
    Case("GET", "/staff/patients/{p}/edit", "page", PAGE_EDIT),
    Case("POST", "/staff/patients/{p}/edit", "page", PAGE_EDIT, data=PATIENT_FORM,
         ok_status=302, ok_location=CHART, ok_delta=AUDIT_1),
    Case("POST", "/staff/patients/{p}/entered-in-error", "page", PAGE_CLIN,
         data={"reason": "Duplicate registration"}, ok_status=302,
         ok_location="/staff/patients/", ok_delta={"AuditEvent": 2}),  # and its referral
    Case("GET", "/staff/patients/{p}/referrals/new", "page", PAGE_EDIT),
    Case("POST", "/staff/patients/{p}/referrals/new", "page", PAGE_EDIT,
         data=NEW_REFERRAL,
         ok_status=302, ok_location=CHART,
         ok_delta={"Referral": 1, "ClinicalAssessment": 1, "AuditEvent": 1}),
    Case("GET", "/staff/referrals/{r}/edit", "page", PAGE_CLIN),
    Case("POST", "/staff/referrals/{r}/edit", "page", PAGE_CLIN,
         data={"version": "1", "referring_clinician": "Dr Changed",
               "reason": "Painful L1 fracture", "referral_date": "2026-11-02"},
         ok_status=302, ok_location=CHART, ok_delta=AUDIT_1),
    Case("POST", "/staff/referrals/{r}/status", "page", PAGE_CLIN,
         data={"to_status": "evaluating", "reason": "", "version": "1"}, ok_status=302,
         ok_location=CHART, ok_delta={"ReferralStatusChange": 1, "AuditEvent": 1}),
    # Only a physician decides: the nurse may edit clinically but is refused by the service.
    Case("POST", "/staff/referrals/{r}/status", "page", "login 403 no 403 ok 403 403",
         data={"to_status": "decided", "reason": "Decided at the spine meeting", "version": "2"},
         setup="evaluating",
         ok_status=302, ok_location=CHART, ok_delta={"ReferralStatusChange": 1, "AuditEvent": 1},
         refused=(302, CHART, None)),
    Case("POST", "/staff/referrals/{r}/entered-in-error", "page", PAGE_CLIN,
         data={"reason": "Wrong patient"}, ok_status=302, ok_location=CHART, ok_delta=AUDIT_1),
    Case("GET", "/staff/referrals/{r}/assessment", "page", PAGE_CLIN),
    Case("POST", "/staff/referrals/{r}/assessment", "page", PAGE_CLIN,
         data={"version": "1", "pain_nrs": "7"}, ok_status=302, ok_location=CHART,
         ok_delta=AUDIT_1),
    Case("POST", "/staff/referrals/{r}/antithrombotics", "page", PAGE_CLIN,
         data={"drug": "clopidogrel"}, ok_status=302,
         ok_location="/staff/referrals/{r}/assessment",
         ok_delta={"Anticoagulant": 1, "AuditEvent": 1}),
    Case("POST", "/staff/antithrombotics/{d}/entered-in-error", "page", PAGE_CLIN,
         data={"reason": "Stopped last year"}, ok_status=302,
         ok_location="/staff/referrals/{r}/assessment", ok_delta=AUDIT_1),
    Case("GET", "/staff/referrals/{r}/fractures/new", "page", PAGE_CLIN),
    Case("POST", "/staff/referrals/{r}/fractures/new", "page", PAGE_CLIN,
         data={"level": "L2"}, ok_status=302, ok_location=CHART,
         ok_delta={"Fracture": 1, "AuditEvent": 1}),
    Case("GET", "/staff/fractures/{f}/edit", "page", PAGE_CLIN),
    Case("POST", "/staff/fractures/{f}/edit", "page", PAGE_CLIN,
         data={"version": "1", "level": "L1", "mri_oedema": "true"}, ok_status=302,
         ok_location=CHART, ok_delta=AUDIT_1),
    Case("POST", "/staff/fractures/{f}/entered-in-error", "page", PAGE_CLIN,
         data={"reason": "Wrong level"}, ok_status=302, ok_location=CHART, ok_delta=AUDIT_1),
    Case("GET", "/staff/audit/", "page", PAGE_AUDIT),
    Case("GET", "/staff/audit/?format=csv", "page", PAGE_AUDIT, ok_delta=AUDIT_1),
    # --- Evaluation (decision support) ------------------------------------------------------
    Case("POST", "/staff/referrals/{r}/evaluate", "page", PAGE_CLIN, ok_status=302,
         ok_location=r"/staff/evaluations/[0-9a-f-]{{36}}/", ok_delta=EVALUATED),
    Case("GET", "/staff/evaluations/{e}/", "page", PAGE_VIEW, ok_delta=AUDIT_1),
    Case("GET", "/staff/evaluations/{e}/summary.pdf", "page", PAGE_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/staff/evaluations/{e}/decision", "page", PAGE_DECIDE,
         data={"choice": "do_not_proceed", "reason": "Imaging incomplete"}, ok_status=302,
         ok_location=CHART,
         ok_delta={"FinalDecision": 1, "ReferralStatusChange": 1, "AuditEvent": 2}),
    Case("GET", "/staff/settings/evaluation", "page", PAGE_SETTINGS),
    # An empty POST re-shows the form: past the role check, nothing saved.
    Case("POST", "/staff/settings/evaluation", "page", "login 403 403 403 403 403 200"),
    # --- Booking ({a}: a consultation of {p} in two days; {t}: a weekly window) ---------------
    Case("GET", "/staff/schedule/", "page", PAGE_VIEW),
    Case("GET", "/staff/schedule/calendar", "page", PAGE_VIEW),
    Case("GET", "/staff/schedule/find?patient={p}&type=consultation", "page", PAGE_VIEW),
    Case("GET", "/staff/schedule/notices", "page", PAGE_VIEW),
    Case("GET", "/staff/schedule/setup", "page", PAGE_SETUP),
    Case("POST", "/staff/schedule/setup", "page", PAGE_SETUP,
         data={"form": "resource", "resource-kind": "equipment", "resource-name": "C-arm 2"},
         ok_status=302, ok_location="/staff/schedule/setup",
         ok_delta={"Resource": 1, "AuditEvent": 1}),
    Case("POST", "/staff/schedule/setup/windows/{t}/end", "page", PAGE_SETUP,
         data={"last_day": "2030-01-01"}, ok_status=302, ok_location="/staff/schedule/setup",
         ok_delta=AUDIT_1),
    Case("GET", "/staff/patients/{p}/book?type=consultation", "page", PAGE_EDIT),
    Case("POST", "/staff/patients/{p}/book", "page", PAGE_EDIT,
         data={"type": "follow_up", "starts_at": "{later}"}, ok_status=302,
         ok_location=r"/staff/appointments/[0-9a-f-]{{36}}/",
         ok_delta={"Appointment": 1, "BookedTime": 2, "Notice": 2, "AuditEvent": 1}),
    Case("GET", "/staff/patients/{p}/appointments", "page", PAGE_VIEW, ok_delta=AUDIT_1),
    Case("GET", "/staff/appointments/{a}/", "page", PAGE_VIEW, ok_delta=AUDIT_1),
    # Arrival is marked on the day: refused by the service, after the role check.
    Case("POST", "/staff/appointments/{a}/status", "page", PAGE_EDIT,
         data={"version": "1", "status": "arrived"}, ok_status=302,
         ok_location="/staff/appointments/{a}/"),
    Case("POST", "/staff/appointments/{a}/cancel", "page", PAGE_EDIT,
         data={"version": "1", "reason": "Unwell"}, ok_status=302,
         ok_location="/staff/appointments/{a}/", ok_delta={"Notice": 1, "AuditEvent": 1}),
    Case("POST", "/staff/appointments/{a}/reschedule", "page", PAGE_EDIT,
         data={"version": "1", "starts_at": "{later}"}, ok_status=302,
         ok_location="/staff/appointments/{a}/",
         ok_delta={"BookedTime": 3, "Notice": 2, "AuditEvent": 1}),
    Case("GET", "/staff/appointments/{a}/calendar.ics", "page", PAGE_VIEW, ok_delta=AUDIT_1),
    # --- Consent ({c}: a consent of the referral {r}) ------------------------------------------
    Case("GET", "/staff/referrals/{r}/consent", "page", PAGE_CONSENT_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/staff/referrals/{r}/consent", "page", PAGE_CONSENT,
         data={"risks_discussed": ["cement_leakage", "radiation"], "typed_name": "Zoë Müller",
               "patient_confirmed": "on", "levels": ["L1"], "sedation_planned": "moderate",
               "alternatives_discussed": "Analgesia and bracing", "explained_by": "{op}",
               "has_capacity": "true", "interpreter_used": "false"},
         ok_status=302, ok_location=r"/staff/consents/[0-9a-f-]{{36}}/",
         ok_delta={"Consent": 1, "AuditEvent": 1}),
    Case("GET", "/staff/consents/{c}/", "page", PAGE_CONSENT_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/staff/consents/{c}/withdraw", "page", PAGE_CONSENT,
         data={"version": "1", "reason": "Changed mind"}, ok_status=302,
         ok_location="/staff/consents/{c}/", ok_delta=AUDIT_1),
    Case("GET", "/staff/consents/{c}/consent.pdf", "page", PAGE_CONSENT_VIEW, ok_delta=AUDIT_1),
    # --- Pre-procedure checklist ({i}: the time-out item of a checklist of {r}, {g}: its
    # fasting item) ---------------------------------------------------------------------------
    Case("GET", "/staff/referrals/{r}/checklist", "page", PAGE_CONSENT_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/staff/referrals/{r}/checklist", "page", PAGE_CLIN, ok_status=302,
         ok_location="/staff/referrals/{r}/checklist",
         ok_delta={"Checklist": 1, "ChecklistItem": 9, "AuditEvent": 1}),
    Case("POST", "/staff/checklist-items/{i}", "page", PAGE_CLIN,
         data={"version": "1", "status": "met"}, ok_status=302,
         ok_location="/staff/referrals/{r}/checklist", ok_delta=AUDIT_1),
    Case("POST", "/staff/checklist-items/{i}/override", "page", PAGE_DECIDE,
         data={"version": "1", "reason": "Emergency"}, ok_status=302,
         ok_location="/staff/referrals/{r}/checklist",
         ok_delta={"ChecklistOverride": 1, "AuditEvent": 1}),
    Case("POST", "/staff/checklist-items/{g}/fasting", "page", PAGE_CLIN,
         data={"version": "1", "clear_liquid_at": "2026-01-01T06:00",
               "food_at": "2026-01-01T00:00", "food_kind": "light"}, ok_status=302,
         ok_location="/staff/referrals/{r}/checklist", ok_delta=AUDIT_1),
    # Every physician's checklist override, for the quality lead (issue 14).
    Case("GET", "/staff/checklist-overrides", "page",
         "login 403 403 403 ok ok 403"),
    # --- Procedure record ({x}: an in-progress record of a decided referral, {l}: its L1 level,
    # {s}: a signed record) ----------------------------------------------------------------
    Case("GET", "/staff/referrals/{r}/procedure", "page", PAGE_PROC_VIEW, ok_delta=AUDIT_1),
    # The referral's checklist is not complete: only a physician starts, with an override.
    Case("POST", "/staff/referrals/{r}/procedure", "page", "login 403 no 403 ok 403 403",
         data={"operator": "{op}", "emergency_reason": "Emergency"}, setup="decided",
         ok_status=302, ok_location=r"/staff/procedures/[0-9a-f-]{{36}}/",
         ok_delta={"ProcedureRecord": 1, "AuditEvent": 1}, refused=(422, None, None)),
    Case("GET", "/staff/procedures/{x}/", "page", PAGE_PROC_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/staff/procedures/{x}/sections/preparation", "page", PAGE_CLIN,
         data={"version": "1", "preparation-position": "prone",
               "preparation-time_out_done": "true"},
         ok_status=302, ok_location="/staff/procedures/{x}/#preparation", ok_delta=AUDIT_1),
    Case("POST", "/staff/procedures/{x}/imaging", "page", PAGE_CLIN,
         data={"version": "1", "imaging-modality": "ct", "imaging-kap_amount": "12",
               "imaging-kap_unit": "Gy·cm²", "imaging-kar_unit": "mGy",
               "imaging-fluoroscopy_unit": "s"},
         ok_status=302, ok_location="/staff/procedures/{x}/#imaging", ok_delta=AUDIT_1),
    Case("POST", "/staff/procedures/{x}/levels", "page", PAGE_CLIN,
         data={"level-level": "L2", "level-volume_ml": "3"}, ok_status=302,
         ok_location="/staff/procedures/{x}/#levels",
         ok_delta={"ProcedureLevel": 1, "AuditEvent": 1}),
    Case("POST", "/staff/procedure-levels/{l}", "page", PAGE_CLIN,
         data={"version": "1", "level-{l}-level": "L1", "level-{l}-volume_ml": "4",
               "level-{l}-leakage": "none"},
         ok_status=302, ok_location="/staff/procedures/{x}/#level-{l}", ok_delta=AUDIT_1),
    Case("POST", "/staff/procedure-levels/{l}/leaks", "page", PAGE_CLIN,
         data={"leak-{l}-leak_type": "S", "leak-{l}-location": "venous",
               "leak-{l}-symptomatic": "false"},
         ok_status=302, ok_location="/staff/procedures/{x}/#level-{l}",
         ok_delta={"CementLeak": 1, "AuditEvent": 2}),  # and the level's leakage: present
    Case("POST", "/staff/procedures/{x}/adverse-events", "page", PAGE_CLIN,
         data={"event-kind": "haematoma", "event-sir_grade": "1"}, ok_status=302,
         ok_location="/staff/procedures/{x}/#event",
         ok_delta={"AdverseEvent": 1, "AuditEvent": 2}),  # and "no adverse event": no
    Case("POST", "/staff/procedures/{x}/no-adverse-events", "page", PAGE_CLIN,
         data={"version": "1", "adverse-no_adverse_events": "on"}, ok_status=302,
         ok_location="/staff/procedures/{x}/#adverse-events", ok_delta=AUDIT_1),
    Case("POST", "/staff/procedures/{x}/medications", "page", PAGE_CLIN,
         data={"drug-kind": "local_anaesthetic", "drug-agent": "lidocaine",
               "drug-concentration": "1 %", "drug-dose": "10", "drug-dose_unit": "mL"},
         ok_status=302, ok_location="/staff/procedures/{x}/#medication",
         ok_delta={"Medication": 1, "AuditEvent": 1}),
    Case("POST", "/staff/procedures/{x}/vital-signs", "page", PAGE_CLIN,
         data={"vitals-taken_at": "2026-12-01T10:00", "vitals-spo2_percent": "97"},
         ok_status=302, ok_location="/staff/procedures/{x}/#vitals",
         ok_delta={"VitalSigns": 1, "AuditEvent": 1}),
    Case("POST", "/staff/procedure-entries/level/{l}/entered-in-error", "page", PAGE_CLIN,
         data={"reason": "Wrong level"}, ok_status=302, ok_location="/staff/procedures/{x}/",
         ok_delta=AUDIT_1),
    Case("POST", "/staff/procedures/{x}/entered-in-error", "page", PAGE_CLIN,
         data={"reason": "Wrong patient"}, ok_status=302, ok_location=CHART, ok_delta=AUDIT_1),
    # Only the operator (the physician) signs; this record is not complete: 422, nothing saved.
    Case("POST", "/staff/procedures/{x}/sign", "page", PAGE_DECIDE, data={"version": "1"},
         ok_status=422),
    Case("POST", "/staff/procedures/{s}/addenda", "page", PAGE_CLIN,
         data={"addendum-reason": "Typo", "addendum-text": "Lot LOT-4712"}, ok_status=302,
         ok_location="/staff/procedures/{s}/#addenda",
         ok_delta={"ProcedureAddendum": 1, "AuditEvent": 1}),
    Case("GET", "/staff/procedures/{x}/report", "page", PAGE_PROC_VIEW, ok_delta=AUDIT_1),
    Case("GET", "/staff/procedures/{x}/report.pdf", "page", PAGE_PROC_VIEW, ok_delta=AUDIT_1),
    Case("GET", "/staff/procedures/{x}/discharge.pdf", "page", PAGE_PROC_VIEW, ok_delta=AUDIT_1),
    # --- Patient portal (the patient user is linked to the patient {p}) ------------------------
    Case("GET", "/portal/", "page", PAGE_PORTAL, ok_delta=AUDIT_1),
    Case("GET", "/portal/appointments/", "page", PAGE_PORTAL, ok_delta=AUDIT_1),
    Case("GET", "/portal/appointments/?type=follow_up", "page", PAGE_PORTAL, ok_delta=AUDIT_1),
    Case("POST", "/portal/appointments/book", "page", PAGE_PORTAL,
         data={"type": "follow_up", "starts_at": "{later}"}, ok_status=302,
         ok_location="/portal/appointments/",
         ok_delta={"Appointment": 1, "BookedTime": 2, "Notice": 2, "AuditEvent": 1}),
    Case("POST", "/portal/appointments/{a}/move", "page", PAGE_PORTAL,
         data={"version": "1", "starts_at": "{later}"}, ok_status=302,
         ok_location="/portal/appointments/",
         ok_delta={"BookedTime": 3, "Notice": 2, "AuditEvent": 1}),
    Case("POST", "/portal/appointments/{a}/cancel", "page", PAGE_PORTAL,
         data={"version": "1"}, ok_status=302, ok_location="/portal/appointments/",
         ok_delta={"Notice": 1, "AuditEvent": 1}),
    Case("GET", "/portal/appointments/{a}/calendar.ics", "page", PAGE_PORTAL, ok_delta=AUDIT_1),
    Case("GET", "/portal/procedures/{s}/discharge.pdf", "page", PAGE_PORTAL, ok_delta=AUDIT_1),
    # --- JSON API ---------------------------------------------------------------------------
    Case("GET", "/api/openapi.json", "public", EVERYONE_200),
    Case("GET", "/api/", "public", "404 404 404 404 404 404 404"),
    Case("GET", "/api/patients?q=zoe", "api", API_VIEW),
    Case("POST", "/api/patients", "api", API_EDIT, data=NEW_PATIENT_JSON, ok_status=201,
         ok_delta={"Patient": 1, "AuditEvent": 1}),
    Case("GET", "/api/patients/{p}", "api", API_VIEW, ok_delta=AUDIT_1),
    Case("PATCH", "/api/patients/{p}", "api", API_EDIT, data={"version": 1, "phone": "555"},
         ok_delta=AUDIT_1),
    Case("GET", "/api/patients/{p}/referrals", "api", API_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/api/patients/{p}/referrals", "api", API_EDIT,
         data=NEW_REFERRAL,
         ok_status=201, ok_delta={"Referral": 1, "ClinicalAssessment": 1, "AuditEvent": 1}),
    Case("GET", "/api/referrals/{r}", "api", API_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/api/referrals/{r}/status", "api", API_CLIN,
         data={"to_status": "evaluating", "version": 1},
         ok_delta={"ReferralStatusChange": 1, "AuditEvent": 1}),
    Case("POST", "/api/referrals/{r}/status", "api", "401 403 no 403 ok 403 403",
         data={"to_status": "decided", "reason": "Decided at the spine meeting", "version": 2},
         setup="evaluating",
         ok_delta={"ReferralStatusChange": 1, "AuditEvent": 1},
         refused=(403, None, DECIDE_REFUSED)),
    Case("POST", "/api/referrals/{r}/fractures", "api", API_CLIN, data={"level": "L2"},
         ok_status=201, ok_delta={"Fracture": 1, "AuditEvent": 1}),
    Case("PATCH", "/api/referrals/{r}/assessment", "api", API_CLIN,
         data={"version": 1, "changes": {"pain_nrs": 7}}, ok_delta=AUDIT_1),
    Case("POST", "/api/evaluations", "api", API_CLIN, data={}),
    Case("POST", "/api/evaluations?referral_id={r}", "api", API_CLIN, data={}, ok_status=201,
         ok_delta=EVALUATED),
    Case("GET", "/api/patients/{p}/evaluations", "api", API_VIEW, ok_delta=AUDIT_1),
    Case("GET", "/api/slots?type=consultation", "api", API_VIEW),
    Case("POST", "/api/appointments", "api", API_EDIT,
         data={"patient_id": "{p}", "type": "follow_up", "starts_at": "{later}"},
         ok_status=201,
         ok_delta={"Appointment": 1, "BookedTime": 2, "Notice": 2, "AuditEvent": 1}),
    Case("GET", "/api/appointments/{a}", "api", API_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/api/appointments/{a}/cancel", "api", API_EDIT,
         data={"version": 1, "reason": "Unwell"}, ok_delta={"Notice": 1, "AuditEvent": 1}),
    Case("GET", "/api/procedures/{x}", "api", API_PROC_VIEW, ok_delta=AUDIT_1),
    Case("PATCH", "/api/procedures/{x}", "api", API_CLIN,
         data={"version": 1, "changes": {"position": "prone"}}, ok_delta=AUDIT_1),
    Case("POST", "/api/procedures/{s}/addenda", "api", API_CLIN,
         data={"reason": "Typo", "text": "Lot LOT-4712"}, ok_status=201,
         ok_delta={"ProcedureAddendum": 1, "AuditEvent": 1}),
    # --- FHIR R4 ----------------------------------------------------------------------------
    Case("GET", "/fhir/metadata", "public", EVERYONE_200),
    Case("GET", "/fhir/Patient?identifier=MRN-0001", "fhir", API_VIEW, ok_delta=AUDIT_1),
    Case("GET", "/fhir/Patient/{p}", "fhir", API_VIEW, ok_delta=AUDIT_1),
    Case("POST", "/fhir/Patient", "public", "405 405 405 405 405 405 405", data={}),
)  # fmt: skip


# --- The world each request runs against --------------------------------------------------


@dataclass
class World:
    ids: dict[str, str]

    def url(self, template: str) -> str:
        return template.format(**self.ids)


@pytest.fixture
def world(users, make_patient, make_referral, actor, physician_actor) -> Callable[..., World]:
    def build(
        setup: str = "", *, with_evaluation: bool = False, with_procedure: bool = False
    ) -> World:
        patient = make_patient(mrn="MRN-0001")
        Patient.objects.filter(pk=patient.pk).update(user=users[Role.PATIENT])
        referral = make_referral(patient)
        fracture = services.fracture_create(actor=actor, referral=referral, data={"level": "L1"})
        drug = services.anticoagulant_add(
            actor=actor, assessment=referral.assessment, data={"drug": "apixaban"}
        )
        ids = {
            "p": str(patient.public_id),
            "r": str(referral.public_id),
            "f": str(fracture.public_id),
            "d": str(drug.public_id),
        }
        if with_evaluation:
            # Of a second referral: evaluating moves a referred referral to "evaluating".
            evaluated = make_referral(patient, referral_date=dt.date(2026, 10, 1))
            evaluation = evaluation_services.evaluation_run(
                actor=physician_actor, referral=evaluated
            )
            ids["e"] = str(evaluation.public_id)
        clinic = make_clinic()
        appointment = scheduling_services.appointment_book(
            actor=Actor(user=users[Role.SCHEDULER]),
            request=scheduling_services.BookingRequest(
                patient=patient,
                appointment_type=clinic.types["consultation"],
                starts_at=clinic.at(2, 9),
            ),
        )
        ids["a"] = str(appointment.public_id)
        ids["t"] = str(clinic.house.templates.first().public_id)  # type: ignore[union-attr]
        ids["later"] = clinic.at(3, 14).isoformat()
        consent = consent_services.consent_sign(
            actor=actor,
            referral=referral,
            information=current_information(),
            risks_discussed=["cement_leakage"],
            questions="",
            typed_name="Zoë Müller",
            patient_confirmed=True,
        )
        ids["c"] = str(consent.public_id)
        started = checklist_services.checklist_start(actor=actor, referral=referral)
        ids["i"] = str(started.items.get(key="time_out_in_room").public_id)
        ids["g"] = str(started.items.get(key="fasting").public_id)
        ids["op"] = str(physician_actor.user.pk)
        if setup in ("evaluating", "decided"):
            services.referral_set_status(
                actor=physician_actor, referral=referral, to_status="evaluating"
            )
        if setup == "decided":
            services.referral_set_status(
                actor=physician_actor, referral=referral, to_status="decided"
            )
        if with_procedure:
            ids |= procedure_ids(patient, make_referral, physician_actor)
        return World(ids=ids)

    return build


def procedure_ids(patient: Patient, make_referral: Any, physician: Actor) -> dict[str, str]:
    """An in-progress record {x} with an L1 level {l}, and a signed record {s}, each of its own
    decided referral (started with an emergency override: their checklists are not done)."""
    from vertebra.procedures import record
    from vertebra.procedures.models import ProcedureRecord
    from vertebra.procedures.tests.conftest import decide, fill_for_signing, level_data

    ids = {}
    for key, day in (("x", dt.date(2026, 9, 1)), ("s", dt.date(2026, 8, 1))):
        referral = make_referral(patient, referral_date=day)
        decide(referral, physician)
        started = record.procedure_start(
            actor=physician, referral=referral, operator=physician.user, emergency_reason="Test"
        )
        ids[key] = str(started.public_id)
    in_progress = ProcedureRecord.objects.get(public_id=ids["x"])
    level = record.level_add(actor=physician, procedure=in_progress, data=level_data("L1"))
    ids["l"] = str(level.public_id)
    signed = fill_for_signing(
        ProcedureRecord.objects.get(public_id=ids["s"]), physician, levels=("T8",)
    )
    record.procedure_sign(actor=physician, procedure=signed, expected_version=signed.version)
    return ids


STATE_FIELDS = ("version", "record_status", "status", "updated_at")


def _vertebra_models() -> list[Any]:
    return [m for m in apps.get_models() if m.__module__.startswith("vertebra.")]


def snapshot() -> dict[str, Any]:
    """Every row of every Vertebra table (users, patients, referrals, fractures, assessments,
    antithrombotics, status history, evaluations, decisions, settings, audit events), with the
    version, record status, pathway status and update time of the rows that have them."""
    state: dict[str, Any] = {}
    for model in _vertebra_models():
        names = {f.name for f in model._meta.concrete_fields}
        fields = ["pk", *(f for f in STATE_FIELDS if f in names)]
        state[model.__name__] = sorted(model.objects.values_list(*fields))
    return state


def counts(state: dict[str, Any]) -> dict[str, int]:
    return {name: len(rows) for name, rows in state.items()}


def send(client: Client, case: Case, url: str, w: World | None = None) -> Any:
    if case.method == "GET":
        return client.get(url)
    data = {
        (w.url(name) if w is not None else name): (
            w.url(value) if w is not None and isinstance(value, str) else value
        )
        for name, value in (case.data or {}).items()
    }
    if case.kind == "api":
        body = json.dumps(data)
        if case.method == "PATCH":
            return client.patch(url, body, content_type="application/json")
        return client.post(url, body, content_type="application/json")
    return client.post(url, data)


def tokens(grid: str) -> list[str]:
    parts = grid.split()
    assert len(parts) == len(COLUMNS), grid
    return parts


def login_redirect(url: str) -> str:
    return "/login/?" + urlencode({"next": url}, safe="/")


def assert_denied_body(case: Case, response: Any, token: str) -> None:
    if case.kind == "api":
        assert response["Content-Type"].startswith("application/json")
        expected = API_UNAUTHENTICATED if token == "401" else API_FORBIDDEN
        assert response.json() == expected
    elif case.kind == "fhir":
        assert response["Content-Type"] == "application/fhir+json"
        code, text = (
            ("login", "Log in first.")
            if token == "401"
            else ("forbidden", "Your role may not read patients.")
        )
        assert response.json() == {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}],
        }
    else:
        assert token == "403"
        assert [t.name for t in response.templates][:1] == ["403.html"]


MATRIX = [
    pytest.param(case, role, id=f"{case.label}{'+' + case.setup if case.setup else ''} as "
                 f"{role.value if role else 'anonymous'}")
    for case in CASES
    for role in COLUMNS
]  # fmt: skip


@pytest.mark.parametrize(("case", "role"), MATRIX)
def test_matrix(case: Case, role: Role | None, world, client_for) -> None:
    w = world(
        case.setup,
        with_evaluation="{e}" in case.url,
        with_procedure=any(f"{{{key}}}" in case.url for key in "xls"),
    )
    url = w.url(case.url)
    token = tokens(case.grid)[COLUMNS.index(role)]
    client = client_for(role)
    before = snapshot()

    response = send(client, case, url, w)

    after = snapshot()
    if token == "ok":
        assert response.status_code == case.ok_status, response.content[:300]
        if case.ok_location is not None:
            assert re.fullmatch(w.url(case.ok_location), response["Location"])
        expected = counts(before)
        for name, change in case.ok_delta.items():
            expected[name] += change
        assert counts(after) == expected
        return
    # Every other outcome writes nothing at all: no row, no version, no audit event.
    assert after == before
    if token == "login":
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url)
    elif token in {"401", "403"}:
        assert response.status_code == int(token)
        assert_denied_body(case, response, token)
    elif token == "no":
        assert case.refused is not None
        status, location, body = case.refused
        assert response.status_code == status
        if location is not None:
            assert response["Location"] == w.url(location)
        if body is not None:
            assert response.json() == body
    elif ">" in token:
        status, location = token.split(">", 1)
        assert (response.status_code, response["Location"]) == (int(status), location)
    else:
        assert response.status_code == int(token)


# --- Every route is in the matrix -----------------------------------------------------------

FAKE_IDS = {k: str(uuid.UUID(int=i + 1)) for i, k in enumerate("prfdeatcixlsg")}


def _walk(patterns: list[Any], prefix: str = "") -> set[str]:
    routes: set[str] = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _walk(pattern.url_patterns, route)
        else:
            assert isinstance(pattern, URLPattern)
            routes.add(route)
    return routes


def url_routes(patterns: list[Any] | None = None) -> set[str]:
    if patterns is None:
        return _walk(get_resolver().url_patterns)
    return _walk(URLResolver(RegexPattern(r"^/"), patterns).url_patterns)


def matrix_routes() -> set[str]:
    return {resolve(urlsplit(case.url.format(**FAKE_IDS)).path).route for case in CASES}


def uncovered_routes(patterns: list[Any] | None = None) -> set[str]:
    return url_routes(patterns) - matrix_routes()


def test_every_url_route_is_in_the_matrix() -> None:
    assert uncovered_routes() == set()
    assert matrix_routes() <= url_routes()


def test_the_route_check_fails_when_a_route_is_added_without_a_matrix_row() -> None:
    def new_view(request: Any) -> Any:
        raise AssertionError("never called")

    patterns = [
        *root_urls.urlpatterns,
        path("staff/reports/<str:report_id>", new_view),
        path("fhir/Procedure", new_view),
    ]
    assert uncovered_routes(patterns) == {"staff/reports/<str:report_id>", "fhir/Procedure"}


def test_every_api_operation_is_in_the_matrix() -> None:
    """Method by method: a new verb on an existing API path needs its own row too."""
    documented = set()
    for api_path, operations in api.get_openapi_schema()["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", FAKE_IDS["p"], api_path)
        for method in operations:
            documented.add((method.upper(), resolve(concrete).route))
    in_matrix = {
        (case.method, resolve(urlsplit(case.url.format(**FAKE_IDS)).path).route)
        for case in CASES
        if case.kind == "api"
    }
    assert documented == in_matrix


def test_openapi_lists_every_api_endpoint(client_for) -> None:
    paths = client_for(None).get("/api/openapi.json").json()["paths"]
    assert {p: sorted(ops) for p, ops in paths.items()} == {
        "/api/patients": ["get", "post"],
        "/api/patients/{patient_id}": ["get", "patch"],
        "/api/patients/{patient_id}/referrals": ["get", "post"],
        "/api/referrals/{referral_id}": ["get"],
        "/api/referrals/{referral_id}/status": ["post"],
        "/api/referrals/{referral_id}/fractures": ["post"],
        "/api/referrals/{referral_id}/assessment": ["patch"],
        "/api/evaluations": ["post"],
        "/api/patients/{patient_id}/evaluations": ["get"],
        "/api/slots": ["get"],
        "/api/appointments": ["post"],
        "/api/appointments/{appointment_id}": ["get"],
        "/api/appointments/{appointment_id}/cancel": ["post"],
        "/api/procedures/{procedure_id}": ["get", "patch"],
        "/api/procedures/{procedure_id}/addenda": ["post"],
    }


# --- The patient role ---------------------------------------------------------------------


def test_the_patient_role_is_refused_every_staff_page_and_api_endpoint(world, client_for):
    w = world(with_evaluation=True, with_procedure=True)
    client = client_for(Role.PATIENT)
    checked = 0
    for case in CASES:
        if case.kind not in {"page", "api", "fhir"} or case.url.startswith("/portal/"):
            continue
        before = snapshot()
        response = send(client, case, w.url(case.url), w)
        assert response.status_code == 403, case.label
        assert_denied_body(case, response, "403")
        assert snapshot() == before, case.label
        checked += 1
    assert checked == 102  # two checklist routes of issue 14


def test_a_patient_only_ever_sees_their_own_record(users, make_patient, make_referral, client_for):
    own = make_patient(mrn="MRN-OWN", given_name="Zoë", family_name="Müller")
    other = make_patient(mrn="MRN-OTHER", given_name="Otto", family_name="Otherperson")
    make_referral(own)
    make_referral(other, referring_clinician="Dr Elsewhere")
    Patient.objects.filter(pk=own.pk).update(user=users[Role.PATIENT])
    client = client_for(Role.PATIENT)

    response = client.get("/portal/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Zoë Müller" in html
    assert "MRN-OWN" in html
    assert "Otherperson" not in html
    assert "Otto" not in html
    assert "MRN-OTHER" not in html
    viewed = AuditEvent.objects.filter(action="view")
    assert [(e.patient_id, e.actor_id) for e in viewed] == [(own.pk, users[Role.PATIENT].pk)]
    # Nor can the patient reach the other record through any other door.
    for url in (
        f"/staff/patients/{other.public_id}/",
        f"/api/patients/{other.public_id}",
        f"/fhir/Patient/{other.public_id}",
        "/fhir/Patient?identifier=MRN-OTHER",
        "/api/patients?q=otherperson",
    ):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert b"Otherperson" not in refused.content
    assert AuditEvent.objects.filter(action="view").count() == 1


def test_a_retracted_patient_record_is_not_shown_in_the_portal(users, make_patient, client_for):
    patient = make_patient(mrn="MRN-GONE", family_name="Gone")
    Patient.objects.filter(pk=patient.pk).update(user=users[Role.PATIENT])
    services.patient_enter_in_error(
        actor=Actor(user=users[Role.NURSE]), patient=patient, reason="Duplicate"
    )
    response = client_for(Role.PATIENT).get("/portal/")
    assert response.status_code == 200
    assert b"MRN-GONE" not in response.content
    assert b"not linked to a patient record" in response.content


# --- Refusals that happen before the role check would matter -------------------------------

API_WRITES = [case for case in CASES if case.kind == "api" and case.method != "GET"]


@pytest.mark.parametrize("case", API_WRITES, ids=lambda c: c.label)
def test_a_refused_role_gets_403_even_with_an_invalid_body(case, world, client_for):
    """The role is checked before the body: no validation details about a forbidden endpoint."""
    w = world(case.setup, with_procedure=any(f"{{{key}}}" in case.url for key in "xls"))
    refused_roles = [r for r, t in zip(COLUMNS, tokens(case.grid), strict=True) if t == "403"]
    assert Role.PATIENT in refused_roles
    for role in refused_roles:
        before = snapshot()
        send_invalid = getattr(client_for(role), case.method.lower())
        response = send_invalid(
            w.url(case.url), json.dumps({"unexpected": True}), content_type="application/json"
        )
        assert (response.status_code, response.json()) == (403, API_FORBIDDEN), role
        assert snapshot() == before


def test_an_api_write_without_the_csrf_token_is_refused(users, world):
    w = world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.NURSE])
    before = snapshot()

    response = client.post(
        "/api/patients", json.dumps(NEW_PATIENT_JSON), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "forbidden", "message": "CSRF check Failed", "fields": {}}
    }
    assert snapshot() == before
    # The same request with the token goes through: the refusal above was the CSRF check.
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    accepted = client.post(
        "/api/patients",
        json.dumps(NEW_PATIENT_JSON),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201
    assert Patient.objects.filter(mrn="MRN-NEW").count() == 1
    assert w.ids["p"] != accepted.json()["id"]


def test_a_staff_form_post_without_the_csrf_token_is_refused(users, world):
    w = world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.NURSE])
    before = snapshot()
    response = client.post(w.url("/staff/patients/{p}/edit"), PATIENT_FORM)
    assert response.status_code == 403
    assert snapshot() == before
