"""The one headless Chromium and the one local web server that the audit (:mod:`.audit`), the
printed book (:mod:`.pdf`), the browser tests and the benchmarks use, and what a first visit to a
page costs (:class:`Visit`, :func:`weight_table`: the browser tests' limit, the benchmarks' table).

Chromium is Debian's (``/usr/bin/chromium`` and ``/usr/bin/chromedriver``, or
``$GRUBOOK_CHROMIUM`` and ``$GRUBOOK_CHROMEDRIVER``), driven by Selenium, and offline: no host but
127.0.0.1 resolves and anything else goes to a closed proxy port, so a page that needs the network
shows it. :func:`serve` serves a folder on 127.0.0.1 with caching off.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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


# --------------------------------------------------------------------------------------------
# what a first visit to a page costs

# A first visit to a page (the document and everything it loads, decoded) stays under this.
MAX_PAGE_BYTES = 6_000_000
KINDS = ("html", "js", "css", "fonts", "other")

# Runs in the page after load: waits for MathJax, then lets the page settle.
READY_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; } catch (e) {}
  }
  // let lazy images load and responsive figures settle
  window.scrollTo(0, document.documentElement.scrollHeight);
  await sleep(300);
  window.scrollTo(0, 0);
  await sleep(200);
  done(true);
})();
"""


@dataclass
class Request:
    url: str
    status: int | None = None
    bytes: int = 0  # decoded: the body as the browser has it after any content encoding
    kind: str = ""  # Chromium's resource type: Document, Script, Stylesheet, Font, Image, ...
    mime: str = ""
    failed: str = ""


@dataclass
class Visit:
    """A page opened once, and the requests it made (request id -> :class:`Request`)."""

    page: str
    url: str
    requests: dict = field(default_factory=dict)

    def weight(self) -> dict[str, int]:
        """Decoded bytes of a first visit, by kind (:data:`KINDS`) and their ``total``: the
        document and everything it loaded (the server sends ``Cache-Control: no-store``, so nothing
        comes from a cache). ``data:`` URLs carry nothing over the network and are left out."""
        out = dict.fromkeys(KINDS, 0)
        for r in self.requests.values():
            if urlsplit(r.url).scheme not in ("data", "blob", "about"):
                out[kind_of(r, self.url)] += r.bytes
        out["total"] = sum(out[k] for k in KINDS)
        return out

    def weight_problems(self) -> list[str]:
        total = self.weight()["total"]
        if total <= MAX_PAGE_BYTES:
            return []
        limit = MAX_PAGE_BYTES / 1e6
        return [f"a first visit loads {total / 1e6:.2f} MB (decoded), over the {limit:g} MB limit"]


def drain_performance(driver, requests: dict) -> None:
    """Read Chromium's network log (``logs=True`` in :func:`start`) into ``requests``."""
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method", ""), msg.get("params", {})
        rid = params.get("requestId")
        if method == "Network.requestWillBeSent":
            requests.setdefault(rid, Request(params["request"]["url"]))
        elif method == "Network.responseReceived" and rid in requests:
            requests[rid].status = params["response"].get("status")
            requests[rid].kind = params.get("type", "")
            requests[rid].mime = params["response"].get("mimeType", "")
        elif method == "Network.dataReceived" and rid in requests:
            requests[rid].bytes += int(params.get("dataLength") or 0)  # decoded
        elif method == "Network.loadingFailed" and rid in requests:
            requests[rid].failed = params.get("errorText", "failed")


def kind_of(request: Request, document_url: str) -> str:
    """Which column of the weight table a request counts in."""
    path = urlsplit(request.url).path.lower()
    if request.url.split("#")[0] == document_url or request.kind == "Document":
        return "html"
    if request.kind == "Script" or path.endswith((".js", ".mjs")):
        return "js"
    if request.kind == "Stylesheet" or path.endswith(".css"):
        return "css"
    if request.kind == "Font" or path.endswith((".woff", ".woff2", ".ttf", ".otf", ".eot")):
        return "fonts"
    return "other"


def weight_table(visits: list[Visit]) -> str:
    """A markdown table: each page's first visit in decoded bytes, by kind, with a verdict."""
    lines = [
        "| page | " + " | ".join(f"{k} (KB)" for k in KINDS) + " | total (MB) | verdict |",
        "|---|" + "---:|" * (len(KINDS) + 1) + "---|",
    ]
    for r in visits:
        w = r.weight()
        verdict = "ok" if w["total"] <= MAX_PAGE_BYTES else f"over {MAX_PAGE_BYTES / 1e6:g} MB"
        cells = " | ".join(f"{w[k] / 1e3:.0f}" for k in KINDS)
        lines.append(f"| {r.page} | {cells} | {w['total'] / 1e6:.2f} | {verdict} |")
    return "\n".join(lines)
