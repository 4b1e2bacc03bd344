from django.urls import path

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
