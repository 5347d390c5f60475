"""The whole book as one PDF, printed from the built site by headless Chromium, offline.

    python -m grubook_site.pdf _build/html _build/pdf      (make pdf)

writes ``_build/pdf/gru-book.pdf``. How:

1. One HTML page is made from the built site (:func:`combined_html`): a title page, a table of
   contents with the parts and pages of ``_toc.yml`` in their order (each entry a link into the
   PDF), then every page's article, each starting a new sheet. The page takes its ``<head>``
   (styles, plotly.js, MathJax, ``static/print.css`` and ``static/print.js``) from the site, so
   it draws exactly as the site does; links between pages become links inside the one page. It
   is written next to the pages (``book/``) so every relative path holds, and deleted after.
2. Chromium opens it from a local server, at the width of the printed text, so every Plotly
   figure is laid out for the paper. It waits until every figure is drawn, every image is
   loaded and MathJax has typeset every equation, writes the print-only line under each slider
   figure (``window.grubookPrintNotes``), then prints with DevTools' ``Page.printToPDF``: A4 from
   ``print.css``'s ``@page``, and a footer with the page number and the page count.

One print gives one PDF: no merging, and the page numbers run through the book (Chromium:
:mod:`grubook_site.browser`).
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
import time
from html import escape as esc
from pathlib import Path

from . import browser
from .book import built_site, toc_entries

PDF_NAME = "gru-book.pdf"
PRINT_PAGE = "_print-book.html"  # written beside the pages for the print, deleted after
PRINT_ASSETS = ("print.css", "print.js")
# the printed text's width in CSS pixels: A4 (210 mm) less print.css's 14 mm margins, at 96 px/in
TEXT_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96)
FOOTER = (
    '<div style="width:100%; font-size:8px; color:#555; padding:0 14mm; '
    'display:flex; justify-content:space-between; font-family:sans-serif">'
    '<span class="title"></span>'
    '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)


class PdfError(RuntimeError):
    """The book cannot be printed: not built, built without the print assets, or no Chromium."""


# --------------------------------------------------------------------------------------------
# the book's pages, in the order of _toc.yml (grubook_site.book.toc_entries)


def _anchor(page: str) -> str:
    return "print-" + re.sub(r"[^\w-]+", "-", page.removesuffix(".html"))


# --------------------------------------------------------------------------------------------
# one HTML page of the whole book


def combined_html(site: Path, toc_file: Path, title: str, author: str = "") -> str:
    """The whole book as one HTML page, to be saved in the folder of the site's pages."""
    from bs4 import BeautifulSoup

    entries = toc_entries(toc_file)
    folders = {str(Path(p).parent) for _, p in entries}
    if len(folders) != 1:
        raise PdfError(f"the book's pages must sit in one folder to print as one page: {folders}")
    missing = [p for _, p in entries if not (site / p).is_file()]
    if missing:
        raise PdfError(
            f"the book is not built (missing {', '.join(missing)} in {site}): run `make book` first"
        )
    pages = {
        p: BeautifulSoup((site / p).read_text(encoding="utf-8"), "html.parser") for _, p in entries
    }
    shell = pages[entries[0][1]]
    head = shell.head
    linked = " ".join(str(t) for t in head.find_all(["link", "script"]))
    lacking = [a for a in PRINT_ASSETS if f"_static/{a}" not in linked]
    if lacking:
        raise PdfError(
            f"the site in {site} was built without the print stylesheet ({', '.join(lacking)} "
            "not linked): rebuild it with `make book`"
        )
    # anything another page's <head> loads that the shell's lacks
    for soup in pages.values():
        for tag in soup.head.find_all(["script", "link"]):
            key = tag.get("src") or tag.get("href")
            if key and key not in linked:
                head.append(tag)
                linked += " " + key
    head.title.string = title
    for node in shell.select("#jb-print-docs-body"):  # the theme's per-page print heading
        node.decompose()

    names = {Path(p).name: _anchor(p) for _, p in entries}
    article = shell.find("article", class_="bd-article")
    body: list[str] = []
    contents: list[str] = []
    part_seen = None
    for number, (caption, page) in enumerate(entries):
        soup = pages[page]
        node = soup.find("article", class_="bd-article")
        if node is None:
            raise PdfError(f"{page}: no <article class='bd-article'> (not a Jupyter Book page?)")
        for script in node.find_all("script", type="text/x-thebe-config"):
            script.decompose()
        for a in node.find_all("a", href=True):
            target, _, fragment = a["href"].partition("#")
            if target in names:
                a["href"] = "#" + (fragment or names[target])
        h1 = node.find("h1")
        heading = h1.get_text(" ", strip=True).replace("#", "").strip() if h1 else page
        if caption != part_seen and caption:
            contents.append(f"<li><strong>{esc(caption)}</strong></li>")
            part_seen = caption
        contents.append(
            f"<li{' style=padding-left:1.2rem' if caption else ''}>"
            f'<a href="#{names[Path(page).name]}">{esc(heading)}</a></li>'
        )
        body.append(
            f'<section class="grubook-print-page" id="{names[Path(page).name]}">'
            f"{node.decode_contents()}</section>"
        )
    front = (
        '<section class="grubook-print-title">'
        f"<h1>{esc(title)}</h1>"
        f"<p>{esc(author)}</p>"
        f"<p>Printed from the website built on {time.strftime('%Y-%m-%d')}. Interactive figures "
        "appear at their default slider step; the line under each names the step.</p></section>"
        '<section class="grubook-print-contents"><h2>Contents</h2><ol>'
        + "".join(contents)
        + "</ol></section>"
    )
    article.clear()
    article.append(BeautifulSoup(front + "".join(body), "html.parser"))
    return str(shell)


# --------------------------------------------------------------------------------------------
# Chromium


# Resolves with what is not ready yet ("" when all is): figures, images, MathJax, fonts.
_READY = """
const done = arguments[arguments.length - 1];
(async () => {
  if (document.readyState !== "complete") return done("document loading");
  const waiting = [...document.querySelectorAll(".grubook-plotly")]
    .filter((d) => !d.classList.contains("js-plotly-plot")).length;
  if (waiting) return done(waiting + " figures not drawn");
  const images = [...document.images].filter((i) => !i.complete).length;
  if (images) return done(images + " images loading");
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return done("no MathJax");
  await MathJax.startup.promise;
  if (MathJax.typesetPromise) await MathJax.typesetPromise();
  await document.fonts.ready;
  const raw = document.querySelectorAll(".math:not(:has(mjx-container))").length;
  if (raw) return done(raw + " equations not typeset");
  done("");
})().catch((e) => done("error: " + e));
"""


def print_page(driver, url: str, timeout: float = 300) -> tuple[bytes, int]:
    """Open ``url``, wait until it is ready, print it; (PDF bytes, print notes written)."""
    driver.set_script_timeout(120)
    driver.get(url)
    deadline = time.time() + timeout
    while True:
        state = driver.execute_async_script(_READY)
        if not state:
            break
        if time.time() > deadline:
            raise PdfError(f"the book did not finish drawing in {timeout:.0f} s: {state}")
        time.sleep(0.5)
    # every figure laid out at the paper's width, then the line under each slider figure
    driver.execute_script(
        "document.querySelectorAll('.js-plotly-plot').forEach((gd) => Plotly.Plots.resize(gd));"
    )
    notes = driver.execute_script(
        "return window.grubookPrintNotes ? window.grubookPrintNotes() : -1;"
    )
    if notes == -1:
        raise PdfError("static/print.js did not load on the page: rebuild the site (`make book`)")
    result = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {
            "printBackground": True,
            "preferCSSPageSize": True,
            "displayHeaderFooter": True,
            "headerTemplate": "<div></div>",
            "footerTemplate": FOOTER,
            "generateDocumentOutline": True,
            "generateTaggedPDF": True,
        },
    )
    return base64.b64decode(result["data"]), notes


def build_pdf(site: Path, out_dir: Path, root: Path | None = None) -> dict:
    """Print the built site ``site`` to ``out_dir/gru-book.pdf``; returns what was done."""
    site, toc, config = built_site(site, root, PdfError)
    out_dir = Path(out_dir).resolve()
    gone = browser.missing()
    if gone:
        raise PdfError(f"Chromium is needed to print the book: {gone}. {browser.INSTALL_HINT}")
    start = time.time()
    page_html = combined_html(site, toc, config.get("title", "The book"), config.get("author", ""))
    folder = site / Path(toc_entries(toc)[0][1]).parent
    target = folder / PRINT_PAGE
    target.write_text(page_html, encoding="utf-8")
    driver = browser.start(TEXT_WIDTH_PX, 1000, page_timeout=300)  # one long page
    try:
        with browser.serve(site) as base:
            rel = target.relative_to(site).as_posix()
            data, notes = print_page(driver, base + rel)
    finally:
        driver.quit()
        target.unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / PDF_NAME
    pdf.write_bytes(data)
    return {
        "pdf": pdf,
        "bytes": len(data),
        "pages": len(re.findall(rb"/Type\s*/Page[^s]", data)),
        "notes": notes,
        "seconds": time.time() - start,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (_build/html)")
    parser.add_argument("out", type=Path, help="where the PDF goes (_build/pdf)")
    parser.add_argument("--root", type=Path, help="the book's root (default: two levels up)")
    args = parser.parse_args(argv)
    try:
        done = build_pdf(args.site, args.out, args.root)
    except PdfError as e:
        print(f"make pdf: {e}", file=sys.stderr)
        return 1
    print(
        f"wrote {done['pdf']}: {done['pages']} pages, {done['bytes'] / 1e6:.1f} MB, "
        f"{done['notes']} slider figures noted, in {done['seconds']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
