"""The staff pages under the namespace "staff": the patients app's own pages and the chart, which
reads every stage of the pathway and so lives in the composition (patients may not import it)."""

from django.urls import path

from vertebra.clinic.chart import views as chart_views
from vertebra.patients import urls as patients_urls

app_name = "staff"

urlpatterns = [
    *patients_urls.urlpatterns,
    path("patients/<str:patient_id>/", chart_views.patient_chart, name="patient_chart"),
]
