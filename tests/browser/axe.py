"""axe-core, vendored (tests/browser/vendor/, see VERSIONS.md there), injected into pages.

The script is served to the page from its own origin (a route of the browser context that
answers ``/__axe__.js`` with the vendored file), so ``page.add_script_tag`` passes the
page's CSP (``script-src 'self'``) and the page is checked exactly as users get it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_JS = VENDOR / "axe-4.14.1.min.js"
AXE_PATH = "/__axe__.js"
SERIOUS = ("serious", "critical")


def serve_axe(context: Any) -> None:
    """Let every page of ``context`` load axe-core from ``AXE_PATH`` on its own origin."""
    if getattr(context, "_serves_axe", False):
        return
    body = AXE_JS.read_bytes()
    context.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(body=body, content_type="application/javascript"),
    )
    context._serves_axe = True


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per element."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        serve_axe(page.context)
        page.add_script_tag(url=AXE_PATH)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {node['target']}"
        for v in results["violations"]
        if v["impact"] in SERIOUS
        for node in v["nodes"]
    ]
