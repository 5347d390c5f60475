/* The GRU Book: Plotly figures a screen reader can follow and a keyboard can drive.

   Every figure the book draws (grubook.plotting.figure_html) is a <div class="grubook-plotly">
   that plotly.js turns into a ".js-plotly-plot". Once it is drawn, this script:

   - wraps it in <div role="figure"> named after the figure (layout.meta.alt, else its title,
     else the caption of the <figure> around it) and described by a text written from the data
     on screen: per trace, what is plotted against what, how many points, the ranges and the
     values at the ends (heat maps: size and value range). Plotly's own SVG (tick labels, the
     slider's drawing) is hidden from assistive technology; the text stands in for it;
   - gives every Plotly slider (layout.sliders, grubook.sliders.static) a labelled native
     <input type="range">: arrow keys, Home/End and Page Up/Down move it, it applies the step's
     own method and args and moves the Plotly slider's knob; dragging the Plotly slider moves the
     native one. When the step changes, a polite live region reads the figure's new title and
     values;
   - readers who ask for reduced motion get slider transitions of duration 0.

   It writes nothing a figure needs to draw: with this script missing the figures still work. */
(function () {
  "use strict";

  var PREFIX = "grubook-fig-";
  var MAX_LISTED = 12; // list every value of a trace with at most this many points
  var counter = 0;
  var reduceMotion = window.matchMedia
    ? window.matchMedia("(prefers-reduced-motion: reduce)")
    : { matches: false };

  // ------------------------------------------------------------------------------------------
  // text from Plotly's strings and numbers

  /* Plotly titles and names are a little HTML: <sub>t</sub>, <b>, <br>, entities. */
  function plain(html) {
    if (html === undefined || html === null) return "";
    var s = String(html)
      .replace(/<br\s*\/?>/gi, ". ")
      .replace(/<sub>/gi, " ")
      .replace(/<sup>/gi, "^");
    var box = document.createElement("div");
    box.innerHTML = s;
    return (box.textContent || "").replace(/\s+/g, " ").replace(/\s+([.,;:])/g, "$1").trim();
  }

  function titleText(t) {
    if (!t) return "";
    return plain(typeof t === "string" ? t : t.text);
  }

  function num(v) {
    if (typeof v !== "number") return String(v);
    if (!isFinite(v)) return String(v);
    if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(2);
    return String(Number(v.toPrecision(3)));
  }

  function label(v) {
    return typeof v === "number" ? num(v) : plain(v);
  }

  function list(a) {
    if (!a) return [];
    if (Array.isArray(a)) return a;
    if (ArrayBuffer.isView(a)) return Array.prototype.slice.call(a);
    return [];
  }

  function isNum(v) {
    return typeof v === "number" && isFinite(v);
  }

  // ------------------------------------------------------------------------------------------
  // describing what is on screen

  function axisTitle(gd, id, letter) {
    var name = (id || letter).replace(/^([xy])/, "$1axis");
    var full = gd._fullLayout || {};
    var ax = full[name] || (gd.layout || {})[name] || {};
    var text = titleText(ax.title);
    // an untitled axis has Plotly's placeholder ("Click to enter X axis title"), drawn only
    // when the figure is editable
    var placeholder = full._dfltTitle && plain(full._dfltTitle[letter]);
    return text && text !== placeholder ? text : letter;
  }

  function traceName(t, i) {
    return plain(t.name) || "trace " + (i + 1);
  }

  function extremes(xs, ys) {
    var lo = null;
    var hi = null;
    for (var i = 0; i < ys.length; i++) {
      if (!isNum(ys[i])) continue;
      if (lo === null || ys[i] < ys[lo]) lo = i;
      if (hi === null || ys[i] > ys[hi]) hi = i;
    }
    return lo === null ? null : { lo: lo, hi: hi, x: xs };
  }

  function describeHeatmap(gd, t, i) {
    var z = list(t.z).map(list);
    var rows = z.length;
    var cols = rows ? z[0].length : 0;
    var xs = list(t.x);
    var ys = list(t.y);
    var best = null;
    var worst = null;
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < z[r].length; c++) {
        var v = z[r][c];
        if (!isNum(v)) continue;
        if (best === null || v > best.v) best = { v: v, r: r, c: c };
        if (worst === null || v < worst.v) worst = { v: v, r: r, c: c };
      }
    }
    var xt = axisTitle(gd, t.xaxis, "x");
    var yt = axisTitle(gd, t.yaxis, "y");
    var colour = titleText(t.colorbar && t.colorbar.title);
    var at = function (p) {
      var xv = xs.length > p.c ? label(xs[p.c]) : String(p.c);
      var yv = ys.length > p.r ? label(ys[p.r]) : String(p.r);
      return xt + " " + xv + ", " + yt + " " + yv;
    };
    var s = plain(t.name) ? plain(t.name) + ": heat map" : "Heat map";
    s += " of " + (colour || "values") + ", " + rows + " rows (" + yt + ") by " + cols;
    s += " columns (" + xt + ")";
    if (best === null) return s + ", no values.";
    return (
      s + "; values from " + num(worst.v) + " (at " + at(worst) + ") to " + num(best.v) +
      " (at " + at(best) + ")."
    );
  }

  function describeXY(gd, t, i) {
    var horizontal = t.type === "bar" && t.orientation === "h";
    var xs = list(t.x);
    var ys = list(t.y);
    var xt = axisTitle(gd, t.xaxis, "x");
    var yt = axisTitle(gd, t.yaxis, "y");
    if (horizontal) {
      var tmp = xs; xs = ys; ys = tmp;
      tmp = xt; xt = yt; yt = tmp;
    }
    var n = ys.length;
    if (!xs.length) {
      for (var k = 0; k < n; k++) xs.push(k);
    }
    var kind = t.type === "bar" ? "bars" : /lines/.test(t.mode || "lines") ? "line" : "points";
    var head = traceName(t, i) + " (" + kind + "), " + yt + " against " + xt;
    var shown = [];
    for (var j = 0; j < n; j++) if (isNum(ys[j])) shown.push(j);
    if (!shown.length) return head + ": no values shown.";
    if (shown.length <= MAX_LISTED) {
      return head + ": " + shown.map(function (j) {
        return label(xs[j]) + ": " + num(ys[j]);
      }).join("; ") + ".";
    }
    var e = extremes(xs, ys);
    var first = shown[0];
    var last = shown[shown.length - 1];
    return (
      head + ", " + shown.length + " points, " + xt + " from " + label(xs[first]) + " to " +
      label(xs[last]) + "; " + yt + " from " + num(ys[e.lo]) + " (at " + label(xs[e.lo]) +
      ") to " + num(ys[e.hi]) + " (at " + label(xs[e.hi]) + "), " + num(ys[first]) +
      " at the start and " + num(ys[last]) + " at the end."
    );
  }

  function traceSentences(gd) {
    var full = gd._fullData || [];
    var out = [];
    var hidden = [];
    full.forEach(function (t, i) {
      if (t.visible === false) return;
      if (t.visible === "legendonly") {
        hidden.push(traceName(t, i));
        return;
      }
      if (t.type === "heatmap" || t.type === "contour" || t.type === "histogram2d") {
        out.push(describeHeatmap(gd, t, i));
      } else if (t.y !== undefined || t.x !== undefined) {
        out.push(describeXY(gd, t, i));
      }
    });
    if (hidden.length) out.push("Hidden in the legend: " + hidden.join(", ") + ".");
    return out;
  }

  function sliderSentence(gd) {
    return ((gd.layout && gd.layout.sliders) || []).map(function (s, k) {
      var steps = s.steps || [];
      var a = s.active || 0;
      var step = steps[a] || {};
      return (
        sliderLabel(s, k) + " is " + plain(step.label) + " (step " + (a + 1) + " of " +
        steps.length + ")."
      );
    }).join(" ");
  }

  function sliderLabel(s, k) {
    var prefix = plain(s.currentvalue && s.currentvalue.prefix).replace(/[\s=:]+$/, "");
    return prefix || plain(s.name) || (k ? "Step " + (k + 1) : "Step");
  }

  function figureName(gd) {
    var meta = (gd.layout && gd.layout.meta) || {};
    if (meta && typeof meta.alt === "string" && meta.alt) return plain(meta.alt);
    var t = titleText(gd.layout && gd.layout.title);
    if (t) return t;
    var fig = gd.closest("figure");
    var cap = fig && fig.querySelector("figcaption");
    if (cap && cap.textContent.trim()) return cap.textContent.replace(/\s+/g, " ").trim();
    return "Figure";
  }

  // ------------------------------------------------------------------------------------------
  // the parts this script adds

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text) e.textContent = text;
    return e;
  }

  function hideDrawing(gd) {
    // Plotly's SVG: tick labels, legend, the slider's drawing. The description replaces it.
    gd.querySelectorAll("svg.main-svg").forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
    });
  }

  /* Mode-bar buttons: the name is the tooltip text Plotly shows (data-title); the icon is
     decoration. */
  function fixModebar(gd) {
    gd.querySelectorAll(".modebar-btn").forEach(function (b) {
      var title = b.getAttribute("data-title");
      if (title) b.setAttribute("aria-label", title);
      b.querySelectorAll("svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      });
    });
  }

  function applyStep(gd, k, index) {
    var slider = gd.layout.sliders[k];
    var step = slider.steps[index];
    var active = {};
    active["sliders[" + k + "].active"] = index;
    if (!step) return Promise.resolve();
    var args = step.args || [];
    var method = step.method || "restyle";
    var merge = function (a) {
      var out = {};
      Object.keys(a || {}).forEach(function (key) { out[key] = a[key]; });
      Object.keys(active).forEach(function (key) { out[key] = active[key]; });
      return out;
    };
    if (step.execute === false || method === "skip") return Plotly.relayout(gd, active);
    if (method === "restyle") return Plotly.update(gd, args[0] || {}, active, args[1]);
    if (method === "relayout") return Plotly.relayout(gd, merge(args[0]));
    if (method === "update") return Plotly.update(gd, args[0] || {}, merge(args[1]), args[2]);
    if (method === "animate") {
      var opts = args[1] || {};
      if (reduceMotion.matches) {
        opts = Object.assign({}, args[1] || {}, {
          transition: { duration: 0 },
          frame: { duration: 0, redraw: true },
        });
      }
      return Plotly.animate(gd, args[0], opts).then(function () {
        return Plotly.relayout(gd, active);
      });
    }
    return Plotly.relayout(gd, active);
  }

  function motionSettings(gd) {
    var sliders = (gd.layout && gd.layout.sliders) || [];
    if (!sliders.length) return;
    var change = {};
    sliders.forEach(function (s, k) {
      var stored = gd._grubookTransitions || (gd._grubookTransitions = {});
      if (!(k in stored)) stored[k] = s.transition ? s.transition.duration : undefined;
      var want = reduceMotion.matches ? 0 : stored[k];
      var now = s.transition ? s.transition.duration : undefined;
      if (want !== now) change["sliders[" + k + "].transition.duration"] = want === undefined
        ? null : want;
    });
    if (Object.keys(change).length) Plotly.relayout(gd, change);
  }

  function enhance(gd) {
    if (gd.getAttribute("data-grubook-a11y")) return;
    gd.setAttribute("data-grubook-a11y", "1");
    var id = PREFIX + ++counter;

    var wrap = el("div", { class: "grubook-figure", role: "figure", id: id });
    gd.parentNode.insertBefore(wrap, gd);
    wrap.appendChild(gd);
    var desc = el("div", { class: "grubook-sr-only", id: id + "-desc" });
    var live = el("div", {
      class: "grubook-sr-only",
      id: id + "-live",
      "aria-live": "polite",
      "aria-atomic": "true",
    });
    wrap.setAttribute("aria-describedby", desc.id);

    var controls = [];
    var sliders = (gd.layout && gd.layout.sliders) || [];
    if (sliders.length) {
      var row = el("div", { class: "grubook-figure-controls" });
      sliders.forEach(function (s, k) {
        var steps = s.steps || [];
        var box = el("div", { class: "grubook-figure-control" });
        var input = el("input", {
          type: "range",
          id: id + "-slider-" + k,
          min: "0",
          max: String(Math.max(steps.length - 1, 0)),
          step: "1",
        });
        var name = el("label", { for: input.id }, sliderLabel(s, k));
        var shown = el("output", { for: input.id, "aria-hidden": "true" });
        input.addEventListener("input", function () {
          gd._grubookAnnounce = true;
          applyStep(gd, k, Number(input.value)).then(sync);
        });
        box.appendChild(name);
        box.appendChild(input);
        box.appendChild(shown);
        row.appendChild(box);
        controls.push({ input: input, output: shown, k: k });
      });
      wrap.appendChild(row);
    }
    wrap.appendChild(desc);
    wrap.appendChild(live);

    function sync() {
      var sl = (gd.layout && gd.layout.sliders) || [];
      controls.forEach(function (c) {
        var s = sl[c.k] || {};
        var steps = s.steps || [];
        var a = s.active || 0;
        var text = plain((steps[a] || {}).label);
        c.input.value = String(a);
        c.input.setAttribute("aria-valuetext", text + ", step " + (a + 1) + " of " +
          steps.length);
        c.output.textContent = text;
      });
    }

    var lastText = "";
    var lastTraces = [];
    function refresh() {
      gd._grubookTimer = null;
      hideDrawing(gd);
      fixModebar(gd);
      sync();
      var name = figureName(gd);
      wrap.setAttribute("aria-label", name);
      var traces = traceSentences(gd);
      var slider = sliderSentence(gd);
      // the name is read already: the description is what is plotted, and how to change it
      var ul = el("ul");
      traces.forEach(function (s) { ul.appendChild(el("li", {}, s)); });
      desc.textContent = "";
      if (slider) {
        var how = controls.length > 1 ? " The range controls after the figure change it."
          : " The range control after the figure changes it.";
        desc.appendChild(el("p", {}, slider + how));
      }
      desc.appendChild(ul);
      // announce the new step: the slider's value, the title, and the traces that changed
      var text = [slider, name + "."].concat(traces).join(" ");
      if (gd._grubookAnnounce && text !== lastText) {
        var changed = traces.filter(function (t) { return lastTraces.indexOf(t) < 0; });
        live.textContent = [slider, name + "."].concat(changed).join(" ");
      }
      gd._grubookAnnounce = false;
      lastText = text;
      lastTraces = traces;
    }
    function later() {
      if (gd._grubookTimer) clearTimeout(gd._grubookTimer);
      gd._grubookTimer = setTimeout(refresh, 30);
    }

    gd.on("plotly_sliderchange", function () {
      gd._grubookAnnounce = true;
      sync();
      later();
    });
    ["plotly_afterplot", "plotly_restyle", "plotly_relayout", "plotly_update", "plotly_redraw"]
      .forEach(function (event) { gd.on(event, later); });
    if (reduceMotion.addEventListener) {
      reduceMotion.addEventListener("change", function () { motionSettings(gd); });
    }
    motionSettings(gd);
    refresh();
  }

  // ------------------------------------------------------------------------------------------
  // finding the figures: those drawn already, and those drawn later (a CDN load, a live cell)

  function watch(div) {
    if (div.classList.contains("js-plotly-plot") && div._fullLayout && div.on) {
      enhance(div);
      return;
    }
    if (div._grubookWatched) return;
    div._grubookWatched = true;
    var obs = new MutationObserver(function () {
      if (div.classList.contains("js-plotly-plot") && div.on) {
        obs.disconnect();
        // wait for the first draw to finish
        setTimeout(function () { enhance(div); }, 0);
      }
    });
    obs.observe(div, { attributes: true, attributeFilter: ["class"] });
  }

  function scan(root) {
    (root.querySelectorAll ? root.querySelectorAll(".grubook-plotly") : []).forEach(watch);
  }

  function start() {
    if (!window.Plotly) return;
    scan(document);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        r.addedNodes.forEach(function (n) {
          if (n.nodeType !== 1) return;
          if (n.classList.contains("grubook-plotly")) watch(n);
          else scan(n);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
