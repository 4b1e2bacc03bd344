"""On a tablet (1024×768, issue 14 §5) the top bar keeps one row, even for the scheduler, whose
bar has the most links: the clinic's name and the user's role give way, the user's name stays."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in
from vertebra.core.models import Role

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", [Role.SCHEDULER, Role.PHYSICIAN])
def test_the_top_bar_keeps_one_row_on_a_tablet(
    page: Any, live_server: Any, make_user: Any, role: Role
) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    user = make_user(role)
    log_in(page, user)
    name = user.get_full_name()
    page.goto("/staff/")
    nav = page.locator(".topbar nav").bounding_box()
    logout = page.locator(".topbar .logout").bounding_box()
    assert logout["y"] < nav["y"] + nav["height"]  # beside the links, not below them
    assert page.locator(".topbar .who").inner_text() == name
    page.set_viewport_size({"width": 1440, "height": 900})
    assert page.locator(".topbar .who").inner_text() == f"{name} · {role.label}"
