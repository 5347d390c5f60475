"""The one headless Chromium and the one local web server that the audit (:mod:`.audit`), the
printed book (:mod:`.pdf`), the browser tests and the benchmarks use.

Chromium is Debian's (``/usr/bin/chromium`` and ``/usr/bin/chromedriver``, or
``$GRUBOOK_CHROMIUM`` and ``$GRUBOOK_CHROMEDRIVER``), driven by Selenium, and offline: no host but
127.0.0.1 resolves and anything else goes to a closed proxy port, so a page that needs the network
shows it. :func:`serve` serves a folder on 127.0.0.1 with caching off.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

CHROMIUM = os.environ.get("GRUBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("GRUBOOK_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL_HINT = (
    "`sudo apt-get update && sudo apt-get install -y chromium chromium-driver` (.ci/run does this)"
)


def missing() -> str | None:
    """None when Chromium and chromedriver are installed, else which are missing."""
    gone = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).exists() or shutil.which(p))]
    return f"missing {', '.join(gone)}" if gone else None


def start(
    width: int = 1280,
    height: int = 900,
    logs: bool = False,
    page_timeout: float = 60,
    script_timeout: float = 120,
):
    """A headless Chromium of ``width`` x ``height`` CSS pixels that reaches nothing but
    127.0.0.1; with ``logs``, its console and network logs are kept for ``driver.get_log``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
        "--mute-audio",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        # offline: no other host resolves, and anything not on loopback goes to a closed port
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
    ):
        options.add_argument(arg)
    if logs:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(page_timeout)
    driver.set_script_timeout(script_timeout)
    return driver


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL ending in ``/``."""
    handler = functools.partial(_QuietHandler, directory=os.fspath(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
