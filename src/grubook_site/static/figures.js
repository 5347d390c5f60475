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
    // an inert document: its scripts never run and its images never load (no onerror)
    var text = new DOMParser().parseFromString(s, "text/html").body.textContent;
    return (text || "").replace(/\s+/g, " ").replace(/\s+([.,;:])/g, "$1").trim();
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
    var fitTimer = null;
    ["plotly_afterplot", "plotly_relayout", "plotly_update"].forEach(function (event) {
      gd.on(event, function () {
        if (gd._grubookFitOwn) return;
        if (fitTimer) clearTimeout(fitTimer);
        fitTimer = setTimeout(function () { fitTimer = null; fit(gd); }, 20);
      });
    });
    fit(gd);
    if (reduceMotion.addEventListener) {
      reduceMotion.addEventListener("change", function () { motionSettings(gd); });
    }
    motionSettings(gd);
    refresh();
  }

  // ------------------------------------------------------------------------------------------
  // fitting the figure to its width: title, legends, subplot titles, axis titles, colour bars
  // and sliders kept apart at every width (a phone's 390 px as well as a desktop's)
  //
  // Each figure keeps its author's layout; after every draw the parts are measured, and those
  // that overlap are moved apart: a title (or subplot title, or axis title) too wide for the
  // figure is wrapped; what collides with the title moves down by growing the top margin; what
  // collides below the plot (a legend or slider against the x-axis title) moves down; the figure
  // grows by what the margins took, so the plot itself keeps its height. A few passes settle it.
  // The mode bar sits in its own strip above the figure (figures.css), clear of the title.

  var GAP = 6; // px between parts
  var NARROW = 600; // px: below this a figure takes its layout.meta.narrow, if it has one
  var MAX_PASSES = 8;
  var canvas = null;

  function textWidth(html, font) {
    canvas = canvas || document.createElement("canvas");
    var c = canvas.getContext("2d");
    c.font = (font.size || 14) + "px " + (font.family || "sans-serif");
    var text = String(html).replace(/<[^>]*>/g, "").replace(/&[a-z#0-9]+;/gi, "x");
    return c.measureText(text).width;
  }

  /* Break a Plotly string into lines of at most maxWidth px, at spaces (tags stay whole). */
  function wrapText(html, maxWidth, font) {
    var words = String(html).split(/\s+|<br\s*\/?>/i).filter(Boolean);
    var lines = [];
    var line = "";
    words.forEach(function (w) {
      var next = line ? line + " " + w : w;
      if (line && textWidth(next, font) > maxWidth) {
        lines.push(line);
        line = w;
      } else {
        line = next;
      }
    });
    if (line) lines.push(line);
    return lines.join("<br>");
  }

  function rect(node) {
    var r = node.getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height, right: r.right, bottom: r.bottom };
  }

  /* The parts of a drawn figure, with what each one is and how it can be moved. */
  function parts(gd) {
    var out = [];
    function add(kind, node, extra) {
      var b = rect(node);
      if (b.w > 0.5 && b.h > 0.5) out.push(Object.assign({ kind: kind, box: b }, extra || {}));
    }
    gd.querySelectorAll(".g-gtitle text.gtitle").forEach(function (n) { add("title", n); });
    gd.querySelectorAll(".infolayer > g").forEach(function (g) {
      var m = /^g-([xy]\d*)title$/.exec(g.getAttribute("class") || "");
      if (!m) return;
      var axis = (m[1][0] === "x" ? "xaxis" : "yaxis") + m[1].slice(1);
      g.querySelectorAll("text").forEach(function (n) { add("axis-title", n, { axis: axis }); });
    });
    gd.querySelectorAll("g.annotation").forEach(function (g) {
      add("annotation", g.querySelector(".annotation-text-g") || g,
        { index: Number(g.getAttribute("data-index")) });
    });
    gd.querySelectorAll(".infolayer > g").forEach(function (g) {
      var m = /^(legend\d*)$/.exec((g.getAttribute("class") || "").split(" ")[0]);
      if (m) add("legend", g.querySelector("rect.bg") || g, { id: m[1] });
    });
    gd.querySelectorAll("g.colorbar").forEach(function (g) { add("colorbar", g); });
    gd.querySelectorAll("g.slider-container").forEach(function (g, k) {
      add("slider", g, { index: k });
    });
    gd.querySelectorAll("g.updatemenu-container").forEach(function (g) { add("menu", g); });
    // each axis's tick labels as one part
    var ticks = {};
    gd.querySelectorAll(".cartesianlayer g[class$='tick'] text").forEach(function (n) {
      var g = n.closest("[class*='axislayer']");
      var key = (g ? g.getAttribute("class") : "") + (n.closest(".subplot") || {}).className;
      var b = rect(n);
      if (b.w < 0.5 || b.h < 0.5) return;
      var t = ticks[key];
      ticks[key] = !t ? b : {
        x: Math.min(t.x, b.x), y: Math.min(t.y, b.y),
        right: Math.max(t.right, b.right), bottom: Math.max(t.bottom, b.bottom),
      };
    });
    Object.keys(ticks).forEach(function (key) {
      var t = ticks[key];
      t.w = t.right - t.x;
      t.h = t.bottom - t.y;
      out.push({ kind: "ticks", box: t });
    });
    gd.querySelectorAll(".draglayer .nsewdrag").forEach(function (n) {
      add("plot", n);
    });
    return out;
  }

  /* The pairs of parts that overlap (more than 2 px each way), and the parts that stick out of
     the figure's sides. Shared with the browser test (window.grubookFigureLayout). */
  function collisions(gd) {
    var all = parts(gd);
    var fig = rect(gd);
    var pairs = [];
    var outside = [];
    var ignore = function (a, b) {
      var k = [a.kind, b.kind].sort().join(" ");
      // tick labels count against what is laid over the figure: a legend, a slider, the title
      if (/ticks/.test(k) && !/legend|slider|title|menu/.test(k.replace("axis-title", ""))) {
        return true;
      }
      return k === "plot plot" || k === "annotation plot" || k === "axis-title axis-title" ||
        k === "title title" || k === "colorbar plot";
    };
    // a legend drawn wholly inside a plot is an inset, placed there on purpose
    var inset = function (a, b) {
      return a.kind === "legend" && b.kind === "plot" && a.box.x >= b.box.x - 2 &&
        a.box.right <= b.box.right + 2 && a.box.y >= b.box.y - 2 && a.box.bottom <= b.box.bottom + 2;
    };
    all.forEach(function (a, i) {
      if (a.box.x < fig.x - 2 || a.box.right > fig.right + 2) outside.push(a);
      all.slice(i + 1).forEach(function (b) {
        if (ignore(a, b) || inset(a, b) || inset(b, a)) return;
        var w = Math.min(a.box.right, b.box.right) - Math.max(a.box.x, b.box.x);
        var h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.y, b.box.y);
        if (w > 2 && h > 2) pairs.push({ a: a, b: b, w: w, h: h });
      });
    });
    return { parts: all, pairs: pairs, outside: outside };
  }

  function describePart(p) {
    var n = p.kind;
    if (p.id) n += " " + p.id;
    if (p.axis) n += " " + p.axis;
    if (p.index !== undefined) n += " " + p.index;
    return n;
  }

  function snapshot(gd) {
    var L = gd.layout || {};
    var full = gd._fullLayout;
    var legends = {};
    Object.keys(full).forEach(function (key) {
      if (/^legend\d*$/.test(key) && full[key]) legends[key] = full[key].y;
    });
    return {
      height: full.height,
      authorHeight: full.height,
      margin: { t: full.margin.t, b: full.margin.b },
      plotHeight: full.height - full.margin.t - full.margin.b,
      title: L.title && typeof L.title === "object" ? Object.assign({}, L.title) : L.title,
      legends: legends,
      sliders: (full.sliders || []).map(function (s) { return s.y; }),
    };
  }

  function startFit(gd) {
    var full = gd._fullLayout;
    var old = gd._grubookFit;
    var base = old ? old.base : snapshot(gd);
    base.height = base.authorHeight;
    base.plotHeight = base.height - base.margin.t - base.margin.b;
    var st = {
      width: full.width,
      base: base,
      dt: 0,
      dh: 0,
      legends: {},
      sliders: {},
      grown: {}, // pairs that have had the top margin grown for them
      texts: old ? old.texts : {}, // key -> {original, wrapped}
    };
    gd._grubookFit = st;
    return st;
  }

  /* One pass: the layout changes that move the parts measured now apart (null: none needed). */
  function adjust(gd) {
    var full = gd._fullLayout;
    if (!full || !full._size) return null;
    var st = gd._grubookFit;
    var update = {};
    if (!st) {
      st = startFit(gd);
    } else if (Math.abs(st.width - full.width) > 1) {
      // a new width: back to the author's layout and the original texts, then fit from there
      var narrowed = st.narrow;
      st = startFit(gd);
      if (narrowed) Object.keys(narrowed).forEach(function (k) { update[k] = narrowed[k]; });
      update["margin.t"] = st.base.margin.t;
      update.height = st.base.height;
      Object.keys(st.base.legends).forEach(function (id) {
        update[id + ".y"] = st.base.legends[id];
      });
      st.base.sliders.forEach(function (y, k) { update["sliders[" + k + "].y"] = y; });
      Object.keys(st.texts).forEach(function (key) { update[key] = st.texts[key].original; });
      st.texts = {};
      var t = st.base.title && typeof st.base.title === "object" ? st.base.title : {};
      ["y", "yref", "yanchor"].forEach(function (k) {
        update["title." + k] = t[k] === undefined ? null : t[k];
      });
      return update;
    }
    var size = full._size;
    var fig = rect(gd);
    var found = collisions(gd);
    var changed = false;

    // 0. a figure that has a layout for narrow screens (layout.meta.narrow: relayout keys, such
    //    as side-by-side panels stacked) takes it below NARROW px and gives it back above
    var narrow = ((gd.layout.meta || {}).narrow) || null;
    if (narrow && (full.width < NARROW) !== !!st.narrow) {
      if (!st.narrow) {
        st.narrow = {};
        Object.keys(narrow).forEach(function (key) {
          var v = textOf(key);
          st.narrow[key] = v === undefined ? null : JSON.parse(JSON.stringify(v));
          update[key] = narrow[key];
        });
        if (narrow.height) st.base.height = narrow.height;
      } else {
        Object.keys(st.narrow).forEach(function (key) { update[key] = st.narrow[key]; });
        if (narrow.height) st.base.height = st.narrow.height;
        st.narrow = null;
      }
      st.base.plotHeight = st.base.height - st.base.margin.t - st.base.margin.b;
      st.dh = 0;
      return update;
    }

    function textOf(key) {
      var parts = key.split(".");
      var v = gd.layout;
      for (var i = 0; i < parts.length && v !== undefined && v !== null; i++) {
        var m = /^(\w+)\[(\d+)\]$/.exec(parts[i]);
        v = m ? (v[m[1]] || [])[Number(m[2])] : v[parts[i]];
        if (i === 0 && parts[0] === "title" && typeof v === "string") return v;
      }
      return v;
    }
    function wrapKey(key, maxWidth, font) {
      var now = textOf(key);
      if (typeof now !== "string" || !now) return;
      var known = st.texts[key];
      var original = known && known.wrapped === now ? known.original : now;
      var wrapped = wrapText(original, Math.max(maxWidth, 40), font);
      if (wrapped === now) return;
      st.texts[key] = { original: original, wrapped: wrapped };
      update[key] = wrapped;
      changed = true;
    }

    // 1. text too wide for the figure (or for its column): wrap it
    var titleFont = (full.title && full.title.font) || full.font;
    found.parts.forEach(function (p) {
      if (p.kind === "title" && (p.box.x < fig.x + 2 || p.box.right > fig.right - 2)) {
        wrapKey("title.text", fig.w - 4 * GAP, titleFont);
        if (typeof gd.layout.title === "string" || !gd.layout.title ||
            gd.layout.title.yanchor !== "top") {
          update["title.yref"] = "container";
          update["title.y"] = 1 - GAP / full.height;
          update["title.yanchor"] = "top";
        }
      }
      if (p.kind === "axis-title") {
        var along = p.axis[0] === "x" ? size.w : size.h;
        var long = p.axis[0] === "x" ? p.box.w : p.box.h;
        var out = p.box.x < fig.x || p.box.right > fig.right;
        if (long > along + 2 * GAP || out) {
          var ax = full[p.axis] || {};
          var f = (ax.title && ax.title.font) || full.font;
          wrapKey(p.axis + ".title.text", Math.min(along, fig.w - 4 * GAP), f);
        }
      }
    });
    found.parts.forEach(function (p) {
      if (p.kind === "title" && p.box.y < fig.y + 2) {
        var y = typeof full.title.y === "number" ? full.title.y : 1;
        update["title.yref"] = "container";
        update["title.yanchor"] = "top";
        update["title.y"] = y - (fig.y + GAP - p.box.y) / full.height;
        changed = true;
      }
    });
    var notes = found.parts.filter(function (p) { return p.kind === "annotation"; });
    notes.forEach(function (p) {
      var cx = p.box.x + p.box.w / 2;
      var room = 2 * Math.min(cx - fig.x, fig.right - cx) - 2 * GAP;
      notes.forEach(function (q) {
        if (q === p || Math.abs(q.box.y + q.box.h / 2 - (p.box.y + p.box.h / 2)) > p.box.h) {
          return;
        }
        var d = Math.abs(q.box.x + q.box.w / 2 - cx);
        if (d > 0) room = Math.min(room, d - GAP);
      });
      if (p.box.w > room + 1) {
        var a = (full.annotations || [])[p.index] || {};
        wrapKey("annotations[" + p.index + "].text", room, a.font || full.font);
      }
    });
    if (changed) return update;

    // 2. overlaps: what is above the plot moves up into a taller top margin (the title stays
    //    at the top); what is below the plot moves down
    var top = size.t;
    function above(p) { return p.box.y + p.box.h / 2 < fig.y + top + size.h / 2; }
    function movable(p) {
      return p.kind === "legend" || p.kind === "slider";
    }
    var dt = 0;
    var moves = {};
    var plots = found.parts.filter(function (q) { return q.kind === "plot"; });
    function meets(a, b) {
      return Math.min(a.right, b.right) - Math.max(a.x, b.x) > 2 &&
        Math.min(a.bottom, b.bottom) - Math.max(a.y, b.y) > 2;
    }
    function move(p, px) { // px > 0: down
      // never into a plot that the part was clear of
      var to = { x: p.box.x, right: p.box.right, y: p.box.y + px, bottom: p.box.bottom + px };
      if (plots.some(function (q) { return meets(to, q.box) && !meets(p.box, q.box); })) return;
      var key = p.kind === "legend" ? p.id + ".y" : "sliders[" + p.index + "].y";
      if (!(key in moves) || Math.abs(px) > Math.abs(moves[key])) moves[key] = px;
    }
    found.pairs.forEach(function (c) {
      var a = c.a, b = c.b;
      var lower = a.box.y + a.box.h / 2 > b.box.y + b.box.h / 2 ? a : b;
      var upper = lower === a ? b : a;
      var push = Math.min(c.h, lower.box.bottom - upper.box.y) + GAP;
      if (above(upper) && above(lower) || upper.kind === "title") {
        // in the top margin: grow it, and lift a movable upper part clear of the lower one;
        // at most three times per pair (a pair that taller margins did not separate will not
        // be separated by a still taller one)
        var key = describePart(upper) + " x " + describePart(lower);
        if ((st.grown[key] || 0) >= 3) return;
        st.grown[key] = (st.grown[key] || 0) + 1;
        if (upper.kind !== "title" && movable(upper)) move(upper, -push);
        dt = Math.max(dt, push);
      } else if (movable(lower)) {
        move(lower, push);
      } else if (movable(upper)) {
        move(upper, -push);
      }
    });
    Object.keys(moves).forEach(function (key) {
      var px = moves[key];
      var now;
      if (key.indexOf("sliders[") === 0) {
        now = full.sliders[Number(/\d+/.exec(key)[0])].y;
      } else {
        now = full[key.split(".")[0]].y;
      }
      update[key] = now - px / size.h;
      changed = true;
    });
    if (dt > 0) {
      // from the margin as drawn (Plotly may have pushed it past the layout's for a legend)
      st.dt = size.t + dt - st.base.margin.t;
      update["margin.t"] = size.t + dt;
      changed = true;
    }
    // 3. the plot keeps its height: the figure grows by what the margins took
    var lost = st.base.plotHeight - size.h;
    if (lost > 1 || dt > 0) {
      st.dh += Math.max(lost, 0) + dt;
      update.height = st.base.height + st.dh;
      changed = true;
    }
    return changed ? update : null;
  }

  function fit(gd) {
    if (gd._grubookFitBusy) {
      gd._grubookFitAgain = true;
      return;
    }
    gd._grubookFitBusy = true;
    var passes = 0;
    function finish() {
      gd._grubookFitBusy = false;
      if (gd._grubookFitAgain && passes < MAX_PASSES) {
        gd._grubookFitAgain = false;
        fit(gd);
      }
      gd._grubookFitAgain = false;
    }
    function pass() {
      var update = passes++ < MAX_PASSES ? adjust(gd) : null;
      if (!update) return finish();
      if (update.height) gd.style.height = update.height + "px";
      gd._grubookFitOwn = true;
      return Plotly.relayout(gd, update).then(function () {
        gd._grubookFitOwn = false;
        gd._grubookFitAgain = false;
        return pass();
      }, function () {
        gd._grubookFitOwn = false;
        finish();
      });
    }
    pass();
  }

  window.grubookFigureLayout = function (gd) {
    var c = collisions(gd);
    return {
      overlaps: c.pairs.map(function (p) {
        return describePart(p.a) + " x " + describePart(p.b) + " (" + Math.round(p.w) + "x" +
          Math.round(p.h) + " px)";
      }),
      outside: c.outside.map(describePart),
    };
  };

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
