"""Fast construction of the frozen slots dataclasses built on every evaluation (findings,
level results, Genant grades, the result itself).

A frozen dataclass cannot assign its fields in ``__init__``; the generated one calls
``object.__setattr__`` per field, which builds two argument tuples on every call. Calling each
slot's member descriptor directly (``__set__``, bound once at import) does the same store in
about half the time, and the classes stay frozen: assignment from outside still raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

Setter = Callable[[object, Any], None]


def slot_setters(cls: type) -> tuple[Setter, ...]:
    """The slot setter of every field of a frozen slots dataclass, in field order."""
    return tuple(cls.__dict__[field.name].__set__ for field in fields(cls))
