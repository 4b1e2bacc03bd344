"""The JSON API (django-ninja): one error shape, session authentication with CSRF.

Error shape: {"error": {"code": str, "message": str, "fields": {path: [message]}}}.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from vertebra.core.errors import DomainError

api = NinjaAPI(
    title="Vertebra API",
    version="1",
    description="Vertebra's JSON API. Authenticate with a session (log in at /login/); "
    "unsafe methods need the CSRF token in X-CSRFToken.",
    auth=django_auth,
    urls_namespace="api",
    # No Swagger page: django-ninja's loads its assets from a CDN (clinics run offline) and its
    # inline script is blocked by our CSP anyway. The schema stays at /api/openapi.json.
    docs_url=None,
)


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    fields = {k: v for k, v in exc.field_errors().items() if k != "__all__"}
    body = error_body(exc.code.value, exc.message, fields)
    if hasattr(exc, "current_values"):
        body["error"]["current_version"] = exc.current_version  # type: ignore[attr-defined]
        body["error"]["current_values"] = exc.current_values  # type: ignore[attr-defined]
    return api.create_response(request, body, status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query")]
        fields.setdefault(".".join(location) or "__all__", []).append(error.get("msg", "Invalid."))
    return api.create_response(
        request,
        error_body("invalid", "The request is invalid. Nothing was saved.", fields),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("unauthenticated", "Log in first."), status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return api.create_response(
        request, error_body(codes.get(exc.status_code, "error"), str(exc)), status=exc.status_code
    )


from vertebra.evaluation.api import router as evaluation_router  # noqa: E402
from vertebra.patients.api import router as patients_router  # noqa: E402
from vertebra.procedures.api import router as procedures_router  # noqa: E402
from vertebra.scheduling.api import router as scheduling_router  # noqa: E402

api.add_router("/", patients_router)
api.add_router("/", evaluation_router)
api.add_router("/", scheduling_router)
api.add_router("/", procedures_router)
