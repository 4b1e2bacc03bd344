"""Login with a `next` link: the target when the role may open it, the user's own home when
not (never "Not allowed"), and never another site."""

from __future__ import annotations

import pytest
from django.test import Client

from vertebra.core.models import Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


def _login(role: Role, next_url: str) -> tuple[str, int]:
    User.objects.create_user(username=f"u-{role.value}", password=PASSWORD, role=role)
    client = Client()
    response = client.post(
        f"/login/?next={next_url}", {"username": f"u-{role.value}", "password": PASSWORD}
    )
    assert response.status_code == 302
    final = client.get(response["Location"], follow=True)
    return response["Location"], final.status_code


def test_an_allowed_target_is_opened():
    assert _login(Role.ADMINISTRATOR, "/staff/audit/") == ("/staff/audit/", 200)
    assert _login(Role.NURSE, "/staff/patients/") == ("/staff/patients/", 200)


def test_a_forbidden_target_sends_the_user_to_their_own_home():
    # The scheduler may not open the audit page: home routes them to the worklist.
    location, status = _login(Role.SCHEDULER, "/staff/audit/")
    assert (location, status) == ("/", 200)
    # The administrator may not open the worklist: their home is the audit page.
    location, _ = _login(Role.ADMINISTRATOR, "/staff/")
    assert location == "/"
    admin = Client()
    admin.post("/login/", {"username": "u-administrator", "password": PASSWORD})
    assert admin.get("/")["Location"] == "/staff/audit/"


def test_an_unknown_target_goes_home_too():
    assert _login(Role.NURSE, "/no/such/page")[0] == "/"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/staff/", "//evil.example/", "javascript:alert(1)"]
)
def test_an_unsafe_external_next_is_still_refused(unsafe):
    location, _ = _login(Role.NURSE, unsafe)
    assert location == "/"
