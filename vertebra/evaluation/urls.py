from django.urls import path

from vertebra.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("referrals/<str:referral_id>/evaluate", views.evaluation_create, name="create"),
    path("evaluations/<str:evaluation_id>/", views.evaluation_detail, name="detail"),
    path("evaluations/<str:evaluation_id>/decision", views.evaluation_decide, name="decide"),
    path("evaluations/<str:evaluation_id>/summary.pdf", views.evaluation_pdf, name="pdf"),
    path("settings/evaluation", views.rule_settings, name="settings"),
]
