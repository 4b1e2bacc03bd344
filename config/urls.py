"""URL map: public pages at /, staff under /staff/, the patient portal under /portal/, the JSON
API under /api/ (OpenAPI at /api/openapi.json), FHIR R4 under /fhir/, Django admin, /healthz."""

from django.contrib import admin
from django.urls import include, path

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
    path("portal/", include("vertebra.portal.urls")),
    path("api/", api.urls),
    path("fhir/", include("vertebra.fhir.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "vertebra.core.views.forbidden"
handler404 = "vertebra.core.views.not_found"
handler500 = "vertebra.core.views.server_error"
