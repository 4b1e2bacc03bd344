"""Static assets are local (no CDN) and served by the app itself."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_names_a_local_icon_that_is_served(client):
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/vertebra/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/vertebra/favicon.svg")
    assert (icon.status_code, icon["Content-Type"]) == (200, "image/svg+xml")
