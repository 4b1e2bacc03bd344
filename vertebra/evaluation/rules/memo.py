"""Memo tables: results the rules would otherwise rebuild on every evaluation (findings, OF
scores, WHO categories), kept under keys that hold exactly what decides them.

Unlike ``functools.lru_cache`` (whose keys compare with ``==``, so that Decimal("-3") and
Decimal("-3.0") collide, and 1 and True unless typed), a table's key is built by its rule from
values whose equality means an identical result; each table says what its key is.
"""

from __future__ import annotations

from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# Bound of every memo table: findings keyed by facts from an open set (level lists) stop
# being added beyond it, as the finding cache is bounded, so a long-running server cannot grow
# them without limit; lookups of the entries already there go on working.
MEMO_LIMIT = 16_384


_MEMO_TABLES: list[dict[Any, Any]] = []


def memo_table() -> dict[Any, Any]:
    """A new memo table, registered so that ``clear_memos`` empties it."""
    table: dict[Any, Any] = {}
    _MEMO_TABLES.append(table)
    return table


def clear_memos() -> None:
    """Empty every memo table (tests: a process with cold caches)."""
    for table in _MEMO_TABLES:
        table.clear()


def remember(table: dict[K, V], key: K, found: V) -> V:
    """Store ``found`` (a finding or score, or None for "not listed") under ``key`` unless the
    table is full; return it.

    A memo table belongs to one call site (rule, kind and source fixed there), and its key must
    hold every fact the result depends on, as values whose equality means an identical result:
    level names, this package's status tokens, yes/no facts normalised the way the rule reads
    them (``is True``, truthiness), integers counted here, settings and Decimals as their text.
    Never a raw Decimal (-3 == -3.0) nor a raw int from the snapshot (1 == True).
    """
    if len(table) < MEMO_LIMIT:
        table[key] = found
    return found
