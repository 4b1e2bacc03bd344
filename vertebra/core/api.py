"""What every JSON API router shares besides authentication (`apiauth`): the error schema the
OpenAPI document names for each error status, and reading a JSON body with the refusals that
apply to any input (not JSON, nested too deep, a NUL character)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator

from vertebra.core.errors import DomainError, ValidationFailed

# A body nested deeper than this is refused before Python's parser reaches its recursion limit
# (about 1,000 levels): no clinical document is more than a few levels deep.
MAX_JSON_DEPTH = 64
NUL_MESSAGE = "Text can't contain the NUL character (\\u0000)."


class BadRequest(DomainError):
    """The body could not be read as JSON at all (400, code "invalid")."""

    http_status = 400


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    current_version: int | None = None
    current_values: dict[str, Any] | None = None


class Error(Schema):
    """{"error": {"code", "message", "fields": {path: [message]}}}; an edit conflict (409
    "conflict") adds the record's current_version and current_values."""

    error: ErrorDetail


_DESCRIPTIONS = {
    400: "The body is not JSON",
    401: "Not logged in, or the session expired",
    403: "The role does not allow this, or the CSRF token is missing",
    404: "No such record",
    409: "Conflict: an edit based on an old version, a record that can no longer change, "
    "a time already taken",
    413: "The body is larger than the server accepts",
    415: "The body is not application/json",
    422: "Invalid input: error.fields names each offending field",
}

READ = (401, 403, 422)
"""What any authenticated operation can answer: not logged in, wrong role, invalid parameters."""
WRITE = (400, 401, 403, 413, 415, 422)
"""What any operation with a JSON body can answer besides its own statuses."""


def errors(*statuses: int) -> dict[int, type[Error]]:
    """`response=` entries for the error statuses an operation really answers."""
    return dict.fromkeys(sorted(set(statuses)), Error)


def openapi_errors(*statuses: int) -> dict[str, Any]:
    """The same as OpenAPI `responses` entries, for operations documented by hand."""
    return {
        str(status): {
            "description": _DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for status in sorted(set(statuses))
    }


def _too_deep(text: str, limit: int) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (a linear scan)."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _text(kind: type, example: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # pydantic would read a number as seconds since 1970; the schema promises ISO 8601 text.
        if not isinstance(value, (str, kind)):
            raise ValueError(f"Give it as ISO 8601 text, e.g. {example}.")
        return value

    return check


IsoDate = Annotated[dt.date, BeforeValidator(_text(dt.date, "1950-03-31"))]
"""A date in a JSON body: ISO 8601 text only (not a number)."""
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_text(dt.datetime, "2026-12-07T09:00:00Z"))]
"""An instant in a JSON body: ISO 8601 text only (not a number)."""


def refuse_nul(value: Any, path: str = "") -> None:
    """Raise ValidationFailed naming the first key or string holding a NUL character: the
    staff forms refuse it, and PostgreSQL cannot store it in text or JSON."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationFailed({path or "__all__": [NUL_MESSAGE]})
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                raise ValidationFailed({path or "__all__": [NUL_MESSAGE]})
            refuse_nul(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_nul(item, f"{path}.{index}" if path else str(index))


def load_json(raw: bytes, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """A request body as JSON, or a BadRequest / ValidationFailed saying why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("The body is not UTF-8 text.", field="body") from exc
    if _too_deep(text, MAX_JSON_DEPTH):
        raise BadRequest(
            f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.", field="body"
        )
    try:
        data = json.loads(text, parse_float=parse_float)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"Not valid JSON: {exc}", field="body") from exc
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise BadRequest("The JSON is nested too deep.", field="body") from exc
    refuse_nul(data)
    return data
