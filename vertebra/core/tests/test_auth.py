"""Login, lockout, idle logoff, logout, role-based landing, health check, security headers."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings

from vertebra.audit.models import AuditEvent
from vertebra.core.middleware import LAST_SEEN_KEY
from vertebra.core.models import Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def nurse_with_password():
    return User.objects.create_user(username="nina", password=PASSWORD, role=Role.NURSE)


def test_healthz_answers_200_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_anonymous_staff_page_redirects_to_login():
    response = Client().get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/staff/"


def test_login_lands_staff_on_worklist_and_is_audited(nurse_with_password):
    client = Client()
    response = client.post("/login/", {"username": "nina", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/staff/"
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login")
    assert event.actor_id == nurse_with_password.pk
    assert event.client_address == "127.0.0.1"


def test_password_is_hashed_with_argon2(nurse_with_password):
    assert nurse_with_password.password.startswith("argon2$")


def test_patient_lands_on_the_portal(client_for):
    response = client_for(Role.PATIENT).get("/")
    assert (response.status_code, response["Location"]) == (302, "/portal/")


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.PHYSICIAN, "/staff/"),
        (Role.NURSE, "/staff/"),
        (Role.SCHEDULER, "/staff/"),
        (Role.QUALITY_LEAD, "/staff/"),
        # The administrator sees no patient records: the audit trail, not a "not allowed" page.
        (Role.ADMINISTRATOR, "/staff/audit/"),
    ],
)
def test_staff_land_on_a_page_their_role_can_open(client_for, role, landing):
    client = client_for(role)
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, landing)
    assert client.get(landing).status_code == 200


def test_wrong_password_shows_an_error_and_logs_nobody_in(nurse_with_password):
    client = Client()
    response = client.post("/login/", {"username": "nina", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_with_429(nurse_with_password):
    client = Client()
    for _ in range(3):
        client.post("/login/", {"username": "nina", "password": "wrong"})
    response = client.post("/login/", {"username": "nina", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_idle_session_is_logged_out(client_for, settings):
    settings.VERTEBRA_IDLE_TIMEOUT_MINUTES = 15
    client = client_for(Role.NURSE)
    assert client.get("/staff/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 15 * 60 - 1
    session.save()
    response = client.get("/staff/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/staff/")
    assert client.get("/staff/").status_code == 302  # really logged out


def test_activity_within_the_limit_keeps_the_session(client_for):
    client = client_for(Role.NURSE)
    client.get("/staff/")
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 14 * 60
    session.save()
    assert client.get("/staff/").status_code == 200


def test_idle_api_session_gets_a_json_401(client_for):
    client = client_for(Role.NURSE)
    client.get("/api/patients")
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 3600
    session.save()
    response = client.get("/api/patients")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"


def test_logout_needs_post_and_is_audited(client_for, users):
    client = client_for(Role.NURSE)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert AuditEvent.objects.filter(action="logout", actor=users[Role.NURSE]).count() == 1
    assert client.get("/staff/").status_code == 302


def test_security_headers(client_for):
    response = client_for(Role.NURSE).get("/staff/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_debug_is_off_by_default(settings):
    assert settings.DEBUG is False


def test_client_address_without_proxy_ignores_forwarded_headers(rf, settings):
    from vertebra.core.actor import client_address

    settings.VERTEBRA_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_address(request) == "10.0.0.5"


def test_client_address_behind_one_proxy_takes_the_address_it_appended(rf, settings):
    from vertebra.core.actor import client_address

    settings.VERTEBRA_PROXY_COUNT = 1
    # The client forged "6.6.6.6"; the proxy appended the real peer 203.0.113.9.
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"
    settings.VERTEBRA_PROXY_COUNT = 2
    assert client_address(request) == "6.6.6.6"
