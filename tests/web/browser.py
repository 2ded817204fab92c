"""Headless Debian chromium driven by Playwright (no browser download), and a live formkit server."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from formkit.web import create_app
from formkit.web.server import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "test-login-token-0123456789"


def chromium_available() -> bool:
    return CHROMIUM.exists() or shutil.which("chromium") is not None


@dataclass
class Live:
    base: str
    login_url: str


@contextlib.contextmanager
def live_server(ws_root: Path, token: str = TOKEN) -> Iterator[Live]:
    app = create_app(ws_root, token=token)
    server, thread = serve_in_thread(app)
    base = f"http://127.0.0.1:{server.port}"
    try:
        yield Live(base, f"{base}/login?token={token}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[object]:
    """A Playwright page in headless Debian chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
            page = ctx.new_page()
            page.set_default_timeout(15000)
            yield page
        finally:
            browser.close()
