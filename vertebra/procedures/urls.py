from django.urls import path

from vertebra.procedures import views

app_name = "procedures"

urlpatterns = [
    path("referrals/<str:referral_id>/consent", views.consent_new, name="consent_new"),
    path("consents/<str:consent_id>/", views.consent_detail, name="consent"),
    path("consents/<str:consent_id>/withdraw", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<str:consent_id>/consent.pdf", views.consent_pdf, name="consent_pdf"),
]
