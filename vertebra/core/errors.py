"""Domain errors shared by every app. Views and APIs turn them into messages, never 500s."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class ErrorCode(enum.StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    RECORD_INACTIVE = "record_inactive"
    SLOT_UNAVAILABLE = "slot_unavailable"
    RECORD_SIGNED = "record_signed"
    NOT_READY = "not_ready"


class DomainError(Exception):
    """A request that cannot be carried out; nothing was written."""

    code: ErrorCode = ErrorCode.INVALID
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def field_errors(self) -> dict[str, list[str]]:
        return {self.field or "__all__": [self.message]}


class ValidationFailed(DomainError):
    """One or more fields are invalid. `errors` maps field name → messages."""

    code = ErrorCode.INVALID
    http_status = 422

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {name: list(messages) for name, messages in errors.items()}
        first = next(iter(self.errors.items()), ("__all__", ["Invalid input."]))
        super().__init__(f"{first[0]}: {first[1][0]}" if first[0] != "__all__" else first[1][0])

    def field_errors(self) -> dict[str, list[str]]:
        return self.errors


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND
    http_status = 404


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN
    http_status = 403


class DuplicateRecord(DomainError):
    code = ErrorCode.DUPLICATE
    http_status = 409


class TransitionNotAllowed(DomainError):
    code = ErrorCode.TRANSITION_NOT_ALLOWED
    http_status = 409


class RecordInactive(DomainError):
    code = ErrorCode.RECORD_INACTIVE
    http_status = 409


class EditConflict(DomainError):
    """Someone saved the record after the user loaded it. Nothing was overwritten.

    `changes` maps each field the other person changed to (value the user loaded
    was based on is unknown, so we show the current stored value) its current value.
    """

    code = ErrorCode.CONFLICT
    http_status = 409

    def __init__(self, *, current_version: int, current_values: Mapping[str, Any]) -> None:
        self.current_version = current_version
        self.current_values = dict(current_values)
        super().__init__(
            "Someone else saved this record while you were editing it. Nothing was overwritten: "
            "review their values below and save again to apply yours."
        )


class SlotUnavailable(DomainError):
    """Someone else booked the time first (or it became unavailable). Nothing was written."""

    code = ErrorCode.SLOT_UNAVAILABLE
    http_status = 409


class RecordSigned(DomainError):
    """The record is signed and never changes; corrections are addenda."""

    code = ErrorCode.RECORD_SIGNED
    http_status = 409


class NotReady(DomainError):
    """A step whose preconditions are not met (the procedure gate, signing): `blocking` lists
    each, so the user sees all of them at once. Nothing was written."""

    code = ErrorCode.NOT_READY
    http_status = 409

    def __init__(self, message: str, blocking: list[str] | tuple[str, ...]) -> None:
        super().__init__(message)
        self.blocking = list(blocking)

    def field_errors(self) -> dict[str, list[str]]:
        return {"__all__": [self.message, *self.blocking]}


class RulesetChanged(DomainError):
    """A stored evaluation was made under another rule-set version: re-running it now would
    apply other rules, so it cannot reproduce the stored result."""

    code = ErrorCode.CONFLICT
    http_status = 409


def error_body(
    code: str, message: str, fields: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """The JSON API's one error shape: {"error": {"code", "message", "fields": {path: [msg]}}}.
    Every 4xx of /api/ has it, whether a router, the API setup or a middleware answers."""
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}
