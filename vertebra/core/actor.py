"""The person behind a change, carried into every service so the audit trail can name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from vertebra.core.models import User


@dataclass(frozen=True, slots=True)
class Actor:
    user: User | None
    client_address: str | None = None

    @property
    def username(self) -> str:
        return self.user.username if self.user is not None else "system"

    @property
    def role(self) -> str:
        return self.user.role if self.user is not None else "system"

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, client_address=client_address(request))  # type: ignore[arg-type]

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, client_address=None)


def client_address(request: HttpRequest) -> str | None:
    """The client's address for the audit trail and the login lockout.

    Behind VERTEBRA_PROXY_COUNT trusted reverse proxies, the client is the address that the
    outermost trusted proxy appended to X-Forwarded-For (counted from the right, because the
    left part is whatever the client chose to send). With no proxy, REMOTE_ADDR.
    """
    from django.conf import settings

    proxies = settings.VERTEBRA_PROXY_COUNT
    if proxies > 0:
        forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [h for h in forwarded if h]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
