"""URL map: public pages at /, staff under /staff/, the patient portal under /portal/, the JSON
API under /api/ (OpenAPI at /api/openapi.json), FHIR R4 under /fhir/, /healthz.

No Django admin: it would write around the services, and so around the audit trail."""

from django.urls import include, path, re_path

from config.api import api
from vertebra.clinic import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("about/vertebroplasty", site_views.education, name="education"),
    path("healthz", site_views.healthz, name="healthz"),
    path("login/", site_views.LoginView.as_view(), name="login"),
    path("logout/", site_views.logout_view, name="logout"),
    path("staff/", include("vertebra.clinic.urls")),
    path("staff/audit/", include("vertebra.clinic.audit_report.urls")),
    path("staff/", include("vertebra.evaluation.urls")),
    path("staff/", include("vertebra.scheduling.urls")),
    path("staff/", include("vertebra.procedures.urls")),
    path("portal/", include("vertebra.portal.urls")),
    path("api/", api.urls),
    re_path(r"^api/", site_views.api_not_found),
    path("fhir/", include("vertebra.fhir.urls")),
]

handler403 = "vertebra.clinic.views.forbidden"
handler404 = "vertebra.clinic.views.not_found"
handler500 = "vertebra.clinic.views.server_error"
