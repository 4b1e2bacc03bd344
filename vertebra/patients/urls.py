from django.urls import path

from vertebra.patients import views

# Included with the chart under the namespace "staff" by vertebra/clinic/urls.py.

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new", views.patient_create, name="patient_create"),
    path("patients/<str:patient_id>/edit", views.patient_edit, name="patient_edit"),
    path(
        "patients/<str:patient_id>/entered-in-error", views.patient_retract, name="patient_retract"
    ),
    path("patients/<str:patient_id>/referrals/new", views.referral_create, name="referral_create"),
    path("referrals/<str:referral_id>/edit", views.referral_edit, name="referral_edit"),
    path("referrals/<str:referral_id>/status", views.referral_status, name="referral_status"),
    path(
        "referrals/<str:referral_id>/entered-in-error",
        views.referral_retract,
        name="referral_retract",
    ),
    path("referrals/<str:referral_id>/assessment", views.assessment_edit, name="assessment_edit"),
    path(
        "referrals/<str:referral_id>/antithrombotics",
        views.anticoagulant_add,
        name="anticoagulant_add",
    ),
    path(
        "antithrombotics/<str:drug_id>/entered-in-error",
        views.anticoagulant_retract,
        name="anticoagulant_retract",
    ),
    path(
        "referrals/<str:referral_id>/fractures/new", views.fracture_create, name="fracture_create"
    ),
    path("fractures/<str:fracture_id>/edit", views.fracture_edit, name="fracture_edit"),
    path(
        "fractures/<str:fracture_id>/entered-in-error",
        views.fracture_retract,
        name="fracture_retract",
    ),
]
