"""The audit hash chain (pure): each row's hash covers the previous row's hash and its own
canonical content, so changing, removing or reordering any row breaks every hash after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_content(fields: Mapping[str, Any]) -> str:
    """A stable text form: sorted keys, no insignificant white space, non-JSON values as str."""
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def chain_hash(previous_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((previous_hash + canonical_content(fields)).encode("utf-8")).hexdigest()
