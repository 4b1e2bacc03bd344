"""The label a form gives a field, for messages that name fields (the edit-conflict panel)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def label_of(form: Any, name: str) -> str:
    """The form's label for ``name``; a field the form does not show, in words."""
    field = getattr(form, "fields", {}).get(name)
    if field is not None and field.label:
        return str(field.label)
    return name.replace("_", " ").capitalize()
