from django.urls import path

from vertebra.procedures import views
from vertebra.procedures.record_views import edits, page, reports, start

app_name = "procedures"

urlpatterns = [
    path("referrals/<str:referral_id>/consent", views.consent_new, name="consent_new"),
    path("consents/<str:consent_id>/", views.consent_detail, name="consent"),
    path("consents/<str:consent_id>/withdraw", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<str:consent_id>/consent.pdf", views.consent_pdf, name="consent_pdf"),
    path("referrals/<str:referral_id>/checklist", views.checklist_page, name="checklist"),
    path("checklist-items/<str:item_id>", views.checklist_item_set, name="checklist_item"),
    path(
        "checklist-items/<str:item_id>/fasting", views.checklist_fasting, name="checklist_fasting"
    ),
    path("checklist-overrides", views.checklist_overrides, name="checklist_overrides"),
    path(
        "checklist-items/<str:item_id>/override",
        views.checklist_item_override,
        name="checklist_item_override",
    ),
]

# The procedure record (record_views).
urlpatterns += [
    path("referrals/<str:referral_id>/procedure", start.procedure_start, name="procedure_start"),
    path("procedures/<str:procedure_id>/", page.procedure_detail, name="procedure"),
    path(
        "procedures/<str:procedure_id>/sections/<str:section>",
        edits.procedure_section,
        name="procedure_section",
    ),
    path(
        "procedures/<str:procedure_id>/imaging", edits.procedure_imaging, name="procedure_imaging"
    ),
    path("procedures/<str:procedure_id>/levels", edits.level_add, name="level_add"),
    path("procedure-levels/<str:level_id>", edits.level_edit, name="level_edit"),
    path("procedure-levels/<str:level_id>/leaks", edits.leak_add, name="leak_add"),
    path(
        "procedures/<str:procedure_id>/adverse-events",
        edits.adverse_event_add,
        name="adverse_event_add",
    ),
    path(
        "procedures/<str:procedure_id>/no-adverse-events",
        edits.procedure_adverse_none,
        name="adverse_none",
    ),
    path("procedures/<str:procedure_id>/medications", edits.medication_add, name="medication_add"),
    path("procedures/<str:procedure_id>/vital-signs", edits.vitals_add, name="vitals_add"),
    path(
        "procedure-entries/<str:kind>/<str:entry_id>/entered-in-error",
        edits.entry_retract,
        name="entry_retract",
    ),
    path(
        "procedures/<str:procedure_id>/entered-in-error",
        edits.procedure_retract,
        name="procedure_retract",
    ),
    path("procedures/<str:procedure_id>/sign", edits.procedure_sign, name="procedure_sign"),
    path("procedures/<str:procedure_id>/addenda", edits.addendum_add, name="addendum_add"),
    path("procedures/<str:procedure_id>/report", reports.procedure_report, name="report"),
    path(
        "procedures/<str:procedure_id>/report.pdf", reports.procedure_report_pdf, name="report_pdf"
    ),
    path(
        "procedures/<str:procedure_id>/discharge.pdf", reports.discharge_pdf, name="discharge_pdf"
    ),
]
