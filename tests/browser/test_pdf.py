"""The printed book (`make pdf`, grubook_site.pdf). The one HTML page Chromium prints holds every
page of _toc.yml, each starting with its title, and every figure caption of the site. A small book
(the intro, chapter 1, the notation) is printed as `make pdf` prints the whole one: each page of it
starts a sheet with its title, every caption is in the PDF's text, every slider figure carries its
print note, no equation is left as raw TeX, the sheets are A4 and numbered, the contents and the
bookmarks follow _toc.yml. The page count and the size are printed. Without a chapter, the same
check fails (it bites), on the page and on the PDF.

Text comes from the PDF with pypdf (pure Python, pinned in requirements.txt), so no poppler is
needed. Equations are drawn by MathJax in its own fonts, which a text extractor cannot read back:
the caption checks compare the text between the formulas.
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from bookbuild import ROOT

from grubook_site import pdf

pytestmark = pytest.mark.browser

SITE = ROOT / "_build" / "html"
FOOTER_LINE = re.compile(r"^.*\b\d+ / \d+\s*$")
NOTE = "Printed at the slider's default step:"
LABELS = re.compile(r"^(?:\[[^\]\s]+\](?:\([\d,]+\))?)+")  # citation labels, whitespace removed
# the small book printed: a chapter with slider figures, equations and captions, between two pages
SMALL_TOC = "root: book/intro\nchapters: [{file: book/01-rnn-basics}, {file: book/notation}]\n"


def _squash(text: str) -> str:
    """Text compared without whitespace, with ligatures (ﬁ) and other compatibility forms undone."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_reader(data: bytes):
    try:
        import pypdf
    except ImportError:
        pytest.fail(
            "pypdf reads the printed book's text: `.venv/bin/pip install pypdf==7.1.0` "
            "(requirements.txt pins it; `make setup` installs it)",
            pytrace=False,
        )
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(reader) -> list[str]:
    out = []
    for page in reader.pages:
        lines = (page.extract_text() or "").splitlines()
        if lines and FOOTER_LINE.match(lines[-1]):
            lines = lines[:-1]  # the footer: title and "page / pages"
        out.append("\n".join(lines))
    return out


def expected(toc: Path = ROOT / "_toc.yml", site: Path = SITE) -> dict[str, dict]:
    """{page: {"title": h1 text, "captions": [[text between formulas, ...], ...]}} from the site."""
    from bs4 import BeautifulSoup

    out = {}
    for _, page in pdf.toc_entries(toc):
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article", class_="bd-article")
        for junk in article.select("a.headerlink"):
            junk.decompose()
        captions = []
        for cap in article.find_all("figcaption"):
            text = cap.find(class_="caption-text") or cap
            for math in text.select(".math"):
                math.replace_with("\x00")
            parts = [p.strip() for p in text.get_text(" ").split("\x00")]
            captions.append([p for p in parts if len(_squash(p)) >= 3])
        out[page] = {"title": article.find("h1").get_text(" ", strip=True), "captions": captions}
    return out


def missing_from_pdf(texts: list[str], want: dict[str, dict]) -> list[str]:
    """What of ``want`` the PDF's pages lack: a page's title at the top of a sheet (the contents
    sheet aside), a caption."""
    # a sheet's text begins with what is drawn first, which on the bibliography's first sheet is
    # the column of citation labels ("[CGCB14]", "[HS97](1,2)"), then the title
    tops = [LABELS.sub("", _squash(t)) for t in texts if not t.startswith("Contents")]
    whole = _squash("\n".join(texts))
    out = []
    for page, item in want.items():
        title = _squash(item["title"])
        if not any(top.startswith(title) for top in tops):
            out.append(f"{page}: no sheet starts with its title {item['title']!r}")
        for parts in item["captions"]:
            lost = [p for p in parts if _squash(p) not in whole]
            if lost:
                out.append(f"{page}: figure caption not in the PDF: {' … '.join(parts)[:120]!r}")
    return out


def assert_bites(texts: list[str], want: dict, chapter: str, first: str, next_: str) -> None:
    """Without the sheets (or pages) of ``chapter``, from the one that starts with ``first`` to the
    one that starts with ``next_``, the check names its title and captions, and nothing else."""
    start = next(i for i, t in enumerate(texts) if t.startswith(first))
    end = next(i for i, t in enumerate(texts) if t.startswith(next_))
    found = missing_from_pdf(texts[:start] + texts[end:], want)
    assert any(f.startswith(chapter) and "title" in f for f in found), found
    assert sum(f.startswith(chapter) and "caption" in f for f in found) >= 1, found
    assert all(f.startswith(chapter) for f in found), found


def test_the_printed_page_has_every_title_and_every_caption():
    """The page Chromium prints for `make pdf`: every page of the book, in order, each starting with
    its title, and every caption of the site; without chapter 3 the check names what is lost."""
    from bs4 import BeautifulSoup

    want = expected()
    page = BeautifulSoup(pdf.combined_html(SITE, ROOT / "_toc.yml", "The GRU Book"), "html.parser")
    texts = [s.get_text(" ", strip=True) for s in page.select("section.grubook-print-page")]
    assert sum(len(w["captions"]) for w in want.values()) >= 10  # the check is not vacuous
    assert missing_from_pdf(texts, want) == []
    assert_bites(texts, want, "book/03-gru-gates.html", "3. The GRU gates", "4. GRU vs LSTM")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    root = tmp_path_factory.mktemp("small-book")
    (root / "_toc.yml").write_text(SMALL_TOC)
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    done = pdf.build_pdf(SITE, root / "pdf", root)
    reader = pdf_reader(done["pdf"].read_bytes())
    return dict(done, reader=reader, texts=page_texts(reader), want=expected(root / "_toc.yml"))


def test_the_pdf_has_every_title_and_every_caption(printed, capsys):
    want = printed["want"]
    with capsys.disabled():
        print(
            f"\nprinted book (intro, chapter 1, notation): {len(printed['texts'])} pages, "
            f"{printed['bytes'] / 1e6:.1f} MB, {printed['notes']} slider figures, "
            f"{sum(len(w['captions']) for w in want.values())} captions, "
            f"in {printed['seconds']:.0f} s"
        )
    assert printed["pages"] == len(printed["texts"])
    assert missing_from_pdf(printed["texts"], want) == []
    assert_bites(printed["texts"], want, "book/01-rnn-basics.html", "1. RNN basics", "Notation")


def test_the_contents_and_the_bookmarks_list_every_page_in_toc_order(printed):
    titles = [_squash(w["title"]) for w in printed["want"].values()]
    contents = _squash(next(t for t in printed["texts"][:3] if t.startswith("Contents")))
    at = [contents.find(t) for t in titles]
    assert -1 not in at, f"titles missing from the contents: {contents}"
    assert at == sorted(at), "the contents are not in _toc.yml's order"
    marks = [_squash(m.title) for m in printed["reader"].outline if not isinstance(m, list)]
    at = [next((i for i, m in enumerate(marks) if m.startswith(t)), -1) for t in titles]
    assert -1 not in at and at == sorted(at), (titles, marks)


def test_slider_figures_say_which_step_is_printed_and_math_is_typeset(printed):
    whole = "\n".join(printed["texts"])
    assert printed["notes"] > 0
    assert _squash(whole).count(_squash(NOTE)) == printed["notes"]
    assert not re.search(r"\\\(|\\\[|\$\$|\\frac|\\mathbf|\\tilde", whole), "raw TeX in the PDF"


def test_the_pages_are_a4_and_numbered(printed):
    reader = printed["reader"]
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    n = len(reader.pages)
    footers = [(p.extract_text() or "").splitlines()[-1].strip() for p in reader.pages]
    assert all(f.endswith(f"{i} / {n}") for i, f in enumerate(footers, 1)), footers
