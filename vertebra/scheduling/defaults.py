"""The clinic's starting appointment types (from the booking issue); staff can edit them."""

from __future__ import annotations

# code, name, minutes, buffer minutes (turnover), resource kinds, needs a decision to treat,
# patients may book it themselves
DEFAULT_TYPES: list[tuple[str, str, int, int, list[str], bool, bool]] = [
    ("consultation", "Consultation", 30, 0, ["physician", "consult_room"], False, True),
    ("pre_procedure", "Pre-procedure evaluation", 30, 0, ["nurse"], False, False),
    ("procedure", "Vertebroplasty procedure", 60, 15,
     ["physician", "nurse", "procedure_suite"], True, False),
    ("day1_call", "Day-1 phone call", 15, 0, ["nurse"], False, False),
    ("follow_up", "Follow-up visit", 20, 0, ["physician"], False, True),
]  # fmt: skip


def install_default_types(appointment_type_model: type, policy_model: type) -> None:
    """Create the default types and the self-booking rules where missing (idempotent)."""
    for code, name, duration, buffer, kinds, decision, patient in DEFAULT_TYPES:
        appointment_type_model.objects.get_or_create(  # type: ignore[attr-defined]
            code=code,
            defaults={
                "name": name,
                "duration_minutes": duration,
                "buffer_minutes": buffer,
                "required_kinds": kinds,
                "requires_decision_to_treat": decision,
                "patient_bookable": patient,
            },
        )
    policy_model.objects.get_or_create(singleton=1)  # type: ignore[attr-defined]
