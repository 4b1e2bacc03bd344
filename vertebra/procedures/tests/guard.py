"""For tests that empty the whole database (Django's flush, the end of a live-server test):
on SQLite the flush DELETEs rows, which the signed-record triggers of migration 0005 refuse,
as they must outside tests. PostgreSQL's flush TRUNCATEs, which row triggers do not see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module

from django.db import connection

_MIGRATION = "vertebra.procedures.migrations.0005_signed_records_never_change"


@contextmanager
def signed_record_guard_lifted() -> Iterator[None]:
    """Drop the SQLite triggers for the block, then put them back."""
    if connection.vendor != "sqlite":
        yield
        return
    guard = import_module(_MIGRATION)
    with connection.cursor() as cursor:
        for statement in guard.sqlite_backward():
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in guard.sqlite_forward():
                cursor.execute(statement)


def empty_procedure_tables() -> None:
    """Remove every procedure record and its entries: TRUNCATE on PostgreSQL (row triggers
    do not see it); on SQLite DELETE with the guard lifted (leaks before levels, entries
    before their record)."""
    guard = import_module(_MIGRATION)
    children = sorted(guard.CHILDREN, key=lambda table: table != "procedures_cementleak")
    tables = (*children, "procedures_procedureaddendum", guard.RECORD)
    with signed_record_guard_lifted(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Inside a test's transaction, the deferred foreign-key checks must run first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
            return
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are constants)
