"""Automatic logoff after VERTEBRA_IDLE_TIMEOUT_MINUTES without a request; the JSON API's
refusal of bodies it cannot read (too large, not JSON) before anything reads them."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

from vertebra.core.errors import error_body

LAST_SEEN_KEY = "vertebra_last_seen"
LAST_SEEN_RESOLUTION_SECONDS = 60


class IdleLogoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = settings.VERTEBRA_IDLE_TIMEOUT_MINUTES * 60
            if last_seen is not None and now - float(last_seen) > limit:
                logout(request)
                if request.path.startswith(("/api/", "/fhir/")):
                    return JsonResponse(
                        error_body("session_expired", "Session expired."), status=401
                    )
                messages.info(request, "You were logged out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            # Writing the session costs a database round trip: do it at most once a minute.
            # The timeout is then measured to within that minute, which is safe because the
            # last-seen time can only be early, never late, so logoff never comes late.
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


API_PREFIX = "/api/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class ApiBodyGuardMiddleware:
    """The JSON API reads JSON bodies only, up to DATA_UPLOAD_MAX_MEMORY_SIZE. Anything else is
    answered here, in the API's error shape, before the CSRF check or a view reads the body:
    Django reads a form body into request.POST and the raw body is then gone (a 500), and an
    oversized body would get Django's HTML 400 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and request.method in BODY_METHODS:
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = f"The body is larger than the server accepts ({limit:,} bytes)."
            return JsonResponse(error_body("too_large", message), status=413)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if (length > 0 or chunked) and not _is_json(request.content_type or ""):
            message = "Send the body as JSON (Content-Type: application/json)."
            return JsonResponse(error_body("unsupported_media_type", message), status=415)
        return None
