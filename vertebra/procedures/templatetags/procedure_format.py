"""How the procedure record prints its numbers: as entered, without padding zeros (3.5 mL,
not 3.50 mL; 12.5 Gy·cm², not 12.5000)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from vertebra.procedures.checklist import hold_override_note
from vertebra.procedures.rules.dose import plain_number

register = template.Library()


@register.filter
def plain(value: Any) -> str:
    if value is None or value == "":
        return ""
    return plain_number(Decimal(str(value)))


@register.filter
def hold_override(referral: Any) -> str:
    """The procedure booking's antithrombotic hold override, if any (issue 14)."""
    return hold_override_note(referral)
