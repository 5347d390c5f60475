"""The printed book (`make pdf`, grubook_site.pdf): one PDF of the built site in which every page of
_toc.yml starts a sheet with its title, every figure caption of the site is in the text, every
slider figure carries its print note, and no equation is left as raw TeX. The page count and the
size are printed. A PDF with a chapter missing fails the same check (the check bites).

Text comes from the PDF with pypdf (pure Python, pinned in requirements.txt), so no poppler is
needed. Equations are drawn by MathJax in its own fonts, which a text extractor cannot read back:
the caption checks compare the text between the formulas.
"""

from __future__ import annotations

import io
import re
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


def _squash(text: str) -> str:
    """Text compared without whitespace, with ligatures (ﬁ) and other compatibility forms undone."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_texts(data: bytes) -> list[str]:
    try:
        import pypdf
    except ImportError:
        pytest.fail(
            "pypdf reads the printed book's text: `.venv/bin/pip install pypdf==7.1.0` "
            "(requirements.txt pins it; `make setup` installs it)",
            pytrace=False,
        )
    reader = pypdf.PdfReader(io.BytesIO(data))
    out = []
    for page in reader.pages:
        lines = (page.extract_text() or "").splitlines()
        if lines and FOOTER_LINE.match(lines[-1]):
            lines = lines[:-1]  # the footer: title and "page / pages"
        out.append("\n".join(lines))
    return out


def expected(site: Path = SITE) -> dict[str, dict]:
    """{page: {"title": h1 text, "captions": [[text between formulas, ...], ...]}} from the site."""
    from bs4 import BeautifulSoup

    out = {}
    for _, page in pdf.toc_entries(ROOT / "_toc.yml"):
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


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    if not (SITE / "index.html").is_file():
        pytest.fail(
            "the book is not built: run `make book` first (`make test` does)", pytrace=False
        )
    missing = pdf.chromium_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    done = pdf.build_pdf(SITE, tmp_path_factory.mktemp("pdf"), ROOT)
    data = done["pdf"].read_bytes()
    return dict(done, data=data, texts=page_texts(data))


def test_the_pdf_has_every_title_and_every_caption(printed, capsys):
    want = expected()
    with capsys.disabled():
        print(
            f"\nprinted book: {len(printed['texts'])} pages, {printed['bytes'] / 1e6:.1f} MB, "
            f"{printed['notes']} slider figures, {sum(len(w['captions']) for w in want.values())} "
            f"captions, in {printed['seconds']:.0f} s"
        )
    assert printed["pages"] == len(printed["texts"])
    assert sum(len(w["captions"]) for w in want.values()) >= 10  # the check is not vacuous
    assert missing_from_pdf(printed["texts"], want) == []


def test_the_contents_list_every_page_in_toc_order(printed):
    contents = next(t for t in printed["texts"][:3] if t.startswith("Contents"))
    titles = [_squash(w["title"]) for w in expected().values()]
    squashed = _squash(contents)
    at = [squashed.find(t) for t in titles]
    assert -1 not in at, f"titles missing from the contents: {contents}"
    assert at == sorted(at), "the contents are not in _toc.yml's order"


def test_slider_figures_say_which_step_is_printed_and_math_is_typeset(printed):
    whole = "\n".join(printed["texts"])
    assert printed["notes"] > 0
    assert _squash(whole).count(_squash(NOTE)) == printed["notes"]
    assert not re.search(r"\\\(|\\\[|\$\$|\\frac|\\mathbf|\\tilde", whole), "raw TeX in the PDF"


def test_the_pages_are_a4(printed):
    import pypdf

    box = pypdf.PdfReader(io.BytesIO(printed["data"])).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_the_check_fails_on_a_pdf_without_a_chapter(printed):
    """Drop the sheets of chapter 3 (from its first sheet to chapter 4's): the check must name its
    title and its captions."""
    import pypdf

    want = expected()
    start = next(i for i, t in enumerate(printed["texts"]) if t.startswith("3. The GRU gates"))
    end = next(i for i, t in enumerate(printed["texts"]) if t.startswith("4. GRU vs LSTM"))
    reader = pypdf.PdfReader(io.BytesIO(printed["data"]))
    writer = pypdf.PdfWriter()
    for i, page in enumerate(reader.pages):
        if not start <= i < end:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    found = missing_from_pdf(page_texts(buffer.getvalue()), want)
    chapter = "book/03-gru-gates.html"
    assert any(f.startswith(chapter) and "title" in f for f in found), found
    assert sum(f.startswith(chapter) and "caption" in f for f in found) >= 1, found
    assert all(f.startswith(chapter) for f in found), found
