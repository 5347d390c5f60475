/* The GRU Book: a chapter's slides (grubook_site.slides, `make slides`).

   Loaded in the deck's <head>, after plotly.js and before the figures' own scripts:

   - every Plotly figure on a slide is drawn at a height that fits the screen beside the slide's
     title and caption (the figure keeps its data, its slider and its script: this only changes
     layout.height at the first draw, made when the slide is first shown). static/figures.js, loaded after, gives its slider a native
     keyboard control, as on the site;
   - reveal.js starts when the page is parsed: its own layout is off (no scaling of the slides,
     which would misplace Plotly's slider under the pointer); static/slides.css lays a slide out
     for the screen, a projector at 1280 x 720 as well as a phone;
   - the figures of a slide are fitted to its width when it is shown (a hidden slide has none).

   window.grubookSlides.ready is true once reveal.js has started (the browser test waits for it). */
(function () {
  "use strict";

  var RESERVE = 190; // px: the slide's title, the slider control, the margins (caption beside)
  var MIN_HEIGHT = 300;

  var MIN_SHARE = 0.75; // squeezed further, a figure's stacked panels run into each other

  /* The figure's height on a slide: what the screen leaves, but no less than 3/4 of the height
     its author gave it (the slide scrolls a little instead) and no more than that height. */
  function fitHeight(author) {
    author = author || 450;
    var room = Math.max(MIN_HEIGHT, window.innerHeight - RESERVE, MIN_SHARE * author);
    return Math.round(Math.min(author, room));
  }

  // A figure on a slide is drawn when its slide is first shown: a slide that is not shown has
  // no size, and Plotly would fix the figure at its default 700 px width.
  var plotly = window.Plotly;
  if (plotly && plotly.newPlot && !plotly._grubookSlides) {
    var newPlot = plotly.newPlot;
    plotly._grubookSlides = true;
    plotly.newPlot = function (gd, data, layout, config) {
      var self = this;
      var div = typeof gd === "string" ? document.getElementById(gd) : gd;
      if (!(div && div.closest && div.closest(".grubook-slide-figure"))) {
        return newPlot.apply(self, arguments);
      }
      div._grubookDraw = function () {
        div._grubookDraw = null;
        var h = fitHeight((layout || {}).height || parseFloat(div.style.height));
        div.style.height = h + "px";
        return newPlot.call(self, div, data, Object.assign({}, layout || {}, { height: h }), config);
      };
      return Promise.resolve(div);
    };
  }

  window.grubookSlides = { ready: false };

  function fitFigures(slide) {
    if (!slide || !window.Plotly) return;
    slide.querySelectorAll(".grubook-slide-figure .grubook-plotly").forEach(function (gd) {
      if (gd._grubookDraw) {
        gd._grubookDraw();
        return;
      }
      if (!gd.classList.contains("js-plotly-plot") || !gd._fullLayout) return;
      // Plotly keeps the width of its first draw in layout.width, so Plots.resize would not
      // narrow it: give it the width of its box
      var width = Math.floor(gd.parentNode.getBoundingClientRect().width);
      if (width > 0 && Math.abs(width - gd._fullLayout.width) > 1) {
        window.Plotly.relayout(gd, { width: width });
      }
    });
  }

  function start() {
    if (!window.Reveal) return;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.Reveal.initialize({
      hash: true,
      disableLayout: true,
      center: false,
      controls: true,
      progress: true,
      slideNumber: "c/t",
      transition: reduce ? "none" : "fade",
      transitionSpeed: "fast",
      scrollActivationWidth: null, // one layout at every width (slides.css)
      plugins: window.RevealNotes ? [window.RevealNotes] : [],
    }).then(function () {
      fitFigures(window.Reveal.getCurrentSlide());
      window.grubookSlides.ready = true;
    });
    window.Reveal.on("slidechanged", function (e) {
      fitFigures(e.currentSlide);
    });
    // a window resized, a phone turned: the shown slide's figures take the new width
    var timer = null;
    window.addEventListener("resize", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        fitFigures(window.Reveal.getCurrentSlide());
      }, 150);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
