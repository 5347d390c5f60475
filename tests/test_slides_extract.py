"""grubook_site.slides cuts a chapter page into slides: on a small page shaped like the built site,
what each slide holds, that no solution is copied, and that a page missing what a deck needs (its
objectives, its figures, a figure's script, an image file, its exercises) stops the build with a
sentence naming the file. The decks themselves are checked in Chromium
(tests/browser/test_slides.py).
"""

from __future__ import annotations

import pytest

from grubook_site import slides

PLOT_ID = "grubook-plotly-abc123"
PAGE = f"""<html><head><title>x</title></head><body><article class="bd-article">
<section class="tex2jax_ignore mathjax_ignore" id="toy">
<h1>7. A toy chapter<a class="headerlink" href="#toy">#</a></h1>
<p>Why a toy needs a state.</p>
<div class="tip admonition"><p class="admonition-title">Learning objectives</p>
<ul><li><p>write <span class="math">\\(h_t\\)</span></p></li></ul></div>
<section id="the-equation"><h2>The equation<a class="headerlink" href="#the-equation">#</a></h2>
<p>The update is</p>
<div class="math notranslate nohighlight">\\[h_t = \\tanh(W x_t)\\]</div>
<div class="math notranslate nohighlight">\\[y_t = V h_t\\]</div>
</section>
<section id="the-figures"><h2>The figures</h2>
<div class="cell tag_hide-input docutils container">
<details class="admonition hide above-input"><summary>Show code</summary>
<div class="cell_input"><pre>views.figure()</pre></div></details>
<div class="cell_output docutils container"><div class="output text_html">
<div id="{PLOT_ID}" class="grubook-plotly" style="height:500px; width:100%;"></div>
<script>(function () {{ window.Plotly.newPlot("{PLOT_ID}", [], {{}}, {{}}); }})();</script>
</div></div></div>
<div class="cell tag_remove-input docutils container"></div>
<p><em>What to notice:</em> the state moves by <span class="pasted-text">0.42</span>.</p>
<figure class="align-default" id="fig-toy"><img alt="a toy" src="../_images/toy.png"/>
<figcaption><p>Fig. 1 A toy.</p></figcaption></figure>
<div class="cell"><div class="cell_output docutils container"><table class="dataframe">
<thead><tr><th>model</th><th>error</th></tr></thead><tbody><tr><td>GRU</td><td>0.10</td></tr>
</tbody></table></div></div>
<div class="cell"><div class="cell_output docutils container"><table class="dataframe">
<thead><tr><th>time</th><th>load</th></tr></thead><tbody><tr><td>00:00</td><td>4000</td></tr>
</tbody></table></div></div>
</section>
<section id="summary"><h2>Summary</h2><ul>
<li><p>The state moves by <span class="pasted-text">0.42</span>.</p></li>
<li><p>Two: <a href="#the-figures">the figures</a>,
<a href="02-other.html#x">chapter 2</a>.</p></li>
<li><p>Three.</p></li><li><p>Four.</p></li></ul></section>
<section id="exercises"><h2>Exercises</h2>
<div class="exercise admonition" id="ch7-ex1"><p class="admonition-title">
<span class="caption-number">Exercise 1 </span> (Predict)</p>
<section id="exercise-content"><p>Predict the state.</p></section></div>
<div class="solution dropdown admonition" id="sol-1"><p class="admonition-title">Solution</p>
<section id="solution-content"><p>SECRET ANSWER</p></section></div>
<div class="exercise admonition" id="ch7-ex2"><p class="admonition-title">Exercise 2</p>
<section id="exercise-content"><p>Change the seed.</p></section></div>
</section></section></article></body></html>"""


def test_a_page_cut_into_slides():
    title, cut = slides.extract(PAGE, "toy.html")
    assert title == "7. A toy chapter"
    kinds = [s.kind for s in cut]
    assert kinds == [
        "title",
        "objectives",
        "equations",
        "figure",
        "figure",
        "results",
        "summary",
        "summary",
        "exercise",
        "exercise",
    ]
    assert "Why a toy needs a state." in cut[0].body
    assert "Learning objectives" not in cut[1].body and "h_t" in cut[1].body
    assert cut[2].title == "The equation" and cut[2].body.count('class="math') == 2
    plot = cut[3]
    assert PLOT_ID in plot.body and "newPlot" in plot.body, "the figure's div and its script"
    assert "What to notice" in plot.body and '<span class="pasted-text">0.42</span>' in plot.body
    assert plot.source == PLOT_ID and "The update is" not in plot.notes
    assert "Fig. 1 A toy." in cut[4].body
    assert "GRU" in cut[5].body and "4000" not in "".join(s.body for s in cut), "raw data left"
    assert cut[6].title == "Summary (1/2)" and cut[6].body.count("<li>") == 3
    assert cut[8].title.startswith("Exercise 1") and "Predict the state." in cut[8].body
    everything = "".join(s.body + s.notes for s in cut)
    assert "SECRET ANSWER" not in everything, "a solution was copied into the slides"
    assert "headerlink" not in everything and "views.figure()" not in everything


def test_links_and_images_point_from_the_deck(tmp_path):
    site = tmp_path / "html" / "book"
    (tmp_path / "html" / "_images").mkdir(parents=True)
    site.mkdir()
    (tmp_path / "html" / "_images" / "toy.png").write_bytes(b"png")
    page = site / "07-toy.html"
    images: dict = {}
    _, cut = slides.extract(PAGE, str(page))
    out = tmp_path / "slides"
    html = slides.render_deck("Toy", cut, page, out, images, ("08-next.html", "8. Next"))
    assert 'href="../html/book/07-toy.html#the-figures"' in html
    assert 'href="../html/book/02-other.html#x"' in html
    assert 'src="_images/toy.png"' in html and list(images.values()) == ["toy.png"]
    assert html.count('<section class="grubook-slide ') == len(cut) + 1
    (tmp_path / "html" / "_images" / "toy.png").unlink()
    with pytest.raises(slides.SlideError, match=r"07-toy\.html: image \.\./_images/toy\.png"):
        slides.render_deck("Toy", cut, page, out, {}, None)


@pytest.mark.parametrize(
    "cut_out, message",
    [
        (None, "Learning objectives"),  # the objectives' box renamed
        ("div.grubook-plotly, figure", "no figure"),
        ("div.grubook-plotly + script", "has no script"),
        ("div.exercise", "no exercises"),
        ("div.math", "no display equation"),
    ],
)
def test_a_page_without_what_a_deck_needs_stops_the_build(cut_out, message):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(PAGE, "html.parser")
    for node in soup.select(cut_out) if cut_out else []:
        node.decompose()
    if cut_out is None:
        soup.find(string="Learning objectives").parent.string = "Notes"
    with pytest.raises(slides.SlideError, match=message) as err:
        slides.extract(str(soup), "book/07-toy.html")
    assert str(err.value).startswith("book/07-toy.html:")


def test_a_short_chapter_fails_the_build(tmp_path, capsys):
    """build_slides over a site whose one chapter gives fewer than ten slides: exit 1, and the
    message names the file."""
    from bs4 import BeautifulSoup

    root = tmp_path
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/07-toy\n"
    )
    site = root / "_build" / "html"
    (site / "book").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    soup = BeautifulSoup(PAGE, "html.parser")
    for node in soup.select("figure, table, div.exercise + div.solution + div.exercise"):
        node.decompose()
    (site / "book" / "07-toy.html").write_text(str(soup))
    code = slides.main([str(site), str(root / "_build" / "slides"), "--root", str(root)])
    err = capsys.readouterr().err
    assert code == 1 and "07-toy.html: only" in err and "at least 10" in err, err
    assert not (root / "_build" / "slides").exists(), "nothing is written when a chapter fails"
