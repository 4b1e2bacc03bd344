"""Every aria-describedby on a form page names an element of that page: a screen reader reads
the help text only through that id (axe-core reports a dangling one only when it renders)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from vertebra.core.models import Role


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described_by: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name == "aria-describedby" and value:
                self.described_by.extend(value.split())


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.ADMINISTRATOR, "/staff/settings/evaluation"),
        (Role.NURSE, "/staff/referrals/{r}/assessment"),
        (Role.ADMINISTRATOR, "/staff/schedule/setup"),
    ],
)
def test_every_described_by_names_an_element_of_the_page(client_for, referral, role, url):
    response = client_for(role).get(url.format(r=referral.public_id), follow=True)
    assert response.status_code == 200, url
    page = _Ids()
    page.feed(response.content.decode())
    assert page.described_by, f"{url}: no help text linked at all"
    assert sorted(set(page.described_by) - page.ids) == []
