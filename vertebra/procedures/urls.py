from django.urls import path

from vertebra.procedures import record_views as rv
from vertebra.procedures import views

app_name = "procedures"

urlpatterns = [
    path("referrals/<str:referral_id>/consent", views.consent_new, name="consent_new"),
    path("consents/<str:consent_id>/", views.consent_detail, name="consent"),
    path("consents/<str:consent_id>/withdraw", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<str:consent_id>/consent.pdf", views.consent_pdf, name="consent_pdf"),
    path("referrals/<str:referral_id>/checklist", views.checklist_page, name="checklist"),
    path("checklist-items/<str:item_id>", views.checklist_item_set, name="checklist_item"),
    path(
        "checklist-items/<str:item_id>/override",
        views.checklist_item_override,
        name="checklist_item_override",
    ),
]

# The procedure record (record_views).
urlpatterns += [
    path("referrals/<str:referral_id>/procedure", rv.procedure_start, name="procedure_start"),
    path("procedures/<str:procedure_id>/", rv.procedure_detail, name="procedure"),
    path(
        "procedures/<str:procedure_id>/sections/<str:section>",
        rv.procedure_section,
        name="procedure_section",
    ),
    path("procedures/<str:procedure_id>/imaging", rv.procedure_imaging, name="procedure_imaging"),
    path("procedures/<str:procedure_id>/levels", rv.level_add, name="level_add"),
    path("procedure-levels/<str:level_id>", rv.level_edit, name="level_edit"),
    path("procedure-levels/<str:level_id>/leaks", rv.leak_add, name="leak_add"),
    path(
        "procedures/<str:procedure_id>/adverse-events",
        rv.adverse_event_add,
        name="adverse_event_add",
    ),
    path(
        "procedures/<str:procedure_id>/no-adverse-events",
        rv.procedure_adverse_none,
        name="adverse_none",
    ),
    path("procedures/<str:procedure_id>/medications", rv.medication_add, name="medication_add"),
    path("procedures/<str:procedure_id>/vital-signs", rv.vitals_add, name="vitals_add"),
    path(
        "procedure-entries/<str:kind>/<str:entry_id>/entered-in-error",
        rv.entry_retract,
        name="entry_retract",
    ),
    path(
        "procedures/<str:procedure_id>/entered-in-error",
        rv.procedure_retract,
        name="procedure_retract",
    ),
    path("procedures/<str:procedure_id>/sign", rv.procedure_sign, name="procedure_sign"),
    path("procedures/<str:procedure_id>/addenda", rv.addendum_add, name="addendum_add"),
    path("procedures/<str:procedure_id>/report", rv.procedure_report, name="report"),
    path("procedures/<str:procedure_id>/report.pdf", rv.procedure_report_pdf, name="report_pdf"),
    path("procedures/<str:procedure_id>/discharge.pdf", rv.discharge_pdf, name="discharge_pdf"),
]
