/* The GRU Book on paper: under every Plotly figure with a slider, a line that only prints
   (static/print.css hides it on screen) saying which slider step the printed figure shows and
   how many the web page has, written from the figure's own layout.sliders.

   The step each slider had when the figure was first seen is its default; a reader who moved a
   slider before printing is told the printed step is not the default. `make pdf`
   (grubook_site.pdf) calls window.grubookPrintNotes() before printing; a browser's Print runs it
   on "beforeprint". */
(function () {
  "use strict";

  function plain(html) {
    var s = String(html === undefined || html === null ? "" : html);
    // an inert document: its scripts never run and its images never load (no onerror)
    var text = new DOMParser().parseFromString(s, "text/html").body.textContent;
    return (text || "").replace(/\s+/g, " ").trim();
  }

  function sliderName(s, k) {
    var prefix = plain(s.currentvalue && s.currentvalue.prefix).replace(/[\s=:]+$/, "");
    return prefix || plain(s.name) || (k ? "slider " + (k + 1) : "the slider");
  }

  function note(gd) {
    var sliders = (gd.layout && gd.layout.sliders) || [];
    if (!sliders.length) return "";
    if (!gd._grubookDefaultSteps) {
      gd._grubookDefaultSteps = sliders.map(function (s) { return s.active || 0; });
    }
    var moved = false;
    var parts = sliders.map(function (s, k) {
      var steps = s.steps || [];
      var a = s.active || 0;
      if (a !== gd._grubookDefaultSteps[k]) moved = true;
      var step = steps[a] || {};
      return sliderName(s, k) + " = " + plain(step.label) + " (step " + (a + 1) + " of " +
        steps.length + ")";
    });
    return (moved ? "Printed at a slider step a reader chose, not the default: " :
      "Printed at the slider's default step: ") + parts.join("; ") +
      ". On the web page the slider moves through every step.";
  }

  function notes() {
    var count = 0;
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      var text = note(gd);
      if (!text) return;
      var anchor = gd.closest(".grubook-figure") || gd;
      var next = anchor.nextElementSibling;
      var p = next && next.classList.contains("grubook-print-note") ? next : null;
      if (!p) {
        p = document.createElement("p");
        p.className = "grubook-print-note";
        anchor.parentNode.insertBefore(p, anchor.nextSibling);
      }
      p.textContent = text;
      count += 1;
    });
    return count;
  }

  window.grubookPrintNotes = notes;
  window.addEventListener("beforeprint", notes);
  // record each figure's default step early, before a reader can move a slider
  window.addEventListener("load", function () { setTimeout(notes, 0); });
})();
