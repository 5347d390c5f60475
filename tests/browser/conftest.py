"""Fixtures for the browser tests: Chromium, the built sites, a local Jupyter server for Thebe.

- ``real_site``: the book in ``_build/html`` (``make test`` builds it first), every page of
  ``_toc.yml`` visited once; screenshots go to ``_build/screenshots`` (CI keeps that folder).
- ``fixture_site``: ``tests/fixtures/site`` built with the repository's ``_config.yml``, with
  Thebe pointed at ``jupyter_server``, and two things broken after the build the way a bad build
  would break them (an image file deleted, a cell's output removed).

Chromium missing is a failure with the install command, unless GRUBOOK_SKIP_BROWSER=1.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "fixtures"))

import sitecheck  # noqa: E402
from bookbuild import ROOT, build_book  # noqa: E402

BUILD = ROOT / "_build"
SCREENSHOTS = BUILD / "screenshots"
_weights: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("GRUBOOK_SKIP_BROWSER") == "1":
        skip = pytest.mark.skip(reason="GRUBOOK_SKIP_BROWSER=1")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def driver():
    """Chromium at the desktop size, keeping the console and network logs the checks read."""
    from grubook_site import browser

    if missing := browser.missing():
        pytest.fail(
            f"The browser tests need Debian's Chromium and its driver ({missing}): "
            f"{browser.INSTALL_HINT}. Set GRUBOOK_SKIP_BROWSER=1 to skip them knowingly.",
            pytrace=False,
        )
    d = browser.start(*sitecheck.DESKTOP, logs=True, script_timeout=60)
    yield d
    d.quit()


@pytest.fixture
def emulation(driver):
    """For a test that lays pages out at another size: the window's own size again after it."""
    yield
    sitecheck.emulate(driver, None)


# --------------------------------------------------------------------------------------------
# the real book


@pytest.fixture(scope="session")
def real_pages() -> list[str]:
    return sitecheck.toc_pages(ROOT / "_toc.yml")


@pytest.fixture(scope="session")
def served():
    """The built book on 127.0.0.1, one server for every test that opens its pages."""
    if not (BUILD / "html" / "index.html").is_file():
        pytest.fail(
            "the book is not built: run `make book` first (`make test` does)", pytrace=False
        )
    with sitecheck.serve(BUILD / "html") as base:
        yield base


@pytest.fixture(scope="session")
def real_site(driver, real_pages, served):
    """Visit every page of the built book once; the tests read the reports."""
    missing = [p for p in real_pages if not (BUILD / "html" / p).is_file()]
    if missing:
        pytest.fail(f"the book lacks {', '.join(missing)}: run `make book` again", pytrace=False)
    reports = {p: sitecheck.visit(driver, served, p, SCREENSHOTS) for p in real_pages}
    table = sitecheck.weight_table(list(reports.values()))
    (SCREENSHOTS / "page-weight.md").write_text(table + "\n")
    _weights["book"] = table
    return {"html": BUILD / "html", "reports": reports, "cache": BUILD / ".jupyter_cache"}


# --------------------------------------------------------------------------------------------
# a lab's JSON, as the module's lab page loads it (its ``_open``)


@pytest.fixture(scope="module")
def exported(request, driver, served):
    """(URL of the lab's JSON, model, readout) for the module's lab (its ``_open``)."""
    from grubook import lab

    url = request.module._open(driver, served)
    model, readout = lab.read_file(BUILD / "html" / re.sub(r"^https?://[^/]+/", "", url))
    return url, model, readout


# copies of the built site whose static/lab.js makes one mistake: (what is there, what replaces it)
WRONG_LAB = {
    "reset": (  # r applied to U_n h without b_hn
        "r[j] * gh[2 * H + j]",
        "r[j] * (gh[2 * H + j] - p.bhh[2 * H + j]) + p.bhh[2 * H + j]",
    ),
    "order": (  # the adder reads the bits most significant first
        "[Number((a >> s) & 1n), Number((b >> s) & 1n)]",
        "[Number((a >> BigInt(bits - 1 - t)) & 1n), Number((b >> BigInt(bits - 1 - t)) & 1n)]",
    ),
    "unit": (  # the gate lab's unit chooser is off by one
        'units: u === "" ? null : [Number(u)]',
        'units: u === "" ? null : [(Number(u) + 1) % H]',
    ),
    "paint": ("rgb = v < 0 ? HCOL.neg : HCOL.pos", "rgb = v > 0 ? HCOL.neg : HCOL.pos"),  # h: -h
}


@pytest.fixture(scope="session")
def wrong_lab(tmp_path_factory):
    """One server for copies of the built site (links to its files), one a kind of ``WRONG_LAB``
    at ``<URL><kind>/``, each with that mistake in its ``lab.js``."""
    html, root = BUILD / "html", tmp_path_factory.mktemp("wrong-lab")
    source = (html / "_static" / "lab.js").read_text()
    for kind, (old, new) in WRONG_LAB.items():
        assert old in source, f"lab.js changed: {old!r} is not in it"
        (root / kind / "_static").mkdir(parents=True)
        for entry in [*html.iterdir(), *(html / "_static").iterdir()]:
            if entry.name not in ("_static", "lab.js"):
                os.symlink(entry, root / kind / entry.relative_to(html))
        (root / kind / "_static" / "lab.js").write_text(source.replace(old, new))
    with sitecheck.serve(root) as base:
        yield base


# --------------------------------------------------------------------------------------------
# a local Jupyter server (for Thebe)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory):
    """``jupyter server`` on 127.0.0.1, serving a scratch folder; its kernels are this virtual
    environment's Python, so they can ``import grubook``. It has no token, because the site may
    not carry one (``grubook_site.assets.thebe_server``): it listens on this machine only, for the
    length of the test session."""
    root = tmp_path_factory.mktemp("jupyter-root")
    (root / "book").mkdir()
    port = _free_port()
    exe = Path(sys.executable).with_name("jupyter")
    env = dict(
        os.environ, JUPYTER_RUNTIME_DIR=os.fspath(root / ".runtime"), OPENBLAS_NUM_THREADS="1"
    )
    log = open(root / "server.log", "w")
    proc = subprocess.Popen(
        [
            os.fspath(exe) if exe.exists() else "jupyter",
            "server",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.disable_check_xsrf=True",  # the pages come from another local port
            "--ServerApp.allow_origin=*",
            "--allow-root",
            f"--ServerApp.root_dir={root}",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"

    def answers() -> bool:
        try:
            return bool(urllib.request.urlopen(f"{url}api/status", timeout=2).read())
        except OSError:
            return False

    if not sitecheck.poll(answers, 60, 0.3, done=lambda up: up or proc.poll() is not None):
        proc.kill()
        pytest.fail("jupyter server did not start:\n" + (root / "server.log").read_text()[-3000:])
    yield {"url": url, "root": root, "log": root / "server.log"}
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


# --------------------------------------------------------------------------------------------
# the fixture book


def _break_site(html: Path) -> None:
    """Break broken-figure.html after the build: delete its image file and the output of its last
    code cell, as a failed copy step or a bad edit would."""
    page = html / "book" / "broken-figure.html"
    text = page.read_text(encoding="utf-8")
    for src in re.findall(r'<img[^>]*src="\.\./(_images/[^"]+)"', text):
        (html / src).unlink(missing_ok=True)
    cells = [m.start() for m in re.finditer(r'<div class="cell docutils container">', text)]
    last = text[cells[-1] :]
    out = re.search(
        r'<div class="cell_output docutils container">.*?</pre></div>\s*</div>\s*</div>', last, re.S
    )
    assert out, "the fixture page changed: no output to remove in its last cell"
    page.write_text(text[: cells[-1]] + last.replace(out.group(0), "", 1), encoding="utf-8")


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory, jupyter_server):
    dest = tmp_path_factory.mktemp("fixture-site") / "site"
    config = {"sphinx": {"config": {"grubook_thebe_server": jupyter_server["url"]}}}
    result = build_book("site", dest, config)
    if result.returncode != 0:
        pytest.fail(f"the fixture book did not build:\n{result.stdout[-5000:]}", pytrace=False)
    html = dest / "_build" / "html"
    _break_site(html)
    # the Jupyter server serves the same pages, so a kernel's working folder exists
    for md in (dest / "book").glob("*.md"):
        (jupyter_server["root"] / "book" / md.name).write_text(md.read_text())
    return {
        "dest": dest,
        "html": html,
        "log": result.stdout,
        "cache": ROOT / "_build" / "fixture-cache" / "site",
    }


@pytest.fixture(scope="session")
def fixture_site(driver, fixture_build):
    pages = sitecheck.toc_pages(fixture_build["dest"] / "_toc.yml")
    with sitecheck.serve(fixture_build["html"]) as base:
        reports = {
            p: sitecheck.visit(driver, base, p, BUILD / "screenshots-fixture") for p in pages
        }
    _weights["fixture"] = sitecheck.weight_table(list(reports.values()))
    return dict(fixture_build, reports=reports)


def pytest_terminal_summary(terminalreporter):
    for name, table in _weights.items():
        terminalreporter.write_sep("-", f"page weight, first visit, decoded: {name} site")
        terminalreporter.write_line(table)
