"""API authentication shared by every router: the session and the role, checked first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import SessionAuth

from vertebra.core.permissions import Capability, has_capability


class RoleAuth(SessionAuth):
    """Session login and the role's capability, checked before the body is parsed: a role that
    may not use an endpoint gets 403 whatever it sent, never validation details (422) about it.
    Anonymous requests get 401 (the auth answers None); unsafe methods still need CSRF."""

    def __init__(self, capability: Capability) -> None:
        super().__init__()
        self.capability = capability

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if not has_capability(request.user, self.capability):
            raise HttpError(403, "Your role does not allow this.")
        return request.user
