"""Browser fixtures: Debian's Chromium driven by Playwright (from pip; never `playwright install`)
against pytest-django's live server, plus a login helper and an axe-core helper.

Each xdist worker has its own live server, test database and Chromium. Chromium is launched
once per test module; every test gets a fresh context (no cookies), tablet-sized. While
Playwright runs, its event loop sits in the main thread, so Django's ORM calls from the test
need DJANGO_ALLOW_ASYNC_UNSAFE: it is set only while the browser is up. No network: every
request the page makes to anything but the live server is aborted and fails the test.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from vertebra.core.models import Role, User

CHROMIUM = Path(os.environ.get("VERTEBRA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TABLET = {"width": 820, "height": 1180}  # a 10.9" tablet held upright
PASSWORD = "Correct-horse-battery-42"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
BLOCKING_IMPACTS = ("serious", "critical")
# A document answered with 4xx (a form with errors is 422) is logged by Chromium as a console
# error; that is the app working as designed, not a page problem.
_EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 4")


def _missing(reason: str) -> None:
    """Under CI a missing browser dependency is an error; locally the test is skipped."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: a missing test dependency is an error, not a skip)")
    pytest.skip(f"{reason}; run scripts/system-deps.sh")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.is_file():
        _missing(f"axe-core is not installed at {AXE_JS} (npm ci in tests/browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Playwright Python package is not installed (pip install -e .[test])")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
            )
            try:
                yield launched
            finally:
                launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh tablet-sized page on the live server; fails on off-host requests or JS errors."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=TABLET,
        locale="en-GB",
        timezone_id="Europe/Berlin",
        service_workers="block",
    )
    context.set_default_timeout(10_000)
    blocked: list[str] = []

    def only_live_server(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", only_live_server)
    new_page = context.new_page()
    problems: list[str] = []
    new_page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text} ({new_page.url})")
            if msg.type == "error" and not _EXPECTED_CONSOLE.search(msg.text)
            else None
        ),
    )
    new_page.on("pageerror", lambda exc: problems.append(f"page error: {exc} ({new_page.url})"))
    try:
        yield new_page
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            new_page.screenshot(path=ARTIFACTS / f"FAILED-{_slug(request.node.name)}.png")
    finally:
        context.close()
    assert not blocked, f"the page tried to reach the network: {blocked}"
    assert not problems, "browser errors (CSP violations show up here):\n" + "\n".join(problems)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


# --- Users and logging in -------------------------------------------------------------------


@pytest.fixture
def make_user(live_server: Any) -> Callable[..., User]:
    """A user with a real (argon2-hashed) password, committed so the live server sees it."""

    def make(role: Role, *, username: str | None = None) -> User:
        return User.objects.create_user(
            username=username or f"{role.value}-browser",
            password=PASSWORD,
            role=role,
            first_name=role.label,
            last_name="Browser",
        )

    return make


def log_in(page: Any, user: User, *, password: str = PASSWORD) -> None:
    """Log in through the real /login/ form (django-axes sees a real request)."""
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.wait_for_load_state()


@pytest.fixture
def logged_in(page: Any, make_user: Callable[..., User]) -> Callable[[Role], User]:
    """Log the page in as a new user of the given role; returns the user."""

    def as_role(role: Role) -> User:
        user = make_user(role)
        log_in(page, user)
        return user

    return as_role


@pytest.fixture
def login() -> Callable[..., None]:
    """log_in(page, user): the real login form."""
    return log_in


# --- Screenshots ----------------------------------------------------------------------------


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot in test-artifacts/ (gitignored), for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{_slug(name)}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    """shoot(page, name): a full-page screenshot in test-artifacts/."""
    return screenshot


# --- Accessibility --------------------------------------------------------------------------

_RUN_AXE = """
async () => {
  const results = await window.axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
    nodes: v.nodes.map(n => ({
      target: n.target.join(' '), html: n.html, impact: n.impact, summary: n.failureSummary,
    })),
  }));
}
"""


def axe_violations(page: Any, *, label: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return the serious and critical violations.

    axe is injected with page.evaluate (DevTools protocol), which the page's CSP
    (script-src 'self') does not block, unlike an inline <script> tag. Every violation found
    is printed, and the whole list is saved to test-artifacts/axe-<label>.json.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    name = label or urlsplit(page.url).path
    if violations:
        print(format_violations(violations, title=f"axe on {name} ({page.url})"))  # noqa: T201
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{_slug(name)}.json").write_text(
        json.dumps(violations, indent=2), encoding="utf-8"
    )
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def format_violations(violations: list[dict[str, Any]], *, title: str = "axe") -> str:
    lines = [f"{title}: {len(violations)} violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            for detail in (node.get("summary") or "").splitlines():
                lines.append(f"      {detail}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page: Any, label: str) -> None:
    """No serious or critical axe violation, and no sideways scrolling at tablet width. Saves a
    screenshot of the page as checked (test-artifacts/page-<label>.png)."""
    blocking = axe_violations(page, label=label)
    assert not blocking, format_violations(blocking, title=f"axe on {label}")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    screenshot(page, f"page-{label}")
    assert overflow <= 0, f"{label}: the page scrolls sideways by {overflow}px at tablet width"


@pytest.fixture
def axe() -> Callable[..., list[dict[str, Any]]]:
    """axe(page, label=...): the serious and critical axe-core violations on the page."""
    return axe_violations


@pytest.fixture
def accessible() -> Callable[[Any, str], None]:
    """accessible(page, label): asserts no serious/critical axe violation, no sideways scroll."""
    return assert_accessible
