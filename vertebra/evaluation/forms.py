"""The administrator's form for the clinic's rule settings, generated from SETTINGS_SPEC so every
value shows its citation and whether the reference asks to review the default locally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from vertebra.evaluation import rules

_YES_NO = [("true", "Yes"), ("false", "No")]


def _field_for(spec: Any) -> forms.Field:
    common: dict[str, Any] = {
        "label": spec.label,
        "help_text": spec.description,
        "required": spec.value_type != "choices",
    }
    if spec.value_type == "decimal":
        return forms.DecimalField(min_value=spec.minimum, max_value=spec.maximum, **common)
    if spec.value_type == "integer":
        return forms.IntegerField(
            min_value=int(spec.minimum) if spec.minimum is not None else None,
            max_value=int(spec.maximum) if spec.maximum is not None else None,
            **common,
        )
    if spec.value_type == "boolean":
        return forms.ChoiceField(choices=_YES_NO, **common)
    if spec.value_type == "choice":
        return forms.ChoiceField(choices=[(c, c) for c in spec.choices], **common)
    if spec.value_type == "choices":
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in spec.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.RegexField(regex=r"^\s*\d+\s*/\s*\d+\s*$", **common)  # fraction "2/3"


def _initial(spec: Any, value: Any) -> Any:
    if spec.value_type == "boolean":
        return "true" if value else "false"
    return value


def shown_default(spec: Any) -> str:
    """A default as the administrator reads it: "yes", "OF4, OF5", "2/3", "1.5"."""
    value = spec.default
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)


@dataclass(frozen=True)
class SettingRow:
    spec: Any
    field: Any
    current: Any
    is_default: bool

    @property
    def default(self) -> str:
        return shown_default(self.spec)


class RuleSettingsForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the change",
        help_text="For example the local protocol or committee decision it implements.",
    )

    def __init__(self, *args: Any, current: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current.to_dict()
        for spec in rules.SETTINGS_SPEC:
            self.fields[spec.key] = _field_for(spec)
            self.initial[spec.key] = _initial(spec, self.current[spec.key])
        self.fields["reason"] = self.fields.pop("reason")  # keep it last

    def setting_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in rules.SETTINGS_SPEC:
            value = self.cleaned_data[spec.key]
            if spec.value_type == "decimal":
                value = str(value)
            elif spec.value_type == "fraction":
                value = value.replace(" ", "")
            elif spec.value_type == "choices":
                value = list(value)
            values[spec.key] = value
        return values

    def rows(self) -> list[SettingRow]:
        defaults = rules.RuleSettings().to_dict()
        return [
            SettingRow(
                spec,
                self[spec.key],
                self.current[spec.key],
                self.current[spec.key] == defaults[spec.key],
            )
            for spec in rules.SETTINGS_SPEC
        ]
