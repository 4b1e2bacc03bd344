"""Database sessions, read with one plain query.

Django's database session store reads the session row through the ORM on every authenticated
request; building and compiling that query cost more CPU than the rest of an empty
authenticated request together. This store reads the same row (same key, same expiry test)
with one SQL statement and leaves everything else (writes, expiry, key cycling, clearing) to
Django's store, so sessions stay in the database and a logout ends them at once in every
worker (a per-process cache could not promise that).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        using = router.db_for_read(model, instance=None)
        connection = connections[using]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=str(self.session_key), session_data=row[0])
