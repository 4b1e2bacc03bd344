"""The JSON API (django-ninja): one error shape, session authentication with CSRF.

Error shape: {"error": {"code": str, "message": str, "fields": {path: [message]}}}.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from vertebra.core import api as shared
from vertebra.core.errors import DomainError, error_body


class JsonParser(Parser):
    """Bodies and query strings with the refusals every input gets (core/api.py): a body that
    is not JSON or nests too deep is a 400, a NUL character a 422 naming the field."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return shared.load_json(request.body)  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        shared.refuse_nul(parsed)
        return parsed


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
    parser=JsonParser(),
)


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
    # django-ninja wraps any error of the body parser in "400 Cannot parse request body"; the
    # parser's own refusal says more.
    if isinstance(exc.__cause__, DomainError):
        return _domain_error(request, exc.__cause__)
    codes = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return api.create_response(
        request, error_body(codes.get(exc.status_code, "error"), str(exc)), status=exc.status_code
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    message = "The body is larger than the server accepts."
    return api.create_response(request, error_body("too_large", message), status=413)


@api.exception_handler(OverflowError)
def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # Inputs are range-checked where they enter (dates of slot searches, bookings); this is the
    # net under them: date arithmetic past year 9999 or before year 1 is bad input, not a crash.
    message = "A date or number is out of the range this request can handle. Nothing was saved."
    return api.create_response(request, error_body("invalid", message), status=422)


from vertebra.evaluation.api import router as evaluation_router  # noqa: E402
from vertebra.patients.api import router as patients_router  # noqa: E402
from vertebra.procedures.api import router as procedures_router  # noqa: E402
from vertebra.scheduling.api import router as scheduling_router  # noqa: E402

api.add_router("/", patients_router)
api.add_router("/", evaluation_router)
api.add_router("/", scheduling_router)
api.add_router("/", procedures_router)
