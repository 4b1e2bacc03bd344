"""Read queries built with the ORM once, then run again and again with a new key.

Why: building a queryset and compiling it to SQL cost Django more than PostgreSQL takes to
answer the small keyed lookups of a chart, which runs several on every opening (one chart list
measured 1.2 ms through the ORM and 0.4 ms for the same SQL run directly, PostgreSQL on
loopback). A PreparedQuery keeps the ORM as the one place the SQL
comes from (same joins, quoting and value conversion on SQLite and PostgreSQL) and pays for the
compilation once per database connection instead of once per request.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable
from django.db.models.sql.compiler import SQLCompiler

# Stands in for the key while the query is compiled, then is found among the SQL parameters.
# No row has a negative primary key, so a query that lost the marker fails loudly, below.
KEY_MARKER = -7_402_913_586_211


@dataclass(frozen=True, slots=True)
class _Compiled:
    compiler: SQLCompiler  # keeps the select list, to convert raw values as the ORM would
    sql: str
    params: tuple[Any, ...]


class PreparedQuery:
    """`build(key)` must return a values_list() queryset whose SQL does not depend on the key's
    value (equality filters on it, fixed slices); `rows(key)` returns what `list(build(key))`
    would, as tuples."""

    def __init__(self, build: Callable[[int], QuerySet[Any, tuple[Any, ...]]]) -> None:
        self._build = build
        # Per connection object: Django gives each thread its own, and the converters are bound
        # to the connection they were compiled for.
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = (
            weakref.WeakKeyDictionary()
        )

    def rows(self, key: int, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(using)
        params = [key if param == KEY_MARKER else param for param in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        # What ValuesListIterable does with the rows it fetched: the ORM's value conversions.
        rows = compiled.compiler.results_iter([fetched], tuple_expected=True)
        return cast(list[tuple[Any, ...]], list(rows))

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(KEY_MARKER)
        if queryset._iterable_class is not ValuesListIterable:  # what rows() reproduces
            raise ValueError("PreparedQuery needs a values_list() queryset (not flat or named)")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if KEY_MARKER not in params:
            raise ValueError("PreparedQuery: the key is not a parameter of the compiled SQL")
        return _Compiled(compiler, sql, tuple(params))
