from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from vertebra.core.permissions import Capability, has_capability


def clinic(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "clinic_name": settings.VERTEBRA_CLINIC_NAME,
        "can": {cap.name.lower(): has_capability(user, cap) for cap in Capability},
        "idle_timeout_minutes": settings.VERTEBRA_IDLE_TIMEOUT_MINUTES,
    }
