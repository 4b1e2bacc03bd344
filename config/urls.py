"""URL map: public pages at /, staff under /staff/, the patient portal under /portal/, the JSON
API under /api/ (OpenAPI at /api/openapi.json), FHIR R4 under /fhir/, /healthz.

No Django admin: it would write around the services, and so around the audit trail."""

from django.urls import include, path, re_path

from config.api import api
from vertebra.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("about/vertebroplasty", core_views.education, name="education"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("staff/", include("vertebra.patients.urls")),
    path("staff/audit/", include("vertebra.audit.urls")),
    path("staff/", include("vertebra.evaluation.urls")),
    path("staff/", include("vertebra.scheduling.urls")),
    path("staff/", include("vertebra.procedures.urls")),
    path("portal/", include("vertebra.portal.urls")),
    path("api/", api.urls),
    re_path(r"^api/", core_views.api_not_found),
    path("fhir/", include("vertebra.fhir.urls")),
]

handler403 = "vertebra.core.views.forbidden"
handler404 = "vertebra.core.views.not_found"
handler500 = "vertebra.core.views.server_error"
