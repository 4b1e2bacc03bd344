"""The site's own pages: where each role starts, login and logout (audited), the public pages,
the health check and the error pages. They sit in the composition because the landing page names
every app's pages and login/logout write audit events, which core (the lowest layer) may not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_standalone
from vertebra.core.actor import Actor
from vertebra.core.models import Role
from vertebra.core.permissions import Capability, has_capability

# Where a signed-in user starts: the first of these pages their role may open.
_LANDING_PAGES = (
    (Capability.PATIENT_VIEW, "staff:worklist"),
    (Capability.AUDIT_VIEW, "audit:events"),
)


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if user.role == Role.PATIENT:
            return redirect("portal:home")
        page = next((page for cap, page in _LANDING_PAGES if has_capability(user, cap)), None)
        return redirect(page or "staff:worklist")
    return render(request, "clinic/home.html")


def education(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/education.html")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability; no authentication, no patient data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def may_open(user: Any, url: str) -> bool:
    """Whether the user's role has the capability the page at this local URL requires (pages
    declare it with `@require`); an unknown path is not opened."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    capability = getattr(match.func, "required_capability", None)
    return capability is None or has_capability(user, capability)


class LoginView(auth_views.LoginView):
    template_name = "clinic/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """The safe `next` page when the user's role may open it; their own home otherwise (a
        link to a page the role cannot open would land on "Not allowed")."""
        target = self.get_redirect_url()  # '' when absent or unsafe (another host, a scheme)
        if target and may_open(self.request.user, target):
            return target
        return reverse("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_standalone(
            actor=Actor.from_request(self.request),
            action=AuditAction.LOGIN,
            object_type="User",
            object_id=getattr(self.request.user, "public_id", ""),
            summary="Logged in",
        )
        return response


@never_cache
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_standalone(
            actor=Actor.from_request(request),
            action=AuditAction.LOGOUT,
            object_type="User",
            object_id=getattr(request.user, "public_id", ""),
            summary="Logged out",
        )
    logout(request)
    return redirect("login")


def api_not_found(request: HttpRequest) -> HttpResponse:
    """Unknown /api/ paths answer in the API's error shape, not with the HTML page."""
    body = {"error": {"code": "not_found", "message": "No such API endpoint.", "fields": {}}}
    return JsonResponse(body, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
