from django.urls import path

from vertebra.clinic.audit_report import views

app_name = "audit"

urlpatterns = [path("", views.audit_events, name="events")]
