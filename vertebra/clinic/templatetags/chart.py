"""Template helpers of the chart page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from vertebra.clinic.chart.selectors import TimelineEntry

register = template.Library()

_TIMELINE_ITEM = (
    '\n        <li><time datetime="{}">{}</time>{} <span class="hint">· {} ({})</span></li>'
)


@register.simple_tag
def timeline_items(entries: Sequence[TimelineEntry]) -> SafeString:
    """The chart timeline's list items (up to 200), built in Python for the reason given at
    worklist_rows (patients/templatetags/clinical.py); the times are in the clinic's time zone,
    as Django's date filter shows them ("c" is the ISO 8601 form, then "Y-m-d H:i")."""
    items = []
    for e in entries:
        at = localtime(e.occurred_at)
        values = (at.isoformat(), f"{at:%Y-%m-%d %H:%M}", e.text, e.actor_username, e.actor_role)
        items.append(_TIMELINE_ITEM.format(*(escape(str(value)) for value in values)))
    return SafeString("".join(items))
