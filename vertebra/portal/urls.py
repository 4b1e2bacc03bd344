from django.urls import path

from vertebra.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/book", views.appointment_book, name="appointment_book"),
    path("appointments/<str:appointment_id>/move", views.appointment_move, name="appointment_move"),
    path(
        "appointments/<str:appointment_id>/cancel",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path("procedures/<str:procedure_id>/discharge.pdf", views.discharge_pdf, name="discharge_pdf"),
    path(
        "appointments/<str:appointment_id>/calendar.ics",
        views.appointment_ics,
        name="appointment_ics",
    ),
]
