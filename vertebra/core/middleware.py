"""Automatic logoff after VERTEBRA_IDLE_TIMEOUT_MINUTES without a request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

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
                        {"error": {"code": "session_expired", "message": "Session expired."}},
                        status=401,
                    )
                messages.info(request, "You were logged out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            # Writing the session costs a database round trip: do it at most once a minute.
            # The timeout is then measured to within that minute, which is safe because the
            # last-seen time can only be early, never late, so logoff never comes late.
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
