from django.urls import path

from vertebra.audit import views

app_name = "audit"

urlpatterns = [path("", views.audit_events, name="events")]
