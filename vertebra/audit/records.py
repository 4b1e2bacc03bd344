"""Shared write mechanics for versioned clinical records: validate, compare-and-set the version,
diff, audit. Every domain service that changes a ClinicalRecord goes through here, so the rules
(nothing half-written, nothing silently overwritten, every change audited) live in one place.

It lives in the audit layer, the lowest that sees both core's ClinicalRecord and audit_record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from vertebra.audit.models import AuditAction, AuditEvent
from vertebra.audit.services import audit_record, json_safe
from vertebra.core.actor import Actor
from vertebra.core.errors import EditConflict, RecordInactive, ValidationFailed
from vertebra.core.models import ClinicalRecord, RecordStatus

Record = TypeVar("Record", bound=ClinicalRecord)


# Domain checks beyond the model's own (a date in the future...): field → messages.
Checks = Callable[[Any], Mapping[str, list[str]]]
# Checks against other rows (a duplicate MRN...): raise a DomainError; run once the input is valid.
Conflicts = Callable[[Any], None]


def validate(
    instance: ClinicalRecord, *, exclude: Iterable[str] = (), checks: Checks | None = None
) -> None:
    """Run the model's validators and constraints and the service's checks together, so every
    problem with the input is reported in one round; raise ValidationFailed per field."""
    errors: dict[str, list[str]] = {}
    try:
        # Uniqueness is the service's `conflicts` check (clearer messages, and it runs only
        # once the input is valid); the database constraints remain the final guarantee.
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    if checks is not None:
        for field, messages in checks(instance).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)


def only_fields(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """The input of a write, refused whole when it names a field the service does not set."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed({name: ["Unknown field."] for name in unknown})
    return dict(data)


def _field_value(instance: ClinicalRecord, field: str) -> Any:
    return getattr(instance, field)


def create_record(
    instance: Record,
    *,
    actor: Actor,
    fields: Iterable[str],
    patient_of: Any,
    summary: str,
    exclude: Iterable[str] = (),
    checks: Checks | None = None,
    conflicts: Conflicts | None = None,
) -> Record:
    """Validate and insert, with its audit event, in one transaction."""
    validate(instance, exclude=exclude, checks=checks)
    with transaction.atomic():
        if conflicts is not None:
            conflicts(instance)
        try:
            instance.save(force_insert=True)
        except IntegrityError as exc:  # a race lost against a unique constraint
            raise ValidationFailed({"__all__": [_integrity_message(exc)]}) from exc
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=type(instance).__name__,
            object_id=instance.public_id,
            patient=patient_of(instance),
            summary=summary,
            changes={f: [None, json_safe(_field_value(instance, f))] for f in fields},
        )
    return instance


def update_record(
    model: type[Record],
    *,
    pk: int,
    actor: Actor,
    expected_version: int,
    changes: Mapping[str, Any],
    patient_of: Any,
    summary: str,
    derived: Any = None,
    checks: Checks | None = None,
    conflicts: Conflicts | None = None,
) -> Record:
    """Apply `changes` to the stored row if nobody saved it since `expected_version`.

    The row is locked for the whole transaction (PostgreSQL: FOR UPDATE; SQLite: the IMMEDIATE
    transaction), so the version check and the write cannot interleave with another save.
    """
    with transaction.atomic():
        instance = model._default_manager.select_for_update().get(pk=pk)
        if instance.record_status != RecordStatus.ACTIVE:
            raise RecordInactive("This record was marked entered in error and can't be changed.")
        if instance.version != expected_version:
            raise EditConflict(
                current_version=instance.version,
                current_values=_changed_since(instance, expected_version),
            )
        before = {f: _field_value(instance, f) for f in changes}
        for field, value in changes.items():
            setattr(instance, field, value)
        if derived is not None:
            derived(instance)
        validate(instance, checks=checks)
        if conflicts is not None:
            conflicts(instance)
        diff = {
            f: [json_safe(before[f]), json_safe(_field_value(instance, f))]
            for f in changes
            if json_safe(before[f]) != json_safe(_field_value(instance, f))
        }
        if not diff:
            return instance
        instance.version += 1
        diff["version"] = [instance.version - 1, instance.version]
        instance.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=model.__name__,
            object_id=instance.public_id,
            patient=patient_of(instance),
            summary=summary,
            changes=diff,
        )
    return instance


def retract_record(
    model: type[Record], *, pk: int, actor: Actor, reason: str, patient_of: Any, summary: str
) -> Record:
    """Mark a record entered in error (never delete it), with the reason, audited."""
    if not reason.strip():
        raise ValidationFailed({"reason": ["Say why this record was entered in error."]})
    with transaction.atomic():
        instance = model._default_manager.select_for_update().get(pk=pk)
        if instance.record_status != RecordStatus.ACTIVE:
            raise RecordInactive("This record is already marked entered in error.")
        instance.record_status = RecordStatus.ENTERED_IN_ERROR
        instance.entered_in_error_reason = reason.strip()
        instance.version += 1
        instance.save()
        audit_record(
            actor=actor,
            action=AuditAction.ENTERED_IN_ERROR,
            object_type=model.__name__,
            object_id=instance.public_id,
            patient=patient_of(instance),
            summary=summary,
            changes={"record_status": ["active", "entered_in_error"], "reason": reason.strip()},
        )
    return instance


def _changed_since(instance: ClinicalRecord, version: int) -> dict[str, Any]:
    """The values other people saved after `version`, from the audit trail (newest wins)."""
    values: dict[str, Any] = {}
    events = AuditEvent.objects.filter(
        object_type=type(instance).__name__,
        object_id=str(instance.public_id),
        action=AuditAction.UPDATE,
    ).order_by("sequence")
    for event in events:
        version_change = event.changes.get("version")
        if version_change and int(version_change[1]) > version:
            for field, (_old, new) in event.changes.items():
                if field != "version":
                    values[field] = new
    return values


def _integrity_message(exc: IntegrityError) -> str:
    text = str(exc).lower()
    if "mrn" in text:
        return "A patient with this MRN already exists."
    if "fracture_level_once_per_referral" in text or "level" in text:
        return "This level is already recorded for this referral."
    return "This change conflicts with data saved at the same moment. Nothing was saved."
