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
    # Behind a proxy the operator sets VERTEBRA_PROXY_COUNT; django-axes' ipware honours it.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR")
