"""Template helpers to show recorded facts and, separately, what is not assessed."""

from __future__ import annotations

from typing import Any

from django import template

from vertebra.patients.services import ASSESSMENT_FIELDS

register = template.Library()


def _display(instance: Any, field: Any) -> str:
    value = getattr(instance, field.name)
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


@register.simple_tag
def assessment_summary(assessment: Any) -> dict[str, Any]:
    recorded, missing = [], []
    meta = type(assessment)._meta
    for name in ASSESSMENT_FIELDS:
        field = meta.get_field(name)
        value = getattr(assessment, name)
        if value is None or value == "":
            missing.append(field.verbose_name)
        else:
            recorded.append((field.verbose_name, _display(assessment, field)))
    return {"recorded": recorded, "missing": missing}


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, ())
