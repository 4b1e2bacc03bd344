"""How the procedure record prints its numbers: as entered, without padding zeros (3.5 mL,
not 3.50 mL; 12.5 Gy·cm², not 12.5000)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from vertebra.procedures.checklist import hold_override_note
from vertebra.procedures.rules.dose import plain_number

register = template.Library()


@register.filter
def plain(value: Any) -> str:
    if value is None or value == "":
        return ""
    return plain_number(Decimal(str(value)))


@register.filter
def lookup(mapping: Any, key: str) -> Any:
    """mapping[key], or "" when absent (a template cannot index by a variable)."""
    return mapping.get(key, "")


@register.filter
def hold_override(referral: Any) -> str:
    """The procedure booking's antithrombotic hold override, if any (issue 14)."""
    return hold_override_note(referral)


@register.filter
def clock(value: Any, part: str = "datetime") -> str:
    """A date-time in the clinic's time zone with an ISO date and, by default, a 24-hour clock
    (`VERTEBRA_CLOCK_24H`; false gives 12-hour). `part`: "datetime" or "time"."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    time = local.strftime("%H:%M") if settings.VERTEBRA_CLOCK_24H else _twelve_hour(local)
    return time if part == "time" else f"{local:%Y-%m-%d} {time}"


def _twelve_hour(value: Any) -> str:
    hour = value.hour % 12 or 12
    return f"{hour}:{value:%M} {'a.m.' if value.hour < 12 else 'p.m.'}"
