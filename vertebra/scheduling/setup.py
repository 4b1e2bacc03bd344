"""Setting up the calendars: resources, weekly availability, exceptions and the self-booking
rules. Every change audited in its transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from vertebra.audit.models import AuditAction
from vertebra.audit.services import audit_record, json_safe
from vertebra.core.actor import Actor
from vertebra.core.errors import ValidationFailed
from vertebra.core.models import system_user
from vertebra.core.permissions import Capability, ensure
from vertebra.scheduling.models import (
    AppointmentType,
    AvailabilityException,
    AvailabilityTemplate,
    Resource,
    ResourceKind,
    SelfBookingPolicy,
)


def _audit(actor: Actor, action: str, obj: Any, summary: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.public_id if hasattr(obj, "public_id") else obj.pk,
        summary=summary,
        changes={name: [None, json_safe(value)] for name, value in changes.items()},
    )


def resource_create(*, actor: Actor, kind: str, name: str) -> Resource:
    ensure(actor, Capability.SCHEDULE_SETUP)
    name = name.strip()
    if kind not in ResourceKind.values:
        raise ValidationFailed({"kind": ["Choose a kind of resource."]})
    if not name:
        raise ValidationFailed({"name": ["Give the resource a name."]})
    if Resource.objects.filter(name__iexact=name).exists():
        raise ValidationFailed({"name": [f"A resource named {name!r} already exists."]})
    with transaction.atomic():
        resource = Resource.objects.create(kind=kind, name=name)
        _audit(actor, AuditAction.CREATE, resource, f"Added resource {name}", {"kind": kind})
    return resource


def availability_template_add(
    *,
    actor: Actor,
    resource: Resource,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> AvailabilityTemplate:
    ensure(actor, Capability.SCHEDULE_SETUP)
    errors: dict[str, list[str]] = {}
    if not 0 <= weekday <= 6:
        errors["weekday"] = ["Choose a day of the week."]
    if start_time >= end_time:
        errors["end_time"] = ["The window must end after it starts."]
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = ["The last valid day must not be before the first."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        template = AvailabilityTemplate.objects.create(
            resource=resource,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        _audit(
            actor,
            AuditAction.CREATE,
            template,
            f"Availability of {resource}: {template.get_weekday_display()} "
            f"{start_time:%H:%M}–{end_time:%H:%M}",
            {"weekday": weekday, "start_time": start_time, "end_time": end_time,
             "valid_from": valid_from, "valid_until": valid_until},
        )  # fmt: skip
    return template


def availability_template_end(
    *, actor: Actor, template: AvailabilityTemplate, last_day: dt.date
) -> None:
    """Templates are not deleted (past calendars must stay explainable): they end."""
    ensure(actor, Capability.SCHEDULE_SETUP)
    if template.valid_from and last_day < template.valid_from:
        raise ValidationFailed({"valid_until": ["That is before the window started."]})
    with transaction.atomic():
        before = template.valid_until
        template.valid_until = last_day
        template.save(update_fields=["valid_until", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="AvailabilityTemplate",
            object_id=template.public_id,
            summary=f"Availability of {template.resource} ends {last_day}",
            changes={"valid_until": [json_safe(before), json_safe(last_day)]},
        )


def availability_exception_add(
    *,
    actor: Actor,
    resource: Resource,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
) -> AvailabilityException:
    """Leave, a holiday, maintenance. Existing bookings in that time are kept and listed on
    the calendar for staff to move; new bookings can't be made there."""
    ensure(actor, Capability.SCHEDULE_SETUP)
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start."]
    if not reason.strip():
        errors["reason"] = ["Say why the resource is unavailable."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        exception = AvailabilityException.objects.create(
            resource=resource,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip(),
            created_by=actor.user or system_user(),
        )
        _audit(
            actor,
            AuditAction.CREATE,
            exception,
            f"{resource} unavailable: {reason.strip()}",
            {"starts_at": starts_at, "ends_at": ends_at, "reason": reason.strip()},
        )
    return exception


def appointment_type_update(
    *, actor: Actor, appointment_type: AppointmentType, changes: dict[str, Any]
) -> AppointmentType:
    """Change a type's duration, buffer, online booking or retire it. Booked appointments keep
    the times they were booked with."""
    ensure(actor, Capability.SCHEDULE_SETUP)
    errors: dict[str, list[str]] = {}
    if not 5 <= changes.get("duration_minutes", appointment_type.duration_minutes) <= 480:
        errors["duration_minutes"] = ["An appointment lasts 5 to 480 minutes."]
    if not 0 <= changes.get("buffer_minutes", appointment_type.buffer_minutes) <= 240:
        errors["buffer_minutes"] = ["The buffer is 0 to 240 minutes."]
    if changes.get("duration_minutes", 15) % 5 or changes.get("buffer_minutes", 0) % 5:
        errors.setdefault("duration_minutes", []).append("Use whole multiples of 5 minutes.")
    kinds = changes.get("required_kinds", appointment_type.required_kinds)
    if not kinds or any(kind not in ResourceKind.values for kind in kinds):
        errors["required_kinds"] = ["Choose the kinds of resource the type needs."]
    elif appointment_type.requires_decision_to_treat and "procedure_suite" not in kinds:
        errors["required_kinds"] = ["A procedure needs the procedure suite."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        before = {name: getattr(appointment_type, name) for name in changes}
        for name, value in changes.items():
            setattr(appointment_type, name, value)
        appointment_type.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="AppointmentType",
            object_id=appointment_type.public_id,
            summary=f"Changed appointment type {appointment_type.name}",
            changes={name: [before[name], value] for name, value in changes.items()},
        )
    return appointment_type


def self_booking_policy() -> SelfBookingPolicy:
    return SelfBookingPolicy.objects.get_or_create(singleton=1)[0]


def self_booking_policy_update(*, actor: Actor, changes: dict[str, Any]) -> SelfBookingPolicy:
    ensure(actor, Capability.SCHEDULE_SETUP)
    with transaction.atomic():
        self_booking_policy()
        policy = SelfBookingPolicy.objects.select_for_update().get()
        before = {name: getattr(policy, name) for name in changes}
        for name, value in changes.items():
            setattr(policy, name, value)
        policy.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="SelfBookingPolicy",
            object_id=policy.pk,
            summary="Changed the patients' self-booking rules",
            changes={name: [before[name], value] for name, value in changes.items()},
        )
    return policy
