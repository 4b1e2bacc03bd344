from django.urls import path

from vertebra.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("schedule/", views.today, name="today"),
    path("schedule/calendar", views.calendar, name="calendar"),
    path("schedule/find", views.find, name="find"),
    path("schedule/notices", views.notices, name="notices"),
    path("schedule/setup", views.setup_page, name="setup"),
    path("schedule/setup/windows/<str:template_id>/end", views.template_end, name="template_end"),
    path("patients/<str:patient_id>/book", views.book, name="book"),
    path(
        "patients/<str:patient_id>/appointments",
        views.patient_appointments,
        name="patient_appointments",
    ),
    path("appointments/<str:appointment_id>/", views.appointment, name="appointment"),
    path(
        "appointments/<str:appointment_id>/status",
        views.appointment_status,
        name="appointment_status",
    ),
    path(
        "appointments/<str:appointment_id>/cancel",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "appointments/<str:appointment_id>/reschedule",
        views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "appointments/<str:appointment_id>/calendar.ics",
        views.appointment_ics,
        name="appointment_ics",
    ),
]
