"""The session store: Django's database sessions with a one-query read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from vertebra.core.models import Role
from vertebra.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_engine_is_the_database_store_with_the_plain_read():
    assert settings.SESSION_ENGINE == "vertebra.core.sessions"


def test_a_saved_session_reads_back_from_the_database():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    again = SessionStore(session_key=store.session_key)
    assert again["answer"] == 42
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_reads_as_empty_and_loses_its_key():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_logging_out_ends_the_session_for_every_later_request(client_for):
    client = client_for(Role.NURSE)
    assert client.get("/staff/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert SessionStore(session_key=key).load() == {}
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # a copy of the old cookie
    assert client.get("/staff/").status_code == 302
