"""Slides per chapter: a reveal.js deck for each chapter, made from the built site, offline.

    python -m grubook_site.slides _build/html _build/slides      (make slides; run make book first)

writes ``_build/slides/01-rnn-basics.html`` ... one deck per chapter of ``_toc.yml``, an
``index.html`` that lists them, and the files they load (``_static/``: reveal.js, MathJax and
plotly.js from the npm packages the site uses, the site's ``figures.js``/``figures.css``, and
``static/slides.css``/``static/slides.js``; ``_images/``: the chapter's static figures).

Every slide is cut from the chapter's built page, so the deck shows what the page shows: the
glued numbers are the page's own ``<span class="pasted-text">``, never retyped, and each Plotly
figure is the page's ``<div class="grubook-plotly">`` with its script, live, with its slider. A
deck holds, in this order:

1. the title and the chapter's one-line question;
2. the learning objectives (the "Learning objectives" admonition);
3. in the order of the page: the key equations (a section's display math, one slide per
   section), every figure (Plotly figures and static ones, with their captions) and the tables
   of measured results (cell outputs, and tables with glued numbers; tables of raw data rows,
   with a time column, are left out);
4. the summary (its points, three to a slide), where the measured numbers are restated;
5. every exercise as a prompt (the exercise's text; no solution is copied);
6. where to go next: the chapter page, the next deck.

Each slide carries ``data-source``: the id of the page element it was cut from. The speaker notes
(press S) hold the paragraph of the page that leads into an equation or a figure.

A chapter that lacks what a deck needs (objectives, an equation, a figure, a summary, exercises, a
figure's script or image file, ten slides in all) stops the build with a sentence naming the file.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import time
from dataclasses import dataclass
from html import escape as esc
from pathlib import Path

from . import assets
from .book import built_site, is_chapter, toc_pages

MIN_SLIDES = 10
SUMMARY_POINTS_PER_SLIDE = 3
STATIC = Path(__file__).resolve().with_name("static")
# (npm package, file inside it, where it goes under _static)
# (npm package, path in it, path under _static, ignored names), as assets.NPM_ASSETS
REVEAL_FILES = [
    ("reveal.js", f"dist/{name}", f"reveal/{name}", ())
    for name in ("reveal.css", "reveal.js", "theme/white.css", "plugin/notes.js")
]
SITE_FILES = [assets.FIGURE_CSS, assets.FIGURE_SCRIPT, "slides.css", "slides.js"]
# what the page's MathJax is told (Sphinx's configuration): the book's formulas are in .math
MATHJAX_CONFIG = '{"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math"}}'


class SlideError(RuntimeError):
    """A deck cannot be made: the site is not built, or a chapter lacks what a deck needs."""


@dataclass
class Slide:
    kind: str  # title, objectives, equations, figure, results, summary, exercise, end
    title: str
    body: str  # HTML
    source: str = ""  # id of the element of the page it was cut from
    notes: str = ""  # HTML for the speaker notes


# --------------------------------------------------------------------------------------------
# cutting a chapter page into slides


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True)).strip()


def _heading(node) -> str:
    """The text of a heading without its ``#`` link."""
    node = copy.copy(node)
    for a in node.select("a.headerlink"):
        a.decompose()
    return _text(node)


def _section_title(node) -> tuple[str, str]:
    """(heading, id) of the section ``node`` sits in."""
    section = node.find_parent("section")
    while section is not None:
        h = section.find(re.compile(r"^h[1-6]$"), recursive=False)
        if h is not None:
            return _heading(h), section.get("id", "")
        section = section.find_parent("section")
    return "", ""


def _in_exercise(node) -> bool:
    parent = node.find_parent(class_=["exercise", "solution", "dropdown"])
    return bool(parent or node.find_parent("details"))


def _lead_in(node) -> str:
    """The paragraph of the page just before ``node`` (or the cell it sits in), for the notes."""
    anchor = node.find_parent(class_="cell") or node
    prev = anchor.find_previous_sibling()
    return str(prev) if prev is not None and prev.name == "p" else ""


def _caption_after(cell) -> str:
    """The paragraph the book writes after a figure's cell, saying what to notice (empty cells, the
    ones that only glue values, are skipped)."""
    nxt = cell.find_next_sibling()
    while nxt is not None and "cell" in (nxt.get("class") or []) and not _text(nxt):
        nxt = nxt.find_next_sibling()
    return str(nxt) if nxt is not None and nxt.name == "p" else ""


def _is_raw_data(table) -> bool:
    """A table of data rows (a time column or a time index), not a measured result."""
    head = [_text(th).lower() for th in table.select("thead th")]
    return any(h in ("time", "date") for h in head)


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def extract(page_html: str, page: str) -> tuple[str, list[Slide]]:
    """(chapter title, slides) from a chapter's built HTML; ``page`` names it in errors."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    article = soup.find("article", class_="bd-article")
    if article is None:
        raise SlideError(f"{page}: no <article class='bd-article'> (not a Jupyter Book page?)")
    for a in article.select("a.headerlink"):
        a.decompose()
    for script in article.find_all("script", type="text/x-thebe-config"):
        script.decompose()
    h1 = article.find("h1")
    if h1 is None:
        raise SlideError(f"{page}: no <h1> title")
    title = _heading(h1)
    first = h1.find_next_sibling()
    question = str(first) if first is not None and first.name == "p" else ""
    slides = [
        Slide(
            "title",
            title,
            f'<p class="grubook-deck-book">The GRU Book</p>{question}',
            h1.parent.get("id", ""),
        )
    ]

    # learning objectives
    titles = article.select("div.admonition > p.admonition-title")
    objectives = next((t.parent for t in titles if _text(t).lower() == "learning objectives"), None)
    if objectives is None:
        raise SlideError(f"{page}: no 'Learning objectives' admonition (a deck opens with them)")
    body = copy.copy(objectives)
    body.find("p", class_="admonition-title").decompose()
    slides.append(
        Slide("objectives", "Learning objectives", body.decode_contents(), objectives.get("id", ""))
    )

    # equations, figures and result tables, in the order of the page
    def wanted(tag) -> bool:
        classes = tag.get("class") or []
        plotly_or_math = "math" in classes or "grubook-plotly" in classes
        return tag.name in ("figure", "table") or (tag.name == "div" and plotly_or_math)

    counts = {"equations": 0, "figure": 0, "results": 0}

    def add(kind: str, body, source: str, lead) -> None:  # in the section ``heading`` names
        body = f'<div class="grubook-slide-table">{body}</div>' if kind == "results" else body
        slides.append(Slide(kind, heading, str(body), source, _lead_in(lead)))
        counts[kind] += 1

    last_equation_section = None
    for node in article.find_all(wanted):
        if _in_exercise(node):
            continue
        heading, section_id = _section_title(node)
        if section_id in ("summary", "exercises"):
            continue
        classes = node.get("class") or []
        if node.name == "div" and "math" in classes:
            if last_equation_section == section_id and slides[-1].kind == "equations":
                slides[-1].body += str(node)
                continue
            add("equations", node, section_id, node)
            last_equation_section = section_id
        elif node.name == "div":  # a Plotly figure: its div and the script that draws it
            script = node.find_next_sibling("script")
            if script is None or node.get("id", "") not in (script.string or ""):
                raise SlideError(
                    f"{page}: the Plotly figure {node.get('id')} has no script that draws it "
                    "(a broken build? run `make book`)"
                )
            cell = node.find_parent(class_="cell")
            caption = _caption_after(cell) if cell is not None else ""
            glued = node.find_parent("figure")
            if glued is not None and glued.find("figcaption") is not None:
                caption = str(glued.find("figcaption"))
            beside = f'<div class="grubook-slide-caption">{caption}</div>' if caption else ""
            body = (
                f'<div class="grubook-slide-figure-row"><div class="grubook-slide-figure">'
                f"{node}{script}</div>{beside}</div>"
            )
            add("figure", body, node.get("id", ""), node)
        elif node.name == "figure":
            if node.select("div.grubook-plotly"):
                continue  # a glued Plotly figure: its div makes the slide, with this caption
            if node.find("img") is not None:
                add("figure", node, node.get("id", ""), node)
            elif node.find("table") is not None:  # a glued table of results, with its caption
                add("results", node, node.get("id", ""), node)
            else:
                raise SlideError(
                    f"{page}: figure {node.get('id')} has no image, table or Plotly figure "
                    "(a broken build? run `make book`)"
                )
        elif node.name == "table":
            if node.find_parent("figure") is not None:
                continue  # shown with its figure's caption
            measured = node.find_parent(class_="cell_output") is not None or node.select(
                ".pasted-text"
            )
            if not measured or _is_raw_data(node):
                continue
            add("results", node, section_id, node.find_parent(class_="cell") or node)
    if not counts["equations"]:
        raise SlideError(f"{page}: no display equation ($$ ... $$) for the key-equations slide")
    if not counts["figure"]:
        raise SlideError(
            f"{page}: no figure (no Plotly figure, no <figure>): is the page built with its "
            "outputs? (`make book`)"
        )

    # the summary, a few points a slide
    summary = article.find("section", id="summary")
    points = summary.select("ul > li") if summary is not None else []
    if not points:
        raise SlideError(f"{page}: no Summary section with a list of points")
    parts = _chunks(points, SUMMARY_POINTS_PER_SLIDE)
    for k, part in enumerate(parts, 1):
        label = "Summary" if len(parts) == 1 else f"Summary ({k}/{len(parts)})"
        items = "".join(str(li) for li in part)
        slides.append(Slide("summary", label, f"<ul>{items}</ul>", "summary"))

    # the exercises, as prompts
    exercises = article.select("div.exercise")
    if not exercises:
        raise SlideError(f"{page}: no exercises (sphinx-exercise {{exercise}} blocks)")
    for ex in exercises:
        head = ex.find("p", class_="admonition-title")
        content = ex.find("section", id="exercise-content") or ex
        body = copy.copy(content)
        for sol in body.select(".solution"):
            sol.decompose()
        slides.append(
            Slide("exercise", _text(head) if head else "Exercise", body.decode_contents(), ex["id"])
        )
    return title, slides


# --------------------------------------------------------------------------------------------
# one deck


def _rewrite_paths(body: str, page_file: Path, out_dir: Path, images: dict[Path, str]) -> str:
    """Links and images of a slide, from the page's folder to the deck's: links go to the site's
    pages, images are copied into ``_images/`` (``images``: source -> name there)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    page_url = os.path.relpath(page_file, out_dir).replace(os.sep, "/")
    for a in soup.find_all("a", href=True):
        href = a["href"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", href):
            continue  # http:, mailto: ...
        if href.startswith("#"):
            a["href"] = page_url + href
        else:
            target, _, fragment = href.partition("#")
            rel = os.path.relpath(page_file.parent / target, out_dir).replace(os.sep, "/")
            a["href"] = rel + ("#" + fragment if fragment else "")
    for img in soup.find_all("img", src=True):
        src = img["src"]
        if src.startswith("data:") or re.match(r"^[a-z]+://", src):
            continue
        path = (page_file.parent / src).resolve()
        if not path.is_file():
            raise SlideError(f"{page_file}: image {src} is missing ({path})")
        images[path] = path.name
        img["src"] = "_images/" + path.name
    return str(soup)


def render_deck(
    title: str,
    slides: list[Slide],
    page_file: Path,
    out_dir: Path,
    images: dict[Path, str],
    next_deck: tuple[str, str] | None,
) -> str:
    """The deck's HTML page."""
    page_url = os.path.relpath(page_file, out_dir).replace(os.sep, "/")
    end = (
        f"<p>The chapter, with its code, solutions and live figures: "
        f'<a href="{esc(page_url)}">{esc(title)}</a>.</p>'
        '<p>All decks: <a href="index.html">slides</a>.</p>'
    )
    if next_deck:
        end += f'<p>Next: <a href="{esc(next_deck[0])}">{esc(next_deck[1])}</a>.</p>'
    sections = []
    for k, s in enumerate([*slides, Slide("end", "Where to go next", end)]):
        body = _rewrite_paths(s.body, page_file, out_dir, images)
        notes = _rewrite_paths(s.notes, page_file, out_dir, images) if s.notes else ""
        tag = "h1" if s.kind == "title" else "h2"
        sections.append(
            f'<section class="grubook-slide grubook-slide-{s.kind}" data-kind="{s.kind}"'
            f' data-source="{esc(s.source)}" id="slide-{k + 1}">'
            f"<{tag}>{esc(s.title)}</{tag}>"
            f'<div class="grubook-slide-body">{body}</div>'
            + (f'<aside class="notes">{notes}</aside>' if notes else "")
            + "</section>"
        )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} (slides)</title>
<link rel="stylesheet" href="_static/reveal/reveal.css">
<link rel="stylesheet" href="_static/reveal/theme/white.css">
<link rel="stylesheet" href="_static/figures.css">
<link rel="stylesheet" href="_static/slides.css">
<script src="_static/{assets.PLOTLY_JS}"></script>
<script src="_static/slides.js"></script>
<script>window.MathJax = {MATHJAX_CONFIG};</script>
<script defer src="_static/mathjax/tex-mml-chtml.js"></script>
</head>
<body>
<div class="reveal"><div class="slides">
{chr(10).join(sections)}
</div></div>
<script src="_static/reveal/reveal.js"></script>
<script src="_static/reveal/plugin/notes.js"></script>
<script src="_static/{assets.FIGURE_SCRIPT}"></script>
</body>
</html>
"""


def render_index(book_title: str, decks: list[tuple[str, str, int]]) -> str:
    rows = "".join(f'<li><a href="{esc(f)}">{esc(t)}</a> ({n} slides)</li>' for f, t, n in decks)
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(book_title)}: slides</title>
<link rel="stylesheet" href="_static/slides.css"></head>
<body class="grubook-deck-index"><main><h1>{esc(book_title)}: slides</h1>
<p>One deck per chapter, made from the built chapter pages. Arrow keys or space move between
slides, Esc shows them all, S opens the speaker notes, F goes full screen.</p>
<ol>{rows}</ol></main></body></html>
"""


# --------------------------------------------------------------------------------------------
# the files a deck loads


def copy_assets(out_dir: Path) -> None:
    """reveal.js, MathJax and plotly.js from node_modules; the site's figure script and ours."""
    packages = [p for p in [*assets.NPM_ASSETS, *REVEAL_FILES] if p[0] != "thebe"]  # no live code
    assets.copy_packages(packages, out_dir / "_static", SlideError, out_dir)
    for name in SITE_FILES:
        assets.sync(STATIC / name, out_dir / "_static" / name, ())


def build_slides(site: Path, out_dir: Path, root: Path | None = None) -> dict:
    """A deck per chapter of the built site ``site`` in ``out_dir``; returns what was made."""
    import shutil

    site, toc, config = built_site(site, root, SlideError)
    out_dir = Path(out_dir).resolve()
    start = time.time()
    chapters = [p for p in toc_pages(toc) if is_chapter(p)]
    if not chapters:
        raise SlideError(f"{toc}: no numbered chapters (01-....md) to make slides from")
    cut = []
    for page in chapters:
        page_file = site / page
        if not page_file.is_file():
            raise SlideError(f"{page_file} is missing: run `make book` first")
        title, slides = extract(page_file.read_text(encoding="utf-8"), str(page_file))
        if len(slides) + 1 < MIN_SLIDES:
            raise SlideError(
                f"{page_file}: only {len(slides) + 1} slides; a deck needs at least {MIN_SLIDES}"
            )
        cut.append((page, page_file, title, slides))
    # nothing is written until every chapter has cut cleanly
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    copy_assets(out_dir)
    images: dict[Path, str] = {}
    decks = []
    for k, (page, page_file, title, slides) in enumerate(cut):
        name = Path(page).name
        nxt = (Path(cut[k + 1][0]).name, cut[k + 1][2]) if k + 1 < len(cut) else None
        html = render_deck(title, slides, page_file, out_dir, images, nxt)
        (out_dir / name).write_text(html, encoding="utf-8")
        decks.append((name, title, len(slides) + 1))
    (out_dir / "_images").mkdir(exist_ok=True)
    for src, image in images.items():
        shutil.copy2(src, out_dir / "_images" / image)
    (out_dir / "index.html").write_text(
        render_index(config.get("title", "The book"), decks), encoding="utf-8"
    )
    return {"decks": decks, "out": out_dir, "seconds": time.time() - start}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (_build/html)")
    parser.add_argument("out", type=Path, help="where the decks go (_build/slides)")
    parser.add_argument("--root", type=Path, help="the book's root (default: two levels up)")
    args = parser.parse_args(argv)
    try:
        done = build_slides(args.site, args.out, args.root)
    except SlideError as e:
        print(f"make slides: {e}", file=sys.stderr)
        return 1
    for name, title, n in done["decks"]:
        print(f"  {name}: {n} slides ({title})")
    print(f"wrote {len(done['decks'])} decks to {done['out']} in {done['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
