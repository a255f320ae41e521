"""The layout sweep: every GET page each role can reach, at 1,280 and 390 px wide.

The pages come from the authorization matrix (tests/security/authz_rules.py): every route
of the URL map that answers GET, with each row's arguments resolved in the matrix's world
(tests/security/authz_world.py) for each role the row allows. A page added with its rule
is swept without touching this file. Downloads, JSON and HTML fragments are not pages and
are counted apart.

On each page: no horizontal overflow (``scrollWidth <= innerWidth``) and no serious or
critical axe-core violation, at both widths. One browser, one context per role; axe-core
runs, and a full-page screenshot is taken (in ``test-artifacts/browser/layout/<role>/``),
once per page structure and width (probes/structure.js: the same template with other data,
or with more rows, is not checked or pictured twice). First, the phone menu is used with
JavaScript off.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Error, Page, expect

from tests.browser.axe import serious_violations, serve_axe
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD
from tests.security import authz_world
from tests.security.authz_rules import RULES
from tests.security.authz_world import ROLES
from tests.security.test_authz_matrix import resolve

pytestmark = pytest.mark.slow

WIDTHS = (1280, 390)
HEIGHT = 900
TWINS = {"a": "b", "b": "a", "x": "y", "y": "x"}
PROBES = Path(__file__).resolve().parent / "probes"
OVERFLOW = (PROBES / "overflow.js").read_text(encoding="utf-8")
STRUCTURE = (PROBES / "structure.js").read_text(encoding="utf-8")


def mirror(name: str) -> str:
    """The world is symmetric: SGG A / organisation X objects and their B / Y twins."""
    return re.sub(r"_([abxy])$", lambda m: "_" + TWINS[m[1]], name)


def get_pages(app: Any, world: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Role -> [(endpoint, url)] of every GET route the matrix allows that role.

    A view whose mirror image (sgg_b on topic B for sgg_a on topic A, a coordinator on
    pledge Y for pledge X) is also in the list is swept once: it is the same page.
    """
    views: dict[tuple, tuple[Any, Any, str]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.rule.startswith("/api/") or "GET" not in rule.methods:
            continue
        for row in RULES.get(rule.endpoint, []):
            if row.methods and "GET" not in row.methods:
                continue
            for role in ROLES:
                if row.expect(role, False) == "ok":
                    views[(rule.endpoint, role, tuple(sorted(row.args.items())))] = (
                        rule,
                        row,
                        role,
                    )
    pages: dict[str, list[tuple[str, str]]] = {role: [] for role in ROLES}
    for (endpoint, role, args), (rule, row, _role) in views.items():
        twin = (endpoint, mirror(role), tuple(sorted((k, mirror(v)) for k, v in args)))
        if twin in views and twin < (endpoint, role, args):
            continue
        pages[role].append((endpoint, resolve(app, rule, row, role, world)))
    return pages


def _sign_in(browser: Browser, base: str, role: str, world: dict[str, Any]) -> Page:
    context = browser.new_context(base_url=base, viewport={"width": WIDTHS[0], "height": HEIGHT})
    serve_axe(context)
    page = context.new_page()
    if role != "anonymous":
        page.goto("/auth/login")
        page.get_by_label("Email").fill(world["emails"][role])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def _menu_without_script(browser: Browser, base: str, world: dict[str, Any], folder: Path) -> None:
    """The main menu with JavaScript off: a bar at 1,280 px; at 390 px folded behind "Menu",
    which opens it (a <details>); its links work."""
    context = browser.new_context(
        base_url=base, java_script_enabled=False, viewport={"width": WIDTHS[0], "height": HEIGHT}
    )
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("Email").fill(world["emails"]["coordinator"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav = page.get_by_role("navigation", name="Main")
    summary = page.locator("header .menu > summary")
    expect(nav.get_by_role("link", name="Topics", exact=True)).to_be_visible()
    expect(summary).to_be_hidden()
    page.set_viewport_size({"width": WIDTHS[1], "height": HEIGHT})
    expect(nav.get_by_role("link", name="Topics", exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name="Inbox")).to_be_visible()  # outside the menu
    summary.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path=str(folder / "menu-open-390.png"))
    nav.get_by_role("link", name="Topics", exact=True).click()
    expect(page).to_have_url(re.compile(r"/topics/$"))
    expect(nav.get_by_role("link", name="Topics", exact=True)).to_be_hidden()  # folded again
    context.close()


def _open(page: Page, url: str) -> str | None:
    """Open ``url``; None if it is a page, else what it is instead."""
    try:
        response = page.goto(url)
    except Error as exc:
        if "Download is starting" in str(exc):
            return "download"
        raise
    assert response is not None, url
    if response.status >= 500:
        raise AssertionError(f"{url}: {response.status}")
    if not response.headers.get("content-type", "").startswith("text/html"):
        return "not html"
    if not page.locator("main#content").count():
        return "fragment"
    return None


class Sweep:
    """The checks of one page at one width; axe-core and the screenshot once per page
    structure and width."""

    def __init__(self) -> None:
        self.structures: set[tuple[str, int]] = set()
        self.axe_runs = 0

    def check(self, page: Page, width: int, shot: Path) -> list[str]:
        if page.viewport_size["width"] != width:
            page.set_viewport_size({"width": width, "height": HEIGHT})
        found = page.evaluate(OVERFLOW)
        problems = []
        if found["scroll"] > found["inner"]:
            culprits = ", ".join(found["culprits"])
            problems.append(f"{page.url} at {width} px: {found['scroll']} px wide ({culprits})")
        key = (hashlib.sha256(page.evaluate(STRUCTURE).encode()).hexdigest(), width)
        if key not in self.structures:
            self.structures.add(key)
            self.axe_runs += 1
            problems += [f"{v} (at {width} px)" for v in serious_violations(page)]
            page.screenshot(path=str(shot), full_page=True)
        return problems


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def test_every_page_fits_both_widths_without_serious_axe_violations(
    app: Any, db: Any, live_server: str, browser: Browser
) -> None:
    world = authz_world.build(db)
    pages = get_pages(app, world)
    started = time.perf_counter()
    (ARTIFACTS / "layout").mkdir(parents=True, exist_ok=True)
    _menu_without_script(browser, live_server, world, ARTIFACTS / "layout")
    problems: list[str] = []
    skipped: Counter[str] = Counter()
    swept: dict[str, set[str]] = {}
    sweep = Sweep()
    for role in ROLES:
        folder = ARTIFACTS / "layout" / role
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        page = _sign_in(browser, live_server, role, world)
        seen: set[str] = set()
        for n, (endpoint, url) in enumerate(pages[role]):
            page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
            instead = _open(page, url)
            if instead is not None:
                skipped[f"{endpoint} ({instead})"] += 1
                continue
            if page.url in seen:  # a redirect to a page already swept
                continue
            seen.add(page.url)
            swept.setdefault(urlsplit(page.url).path, set()).add(role)
            for width in WIDTHS:
                shot = folder / f"{n:02d}-{_slug(endpoint)}-{width}.png"
                problems += sweep.check(page, width, shot)
        page.context.close()
    took = time.perf_counter() - started
    visits = sum(len(roles) for roles in swept.values())
    print(
        f"\nlayout sweep: {visits} pages x {len(WIDTHS)} widths in {took:.1f} s,"
        f" {sweep.axe_runs} axe-core runs and screenshots"
    )
    print("not pages:", ", ".join(f"{k} x{v}" for k, v in sorted(skipped.items())))
    assert not problems, f"{len(problems)} layout problems:\n" + "\n".join(problems)
    # The sweep really reached the pages of each kind of user.
    topic, match = world["topic_a"], world["match_a"]
    reached = {f"/topics/{topic}", f"/pledges/funding/topics/{topic}", f"/consortia/{match}"}
    assert reached <= set(swept)
    assert swept["/dashboard"] >= set(authz_world.SIGNED_IN) - {"sgg_b", "rep_y"}
