"""Fast construction of the frozen slots dataclasses built on every evaluation (findings,
level results, Genant grades, the result itself).

A frozen dataclass cannot assign its fields in ``__init__``; the generated one calls
``object.__setattr__`` per field, which builds two argument tuples on every call.

Two ways round it, both leaving the classes frozen (assignment from outside still raises):

- ``slot_setters``: each slot's member descriptor ``__set__``, bound once at import, does the
  same store in about half the time. Used by an ``__init__`` written out in the class.
- ``draft_class``: a plain class with exactly the same slots. An instance of it takes its fields
  by ordinary attribute stores (which the interpreter specialises to a direct slot write), and
  is then given the frozen class: CPython allows assigning ``__class__`` between two classes of
  the same layout and slots. About a third of the cost of the slot setters; used by the
  builder functions of the objects made once per level or per evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

Setter = Callable[[object, Any], None]


def slot_setters(cls: type) -> tuple[Setter, ...]:
    """The slot setter of every field of a frozen slots dataclass, in field order."""
    return tuple(cls.__dict__[field.name].__set__ for field in fields(cls))


def draft_class(cls: type) -> type[Any]:
    """A mutable class with the slots of frozen slots dataclass ``cls``: build an instance,
    set every field, then assign ``cls`` to its ``__class__``."""
    slots = tuple(field.name for field in fields(cls))
    if tuple(getattr(cls, "__slots__", ())) != slots:
        raise TypeError(f"{cls.__name__}: a draft needs a slots dataclass without extra slots")
    return type(f"{cls.__name__}Draft", (), {"__slots__": slots, "__module__": cls.__module__})
