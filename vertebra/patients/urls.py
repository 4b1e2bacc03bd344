from django.urls import path

from vertebra.patients.views import assessment, fracture, lists, patient, referral

# Included with the chart under the namespace "staff" by vertebra/clinic/urls.py.

urlpatterns = [
    path("", lists.worklist, name="worklist"),
    path("patients/", lists.patient_list, name="patient_list"),
    path("patients/new", patient.patient_create, name="patient_create"),
    path("patients/<str:patient_id>/edit", patient.patient_edit, name="patient_edit"),
    path(
        "patients/<str:patient_id>/entered-in-error",
        patient.patient_retract,
        name="patient_retract",
    ),
    path(
        "patients/<str:patient_id>/referrals/new", referral.referral_create, name="referral_create"
    ),
    path("referrals/<str:referral_id>/edit", referral.referral_edit, name="referral_edit"),
    path("referrals/<str:referral_id>/status", referral.referral_status, name="referral_status"),
    path(
        "referrals/<str:referral_id>/entered-in-error",
        referral.referral_retract,
        name="referral_retract",
    ),
    path(
        "referrals/<str:referral_id>/assessment", assessment.assessment_edit, name="assessment_edit"
    ),
    path(
        "referrals/<str:referral_id>/antithrombotics",
        assessment.anticoagulant_add,
        name="anticoagulant_add",
    ),
    path(
        "antithrombotics/<str:drug_id>/entered-in-error",
        assessment.anticoagulant_retract,
        name="anticoagulant_retract",
    ),
    path(
        "referrals/<str:referral_id>/fractures/new",
        fracture.fracture_create,
        name="fracture_create",
    ),
    path("fractures/<str:fracture_id>/edit", fracture.fracture_edit, name="fracture_edit"),
    path(
        "fractures/<str:fracture_id>/entered-in-error",
        fracture.fracture_retract,
        name="fracture_retract",
    ),
]
