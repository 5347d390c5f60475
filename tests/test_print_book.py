"""grubook_site.pdf without a browser: the pages it prints, in _toc.yml's order (the chapters are
its numbered pages), and the errors it gives when the book is not built, was built without the
print stylesheet, or Chromium is missing. (The PDF itself is checked in tests/browser/test_pdf.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grubook_site import book, pdf

ROOT = Path(__file__).resolve().parents[1]


def test_the_pages_are_those_of_the_toc_in_order_with_their_parts():
    entries = book.toc_entries(ROOT / "_toc.yml")
    assert entries[0] == (None, "book/intro.html")
    chapters = [f"book/{c.stem}.html" for c in book.chapters()]
    in_part = [p for c, p in entries if c == "Chapters"]
    assert [p for p in in_part if book.is_chapter(p)] == chapters and len(chapters) == 6
    # the one unnumbered page among the chapters: the playground, after chapter 5
    assert [p for p in in_part if not book.is_chapter(p)] == ["book/playground.html"]
    assert in_part.index("book/playground.html") == in_part.index(chapters[4]) + 1
    assert [p for p in book.toc_pages() if book.is_chapter(p)] == chapters  # the numbered pages
    assert {c for c, _ in entries} == {None, "Chapters", "For teachers", "Reference"}


def _fake_book(tmp_path: Path, head: str) -> Path:
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/01-one\n"
    )
    (tmp_path / "_config.yml").write_text("title: A book\n")
    site = tmp_path / "_build" / "html"
    (site / "book").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    for name, title in (("intro", "Welcome"), ("01-one", "One")):
        (site / "book" / f"{name}.html").write_text(
            f"<html><head><title>{title}</title>{head}</head><body>"
            f'<article class="bd-article"><section><h1>{title}</h1>'
            '<p>See <a href="01-one.html#x">one</a>.</p></section></article></body></html>'
        )
    return tmp_path


def test_a_missing_build_is_named(tmp_path):
    with pytest.raises(pdf.PdfError, match="not built.*make book"):
        pdf.build_pdf(tmp_path / "_build" / "html", tmp_path / "out", tmp_path)
    book = _fake_book(tmp_path, "")
    (book / "_build" / "html" / "book" / "01-one.html").unlink()
    with pytest.raises(pdf.PdfError, match="missing book/01-one.html"):
        pdf.combined_html(book / "_build" / "html", book / "_toc.yml", "A book")


def test_a_site_built_without_the_print_stylesheet_is_refused(tmp_path):
    book = _fake_book(tmp_path, '<link rel="stylesheet" href="../_static/figures.css">')
    with pytest.raises(pdf.PdfError, match="without the print stylesheet.*make book"):
        pdf.combined_html(book / "_build" / "html", book / "_toc.yml", "A book")


def test_the_combined_page_has_a_contents_and_every_page_with_local_links(tmp_path):
    head = '<link rel="stylesheet" href="../_static/print.css"><script src="../_static/print.js">'
    book = _fake_book(tmp_path, head + "</script>")
    page = pdf.combined_html(book / "_build" / "html", book / "_toc.yml", "A book")
    assert page.count('class="grubook-print-page"') == 2
    contents = page[page.index("grubook-print-contents") :]
    assert contents.index("Welcome") < contents.index("One")
    assert 'href="#x"' in page and "01-one.html" not in page


def test_missing_chromium_is_a_clear_error(tmp_path, monkeypatch):
    book = _fake_book(tmp_path, "")
    monkeypatch.setattr(pdf.browser, "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(pdf.PdfError, match="Chromium is needed.*apt-get install"):
        pdf.build_pdf(book / "_build" / "html", tmp_path / "out", book)
    assert not (tmp_path / "out").exists()
