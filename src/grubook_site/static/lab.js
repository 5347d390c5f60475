/* The GRU Book's live labs: the book's trained GRUs run in the reader's browser.

   window.grubookLab.run(weightsUrl, x, overrides) -> Promise of {output, h, z, r, n}: one
   sequence x (an array of time steps, each an array of input_size numbers) through the model in
   the JSON file that grubook.lab.export_model wrote at build time. Forward pass only, in
   PyTorch's GRU convention (gates stacked [r, z, n]; r scales (U_n h + b_hn) after the matmul):
       r = sigmoid(W_r x + b_ir + U_r h + b_hr)   z = sigmoid(W_z x + b_iz + U_z h + b_hz)
       n = tanh(W_n x + b_in + r * (U_n h + b_hn))   h' = (1 - z) * n + z * h
   then the linear head at every step and the file's readout (sigmoid or identity). Every field is
   an array over time (h, z, r, n of the top layer). overrides: null, or the list of
   grubook.lab (fix or scale z / r for chosen units), applied in order. Proven equal to
   grubook.lab.run in tests/browser/test_adder_lab.py (chapter 5) and
   test_gate_lab.py (chapter 3). Weights are read as float32 (Math.fround), the
   arithmetic is float64.

   Labs: <div class="grubook-lab" data-lab="adder" data-weights="URL"> becomes the chapter 5
   adder (inputs [data-part="a"], [data-part="b"], the model's sum in [data-part="sum"]);
   data-lab="gates" the chapter 3 gate lab (the recall model on a sequence the reader edits, with
   z_t / r_t overrides for a chosen unit; its answer in [data-part="answer"], data-value). */
(function () {
  "use strict";
  var cache = {};

  function sigmoid(v) { return 1 / (1 + Math.exp(-v)); }

  function toF32(v) {
    return Array.isArray(v) ? v.map(toF32) : Math.fround(v);
  }

  function prepare(doc) {
    var c = doc.config || {};
    if (c.cell !== "gru") throw new Error("grubookLab: only GRU models run here, got " + c.cell);
    var sd = doc.state_dict, layers = [];
    for (var k = 0; k < c.num_layers; k++) {
      layers.push({
        wih: toF32(sd["rnn.weight_ih_l" + k]), whh: toF32(sd["rnn.weight_hh_l" + k]),
        bih: toF32(sd["rnn.bias_ih_l" + k]), bhh: toF32(sd["rnn.bias_hh_l" + k]),
      });
    }
    return {
      config: c, layers: layers, readout: doc.readout || "identity",
      hw: toF32(sd["head.weight"]), hb: toF32(sd["head.bias"]), examples: doc.examples || [],
    };
  }

  function load(url) {
    var abs = new URL(url, window.location.href).href;
    if (!cache[abs]) {
      cache[abs] = fetch(abs).then(function (r) {
        if (!r.ok) throw new Error("grubookLab: " + abs + ": HTTP " + r.status);
        return r.json();
      }).then(prepare);
    }
    return cache[abs];
  }

  function checkOverrides(list, H, L) {
    if (list === null || list === undefined) return [];
    if (!Array.isArray(list)) list = [list];
    return list.map(function (o, i) {
      var where = "overrides[" + i + "]";
      if (o.gate !== "z" && o.gate !== "r") throw new Error(where + ".gate must be 'z' or 'r'");
      if (("value" in o) === ("scale" in o)) {
        throw new Error(where + " must have exactly one of value and scale");
      }
      var units = o.units === undefined || o.units === null ? null : o.units.slice();
      (units || []).forEach(function (u) {
        if (!(Number.isInteger(u) && u >= 0 && u < H)) throw new Error(where + ".units: " + u);
      });
      var layer = o.layer === undefined ? null : o.layer;
      if (layer !== null && !(Number.isInteger(layer) && layer >= 0 && layer < L)) {
        throw new Error(where + ".layer: " + layer);
      }
      if ("value" in o && !(o.value >= 0 && o.value <= 1)) {
        throw new Error(where + ".value must be in [0, 1]");
      }
      if ("scale" in o && !(o.scale >= 0 && isFinite(o.scale))) {
        throw new Error(where + ".scale must be a finite number >= 0");
      }
      return { gate: o.gate, units: units, layer: layer, value: o.value, scale: o.scale };
    });
  }

  function force(g, e, H) {
    var units = e.units || Array.from({ length: H }, function (_, j) { return j; });
    units.forEach(function (j) {
      g[j] = e.value !== undefined ? e.value : Math.min(1, g[j] * e.scale);
    });
  }

  /* The forward pass on a prepared model; synchronous. */
  function forward(m, x, overrides) {
    var c = m.config, H = c.hidden_size;
    var entries = checkOverrides(overrides, H, c.num_layers);
    var seq = x.map(function (step) {
      if (step.length !== c.input_size) {
        throw new Error("grubookLab: each step needs " + c.input_size + " inputs");
      }
      return step.map(Number);
    });
    var res;
    m.layers.forEach(function (p, k) {
      var mine = entries.filter(function (e) { return e.layer === null || e.layer === k; });
      var h = new Array(H).fill(0), hs = [], zs = [], rs = [], ns = [];
      seq.forEach(function (xt) {
        var gi = new Array(3 * H), gh = new Array(3 * H), i, j, s;
        for (i = 0; i < 3 * H; i++) {
          s = p.bih[i];
          for (j = 0; j < xt.length; j++) s += p.wih[i][j] * xt[j];
          gi[i] = s;
          s = p.bhh[i];
          for (j = 0; j < H; j++) s += p.whh[i][j] * h[j];
          gh[i] = s;
        }
        var r = [], z = [], n = [], hn = [];
        for (j = 0; j < H; j++) {
          r.push(sigmoid(gi[j] + gh[j]));
          z.push(sigmoid(gi[H + j] + gh[H + j]));
        }
        mine.forEach(function (e) { force(e.gate === "z" ? z : r, e, H); });
        for (j = 0; j < H; j++) {
          n.push(Math.tanh(gi[2 * H + j] + r[j] * gh[2 * H + j]));
          hn.push((1 - z[j]) * n[j] + z[j] * h[j]);
        }
        h = hn;
        hs.push(h); zs.push(z); rs.push(r); ns.push(n);
      });
      res = { h: hs, z: zs, r: rs, n: ns };
      seq = hs;
    });
    res.output = res.h.map(function (ht) {
      return m.hb.map(function (b, o) {
        var s = b;
        for (var j = 0; j < H; j++) s += m.hw[o][j] * ht[j];
        return m.readout === "sigmoid" ? sigmoid(s) : s;
      });
    });
    return res;
  }

  function run(weightsUrl, x, overrides) {
    return load(weightsUrl).then(function (m) { return forward(m, x, overrides || null); });
  }

  /* ----- the adder (chapter 5) --------------------------------------------------------------- */
  var MAX_BITS = 256;
  var COLORS = { z: [0, 114, 178], r: [213, 94, 0] };  // grubook.plotting: update, reset

  function parse(text) {
    var t = String(text).replace(/[\s,_]/g, "");
    return /^\d+$/.test(t) ? BigInt(t) : null;
  }

  function bitLength(v) { return v === 0n ? 0 : v.toString(2).length; }

  /* As grubook.tasks.addition.encode(a, b) with bits=None: the smallest width that holds both
     (at least 1), least significant bit first, and one extra step reading (0, 0). */
  function encode(a, b) {
    var bits = Math.max(1, bitLength(a), bitLength(b)), x = [];
    for (var t = 0; t <= bits; t++) {
      var s = BigInt(t);
      x.push(t < bits ? [Number((a >> s) & 1n), Number((b >> s) & 1n)] : [0, 0]);
    }
    return { bits: bits, x: x };
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var PRESETS = [
    ["(2\u2076\u2074 \u2212 1) + 1", (1n << 64n) - 1n, 1n, "a carry of 1 held through 64 columns"],
    ["(2\u00b3\u00b2 \u2212 1) + 1", (1n << 32n) - 1n, 1n, "a carry of 1 held through 32 columns"],
    ["0101\u202601 + 1010\u202610", 0x5555555555555555n, 0xAAAAAAAAAAAAAAAAn,
      "64 columns of one 1 bit each: a carry of 0 held throughout"],
    ["173 + 95", 173n, 95n, "the chapter's example"],
  ];

  function paint(canvas, rows, gate) {
    var T = rows.length, H = rows[0].length, cw = 8, ch = 8;
    canvas.width = T * cw; canvas.height = H * ch;
    canvas.style.width = T * cw + "px"; canvas.style.height = H * ch + "px";
    var ctx = canvas.getContext("2d"), rgb = COLORS[gate];
    for (var t = 0; t < T; t++) {
      for (var j = 0; j < H; j++) {
        var v = Math.max(0, Math.min(1, rows[t][j]));
        var mix = rgb.map(function (c) { return Math.round(255 + (c - 255) * v); });
        ctx.fillStyle = "rgb(" + mix.join(",") + ")";
        ctx.fillRect(t * cw, j * ch, cw, ch);
      }
    }
  }

  function adder(root, index) {
    var url = root.getAttribute("data-weights"), id = "grubook-lab-" + index;
    root.textContent = "";
    var form = el("div", { class: "grubook-lab-inputs" });
    [["a", "First number, a", "173"], ["b", "Second number, b", "95"]].forEach(function (f) {
      var wrap = el("div", { class: "grubook-lab-field" });
      wrap.appendChild(el("label", { for: id + "-" + f[0] }, f[1]));
      wrap.appendChild(el("input", {
        id: id + "-" + f[0], type: "text", inputmode: "numeric", autocomplete: "off",
        spellcheck: "false", "data-part": f[0], value: f[2], "aria-describedby": id + "-help",
      }));
      form.appendChild(wrap);
    });
    root.appendChild(form);
    root.appendChild(el("p", { id: id + "-help", class: "grubook-lab-help" },
      "Any two non-negative whole numbers in decimal, up to " + MAX_BITS + " bits each. " +
      "The model reads them as the chapter's encoding does: least significant bit first, at " +
      "the width of the larger number, plus one step for the last carry."));
    var presets = el("div", { class: "grubook-lab-presets", role: "group",
      "aria-label": "Hard cases" });
    PRESETS.forEach(function (p) {
      var btn = el("button", { type: "button", class: "btn", title: p[3] }, p[0]);
      btn.addEventListener("click", function () {
        inputs.a.value = p[1].toString(); inputs.b.value = p[2].toString(); update();
      });
      presets.appendChild(btn);
    });
    root.appendChild(presets);
    var answer = el("p", { class: "grubook-lab-answer", "aria-live": "polite" });
    answer.appendChild(document.createTextNode("The GRU says: "));
    var sum = el("output", { "data-part": "sum", for: id + "-a " + id + "-b" }, "\u2026");
    answer.appendChild(sum);
    var verdict = el("span", { "data-part": "verdict" });
    answer.appendChild(document.createTextNode(" "));
    answer.appendChild(verdict);
    root.appendChild(answer);
    var bitsBox = el("div", { class: "grubook-lab-scroll", tabindex: "0", role: "region",
      "aria-label": "Bit by bit, step 0 (least significant) first" });
    root.appendChild(bitsBox);
    var maps = el("div", { class: "grubook-lab-scroll grubook-lab-maps", tabindex: "0",
      role: "region", "aria-label": "Heat maps of the gates over the steps" });
    var canvases = {};
    [["z", "update gate z_t", "blue"], ["r", "reset gate r_t", "vermillion"]].forEach(function (g) {
      var fig = el("figure", { class: "grubook-lab-map" });
      var cap = el("figcaption", {}, g[1] + ": one row per unit by step t (columns); " +
        "white is 0, " + g[2] + " is 1 ");
      cap.appendChild(el("span", { class: "grubook-lab-key grubook-lab-key-" + g[0],
        "aria-hidden": "true" }));
      fig.appendChild(cap);
      canvases[g[0]] = el("canvas", { role: "img", "aria-label": g[1] });
      fig.appendChild(canvases[g[0]]);
      maps.appendChild(fig);
    });
    root.appendChild(maps);
    var inputs = { a: root.querySelector('[data-part="a"]'), b: root.querySelector('[data-part="b"]') };
    var model = null;

    function show(message) {
      sum.textContent = "\u2014"; verdict.textContent = message; bitsBox.textContent = "";
    }

    function update() {
      if (!model) return;
      var a = parse(inputs.a.value), b = parse(inputs.b.value);
      if (a === null || b === null) return show("(type two non-negative whole numbers)");
      if (bitLength(a) > MAX_BITS || bitLength(b) > MAX_BITS) {
        return show("(numbers up to " + MAX_BITS + " bits, please)");
      }
      var enc = encode(a, b), res = forward(model, enc.x, null), T = enc.bits + 1;
      var pred = 0n, truth = a + b, wrong = [], carry = 0, rows = {
        t: [], a: [], b: [], c: [], s: [], m: [], w: [] };
      for (var t = 0; t < T; t++) {
        var bit = res.output[t][0] > 0.5 ? 1 : 0;  // sigmoid > 1/2 <=> logit > 0
        if (bit) pred |= 1n << BigInt(t);
        var sbit = Number((truth >> BigInt(t)) & 1n);
        rows.t.push(t); rows.a.push(enc.x[t][0]); rows.b.push(enc.x[t][1]); rows.c.push(carry);
        rows.s.push(sbit); rows.m.push(bit); rows.w.push(bit === sbit ? "" : "\u2717");
        if (bit !== sbit) wrong.push(t);
        carry = enc.x[t][0] + enc.x[t][1] + carry >= 2 ? 1 : 0;
      }
      sum.textContent = pred.toString();
      verdict.textContent = pred === truth ? "(right)" :
        "(wrong: the sum is " + truth.toString() + "; bits " + wrong.join(", ") + " are wrong)";
      root.classList.toggle("grubook-lab-wrong", pred !== truth);
      var table = el("table", { class: "grubook-lab-bits" });
      [["t", "step t"], ["a", "a_t"], ["b", "b_t"], ["c", "carry in"], ["s", "sum s_t"],
        ["m", "model"], ["w", "wrong"]].forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", { scope: "row" }, row[1]));
        rows[row[0]].forEach(function (v, t) {
          tr.appendChild(el("td", row[0] === "w" && v ? { class: "wrong" } : {}, String(v)));
        });
        table.appendChild(tr);
      });
      bitsBox.textContent = "";
      bitsBox.appendChild(table);
      ["z", "r"].forEach(function (g) {
        paint(canvases[g], res[g], g);
        var flat = [].concat.apply([], res[g]);
        canvases[g].setAttribute("aria-label", (g === "z" ? "Update gate" : "Reset gate") +
          " of " + flat.length / T + " units over " + T + " steps, from " +
          Math.min.apply(null, flat).toFixed(2) + " to " + Math.max.apply(null, flat).toFixed(2));
      });
    }

    inputs.a.addEventListener("input", update);
    inputs.b.addEventListener("input", update);
    root.grubookUpdate = update;
    load(url).then(function (m) { model = m; update(); root.dataset.ready = "true"; },
      function (e) { show("(the model could not be loaded: " + e.message + ")"); });
  }

  /* ----- the GRU a reader trained in the playground (book/playground.md) ---------------------- */
  /* The playground leaves it in localStorage under PLAY_KEY (the reader's choice there); an
     adder then offers a toggle, outside the lab, that redraws the lab on that model (loaded
     under a URL of its own, PLAY_URL) or on the chapter's. */
  var PLAY_KEY = "grubook-play-adder", PLAY_URL = "grubook-playground:adder";

  function offerPlayground(root, index) {
    var doc = null, chapter = root.getAttribute("data-weights");
    try { doc = JSON.parse(window.localStorage.getItem(PLAY_KEY) || "null"); } catch (e) { return; }
    if (!doc || !doc.config || doc.config.cell !== "gru" || !doc.config.per_step) return;
    try { cache[PLAY_URL] = Promise.resolve(prepare(doc)); } catch (e) { return; }
    var btn = el("button", { type: "button", class: "btn grubook-lab-mine", "aria-pressed": "false",
      "data-part": "playground-model" }, "Use the GRU you trained in the playground");
    btn.style.border = "1px solid currentColor";
    btn.style.margin = "0.5rem 0";
    btn.addEventListener("click", function () {
      var on = btn.getAttribute("aria-pressed") !== "true";
      btn.setAttribute("aria-pressed", on ? "true" : "false");
      root.dataset.ready = "";
      root.setAttribute("data-weights", on ? PLAY_URL : chapter);
      adder(root, index);
    });
    root.parentNode.insertBefore(btn, root);
  }

  /* ----- turn the gates (chapter 3) ----------------------------------------------------------- */
  var HCOL = { neg: [230, 159, 0], pos: [0, 0, 0] };  // h_t: orange (-1), white (0), black (+1)
  var LINE = { h: "#000000", z: "#0072B2", r: "#D55E00", out: "#0072B2", target: "#000000" };
  var SVGNS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function fmt(v) { return (v < 0 ? "\u2212" : "") + Math.abs(v).toFixed(3); }

  /* A heat map of rows[t][j] (unit j down, step t across) on a canvas; unit `mark` outlined. */
  function paintMap(canvas, rows, kind, mark, marker) {
    var T = rows.length, H = rows[0].length, cw = 9, ch = 9;
    if (canvas.width !== T * cw || canvas.height !== H * ch) {  // a resize clears the canvas
      canvas.width = T * cw; canvas.height = H * ch;
      canvas.style.width = T * cw + "px"; canvas.style.height = H * ch + "px";
    }
    var ctx = canvas.getContext("2d");
    for (var t = 0; t < T; t++) {
      for (var j = 0; j < H; j++) {
        var v = rows[t][j], rgb, a;
        if (kind === "h") { a = Math.min(1, Math.abs(v)); rgb = v < 0 ? HCOL.neg : HCOL.pos; }
        else { a = Math.max(0, Math.min(1, v)); rgb = COLORS[kind]; }
        ctx.fillStyle = "rgb(" + rgb.map(function (c) {
          return Math.round(255 + (c - 255) * a); }).join(",") + ")";
        ctx.fillRect(t * cw, j * ch, cw, ch);
      }
    }
    ctx.lineWidth = 2;
    marker.forEach(function (t) {
      ctx.strokeStyle = "#CC79A7"; ctx.setLineDash([3, 3]);
      ctx.strokeRect(t * cw + 1, 1, cw - 2, H * ch - 2);
    });
    ctx.setLineDash([]);
    if (mark !== null) {
      ctx.strokeStyle = "#CC79A7";
      ctx.strokeRect(1, mark * ch + 1, T * cw - 2, ch - 2);
    }
  }

  /* A small line chart: series [{values, color, label, dash}] over steps 1..T in [lo, hi]. */
  function drawLines(box, series, lo, hi, marker, title) {
    var W = 320, Hh = 156, L = 34, R = 10, Tp = 8, B = 34;
    var T = series[0].values.length;
    var xs = function (t) { return L + (T > 1 ? t / (T - 1) : 0.5) * (W - L - R); };
    var ys = function (v) {
      return Tp + (hi - Math.max(lo, Math.min(hi, v))) / (hi - lo) * (Hh - Tp - B); };
    var points = function (ser) {
      return ser.values.map(function (v, t) {
        return xs(t).toFixed(1) + "," + ys(v).toFixed(1); }).join(" ");
    };
    var key = [T, lo, hi, marker.join(","), series.length].join("|");
    if (box.grubookKey === key) {  // the same axes: move the lines only
      box.firstChild.setAttribute("aria-label", title);
      box.querySelectorAll("polyline").forEach(function (line, k) {
        line.setAttribute("points", points(series[k]));
      });
      return;
    }
    box.grubookKey = key;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + Hh, role: "img", "aria-label": title });
    [lo, 0, hi].forEach(function (v) {
      s.appendChild(svg("line", { x1: L, x2: W - R, y1: ys(v), y2: ys(v),
        stroke: "#999999", "stroke-width": v === 0 ? 1 : 0.5 }));
      var lab = svg("text", { x: L - 6, y: ys(v) + (v === lo ? 0 : 4), "text-anchor": "end",
        class: "tick" });
      lab.textContent = (v < 0 ? "\u2212" : "") + String(Math.abs(v));
      s.appendChild(lab);
    });
    marker.forEach(function (t) {
      s.appendChild(svg("line", { x1: xs(t), x2: xs(t), y1: Tp, y2: Hh - B,
        stroke: "#CC79A7", "stroke-dasharray": "3 3", "stroke-width": 1.5 }));
    });
    [1, Math.ceil(T / 2), T].forEach(function (t) {
      var lab = svg("text", { x: xs(t - 1), y: Hh - B + 16, "text-anchor": "middle",
        class: "tick" });
      lab.textContent = String(t);
      s.appendChild(lab);
    });
    var xl = svg("text", { x: (L + W - R) / 2, y: Hh - 2, "text-anchor": "middle",
      class: "tick" });
    xl.textContent = "step t";
    s.appendChild(xl);
    series.forEach(function (ser) {
      s.appendChild(svg("polyline", { fill: "none", stroke: ser.color, "stroke-width": 2,
        "stroke-dasharray": ser.dash || "none", points: points(ser) }));
    });
    box.textContent = "";
    box.appendChild(s);
  }

  function mulberry32(seed) {  // a small seeded generator, for the random-sequence button
    return function () {
      seed = (seed + 0x6d2b79f5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  var ABLATIONS = [
    ["As trained", null, null, "no gate is forced"],
    ["z\u209c = 0, every unit", ["value", 0], null, "the update gate keeps nothing: every step overwrites"],
    ["z\u209c = 1, every unit", ["value", 1], null, "the update gate writes nothing: h stays at 0"],
    ["r\u209c = 0, every unit", null, ["value", 0], "the candidate cannot see the old state"],
  ];

  function gatesLab(root, index) {
    var url = root.getAttribute("data-weights"), id = "grubook-gates-" + index;
    root.textContent = "";
    var model = null, H = 0, T = 0, rand = mulberry32(index + 1), seqIndex = 0;
    var controls = {};

    /* --- the input sequence: a value and a marker per step --- */
    var seqBox = el("fieldset", { class: "grubook-lab-group" });
    seqBox.appendChild(el("legend", {}, "Input sequence x\u209c (edit a value, tick a marker)"));
    var seqPresets = el("div", { class: "grubook-lab-presets", role: "group",
      "aria-label": "Input presets" });
    seqBox.appendChild(seqPresets);
    var seqScroll = el("div", { class: "grubook-lab-scroll", role: "region", tabindex: "0",
      "aria-label": "The sequence, one column per step" });
    seqBox.appendChild(seqScroll);
    root.appendChild(seqBox);

    /* --- the gate controls --- */
    var gateBox = el("fieldset", { class: "grubook-lab-group" });
    gateBox.appendChild(el("legend", {}, "Turn the gates"));
    var ablations = el("div", { class: "grubook-lab-presets", role: "group",
      "aria-label": "The chapter's ablations" });
    gateBox.appendChild(ablations);
    var unitWrap = el("div", { class: "grubook-lab-control" });
    unitWrap.appendChild(el("label", { for: id + "-unit" }, "Unit"));
    var unitSel = el("select", { id: id + "-unit", "data-part": "unit" });
    unitWrap.appendChild(unitSel);
    gateBox.appendChild(unitWrap);
    [["z", "Update gate z\u209c"], ["r", "Reset gate r\u209c"]].forEach(function (g) {
      var wrap = el("div", { class: "grubook-lab-control grubook-lab-gate" });
      var key = el("span", { class: "grubook-lab-key grubook-lab-key-" + g[0],
        "aria-hidden": "true" });
      var modeLabel = el("label", { for: id + "-" + g[0] + "-mode" });
      modeLabel.appendChild(key);
      modeLabel.appendChild(document.createTextNode(" " + g[1]));
      wrap.appendChild(modeLabel);
      var mode = el("select", { id: id + "-" + g[0] + "-mode", "data-part": g[0] + "-mode" });
      [["learned", "as learned"], ["value", "fixed at"], ["scale", "scaled by"]].forEach(
        function (o) { mode.appendChild(el("option", { value: o[0] }, o[1])); });
      wrap.appendChild(mode);
      var range = el("input", { id: id + "-" + g[0], type: "range", min: "0", max: "1",
        step: "0.01", value: "1", "data-part": g[0] });
      var rangeLabel = el("label", { for: id + "-" + g[0], class: "grubook-lab-range-label" },
        "value of " + g[1].split(" ").pop());
      var out = el("output", { for: id + "-" + g[0], "data-part": g[0] + "-shown" }, "1.00");
      wrap.appendChild(rangeLabel);
      wrap.appendChild(range);
      wrap.appendChild(out);
      gateBox.appendChild(wrap);
      controls[g[0]] = { mode: mode, range: range, out: out, label: rangeLabel };
      mode.addEventListener("change", function () {
        if (mode.value === "scale") { range.max = "2"; range.value = "1"; }
        else { range.max = "1"; }
        update();
      });
      range.addEventListener("input", function () {
        if (mode.value === "learned") mode.value = "value";
        update();
      });
    });
    root.appendChild(gateBox);

    /* --- what the model does --- */
    var answer = el("p", { class: "grubook-lab-answer", "aria-live": "polite" });
    root.appendChild(answer);
    var charts = el("div", { class: "grubook-lab-charts" });
    var outFig = el("figure", { class: "grubook-lab-chart" });
    outFig.appendChild(el("figcaption", {}, "The read-out at every step (blue; the model " +
      "answers at the last step) and the marked value (black, dashed)"));
    var outBox = el("div");
    outFig.appendChild(outBox);
    charts.appendChild(outFig);
    var unitFig = el("figure", { class: "grubook-lab-chart" });
    var unitCap = el("figcaption");
    unitFig.appendChild(unitCap);
    var unitBox = el("div");
    unitFig.appendChild(unitBox);
    charts.appendChild(unitFig);
    root.appendChild(charts);
    var maps = el("div", { class: "grubook-lab-scroll grubook-lab-maps", tabindex: "0",
      role: "region", "aria-label": "Heat maps of the state and the gates over the steps" });
    var canvases = {};
    [["h", "state h\u209c", "orange is \u22121, white 0, black +1"],
      ["z", "update gate z\u209c", "white is 0, blue 1"],
      ["r", "reset gate r\u209c", "white is 0, vermillion 1"]].forEach(function (g) {
      var fig = el("figure", { class: "grubook-lab-map" });
      fig.appendChild(el("figcaption", {}, g[1] + ": a row per unit, a column per step; " +
        g[2]));
      canvases[g[0]] = el("canvas", { role: "img", "aria-label": g[1] });
      fig.appendChild(canvases[g[0]]);
      maps.appendChild(fig);
    });
    root.appendChild(maps);
    root.appendChild(el("p", { class: "grubook-lab-help" }, "Dashed purple: the marked " +
      "step; solid purple outline: the chosen unit."));

    var cells = [];  // [{value: input, marker: input}] per step

    function buildSequence(x) {
      T = x.length;
      var table = el("table", { class: "grubook-lab-seq" }), rows = [el("tr"), el("tr"),
        el("tr")];
      rows[0].appendChild(el("th", { scope: "row" }, "step t"));
      rows[1].appendChild(el("th", { scope: "row" }, "value"));
      rows[2].appendChild(el("th", { scope: "row" }, "marker"));
      cells = x.map(function (xt, t) {
        rows[0].appendChild(el("th", { scope: "col" }, String(t + 1)));
        var v = el("input", { type: "number", min: "-1", max: "1", step: "0.01",
          value: String(xt[0]), "data-part": "value", "data-step": String(t),
          "aria-label": "value at step " + (t + 1) });
        var m = el("input", { type: "checkbox", "data-part": "marker",
          "data-step": String(t), "aria-label": "marker at step " + (t + 1) });
        m.checked = xt[1] === 1;
        v.addEventListener("input", update);
        m.addEventListener("change", update);
        var c1 = el("td"), c2 = el("td");
        c1.appendChild(v); c2.appendChild(m);
        rows[1].appendChild(c1); rows[2].appendChild(c2);
        return { value: v, marker: m };
      });
      rows.forEach(function (r) { table.appendChild(r); });
      seqScroll.textContent = "";
      seqScroll.appendChild(table);
    }

    function setSequence(x) {
      if (x.length !== cells.length) buildSequence(x);
      x.forEach(function (xt, t) {
        cells[t].value.value = String(xt[0]);
        cells[t].marker.checked = xt[1] === 1;
      });
      update();
    }

    function current() {
      return cells.map(function (c) {
        var v = parseFloat(c.value.value), ok = isFinite(v);
        c.value.setAttribute("aria-invalid", ok ? "false" : "true");
        return [ok ? v : 0, c.marker.checked ? 1 : 0];
      });
    }

    function moveMarker(delay) {  // one marker, `delay` steps before the end
      var x = current();
      x.forEach(function (xt, t) { xt[1] = t === T - 1 - delay ? 1 : 0; });
      setSequence(x);
    }

    function overrides() {
      var u = unitSel.value, list = [];
      ["z", "r"].forEach(function (g) {
        var c = controls[g], v = Number(c.range.value), o;
        c.out.textContent = c.mode.value === "scale" ? "\u00d7" + v.toFixed(2) : v.toFixed(2);
        c.label.textContent = { learned: "value of ", value: "fix ", scale: "scale " }[
          c.mode.value] + (g === "z" ? "z\u209c" : "r\u209c") +
          (c.mode.value === "learned" ? " (moving it fixes the gate)" : "");
        if (c.mode.value === "learned") return;
        o = { gate: g, units: u === "" ? null : [Number(u)] };
        o[c.mode.value] = v;
        list.push(o);
      });
      return list.length ? list : null;
    }

    function update() {
      if (!model) return;
      var x = current(), ov = overrides(), res = forward(model, x, ov);
      var marker = [], u = unitSel.value === "" ? null : Number(unitSel.value);
      x.forEach(function (xt, t) { if (xt[1] === 1) marker.push(t); });
      var y = res.output[T - 1][0];
      answer.textContent = "";
      answer.appendChild(document.createTextNode("The GRU answers "));
      var out = el("output", { "data-part": "answer", "data-value": String(y) }, fmt(y));
      answer.appendChild(out);
      var target = null;
      if (marker.length === 1) {
        target = x[marker[0]][0];
        var d = T - 1 - marker[0];
        answer.appendChild(document.createTextNode("; the marked value, at step " +
          (marker[0] + 1) + " (" + d + " step" + (d === 1 ? "" : "s") + " before the end), is " +
          fmt(target) + ": squared error "));
        answer.appendChild(el("span", { "data-part": "error" },
          Math.pow(y - target, 2).toFixed(4)));
        answer.appendChild(document.createTextNode("."));
      } else {
        answer.appendChild(document.createTextNode(marker.length ? "; with " + marker.length +
          " markers there is no one right answer (the task has one)." :
          "; with no marker there is nothing to recall."));
      }
      var gates = (ov || []).map(function (o) {
        return o.gate + "\u209c " + ("value" in o ? "fixed at " + o.value.toFixed(2) :
          "scaled by " + o.scale.toFixed(2)) + (o.units ? " in unit " + (o.units[0] + 1) :
          " in every unit");
      });
      answer.appendChild(el("span", { class: "grubook-lab-forced", "data-part": "overrides" },
        " Forced: " + (gates.length ? gates.join("; ") : "nothing") + "."));
      var series = [{ values: res.output.map(function (o) { return o[0]; }), color: LINE.out }];
      if (target !== null) {
        series.push({ values: x.map(function () { return target; }), color: LINE.target,
          dash: "5 4" });
      }
      drawLines(outBox, series, -1.5, 1.5, marker, "Read-out over the steps, ending at " +
        fmt(y) + (target === null ? "" : "; the marked value is " + fmt(target)));
      var show = u === null ? 0 : u;
      unitCap.textContent = "Unit " + (show + 1) + (u === null ? " (choose a unit above)" : "") +
        ": state h\u209c (black), z\u209c (blue), r\u209c (vermillion, dashed)";
      var col = function (f) { return res[f].map(function (row) { return row[show]; }); };
      drawLines(unitBox, [{ values: col("h"), color: LINE.h }, { values: col("z"),
        color: LINE.z }, { values: col("r"), color: LINE.r, dash: "4 3" }], -1, 1, marker,
        "Unit " + (show + 1) + ": its state ends at " + fmt(res.h[T - 1][show]));
      ["h", "z", "r"].forEach(function (g) {
        paintMap(canvases[g], res[g], g, u, marker);
        var flat = [].concat.apply([], res[g]);
        canvases[g].setAttribute("aria-label", { h: "State", z: "Update gate", r: "Reset gate" }[
          g] + " of " + H + " units over " + T + " steps, from " +
          fmt(Math.min.apply(null, flat)) + " to " + fmt(Math.max.apply(null, flat)));
      });
      root.grubookShown = { x: x, overrides: ov, result: res };
    }

    function setGates(z, r) {
      unitSel.value = "";
      [["z", z], ["r", r]].forEach(function (p) {
        var c = controls[p[0]];
        c.mode.value = p[1] ? p[1][0] : "learned";
        c.range.max = c.mode.value === "scale" ? "2" : "1";
        c.range.value = String(p[1] ? p[1][1] : 1);
      });
      update();
    }

    unitSel.addEventListener("change", update);
    ABLATIONS.forEach(function (a) {
      var btn = el("button", { type: "button", class: "btn", title: a[3],
        "data-ablation": String(ABLATIONS.indexOf(a)) }, a[0]);
      btn.addEventListener("click", function () { setGates(a[1], a[2]); });
      ablations.appendChild(btn);
    });
    root.grubookUpdate = update;

    load(url).then(function (m) {
      model = m; H = m.config.hidden_size;
      unitSel.appendChild(el("option", { value: "" }, "every unit"));
      for (var j = 0; j < H; j++) unitSel.appendChild(el("option", { value: String(j) },
        "unit " + (j + 1)));
      var examples = m.examples.length ? m.examples : [Array.from({ length: 20 },
        function (_, t) { return [0, t === 5 ? 1 : 0]; })];
      examples.forEach(function (ex, k) {
        var btn = el("button", { type: "button", class: "btn", "data-example": String(k),
          title: "a sequence the model was tested on" }, "Held-out " + (k + 1));
        btn.addEventListener("click", function () { setSequence(ex); });
        seqPresets.appendChild(btn);
      });
      [["Random values", function () {
        setSequence(current().map(function (xt) {
          return [Math.round((rand() * 2 - 1) * 100) / 100, xt[1]]; }));
      }], ["Marker " + (examples[0].length - 1) + " steps back", function () {
        moveMarker(T - 1);
      }], ["Marker " + Math.floor(examples[0].length / 2) + " steps back", function () {
        moveMarker(Math.floor(T / 2));
      }], ["No marker", function () { moveMarker(-1); }]].forEach(function (p) {
        var btn = el("button", { type: "button", class: "btn" }, p[0]);
        btn.addEventListener("click", p[1]);
        seqPresets.appendChild(btn);
      });
      buildSequence(examples[0]);
      update();
      root.dataset.ready = "true";
    }, function (e) {
      answer.textContent = "(the model could not be loaded: " + e.message + ")";
    });
  }

  window.grubookLab = { run: run, load: load, forward: forward, encode: encode };

  function start() {
    document.querySelectorAll('.grubook-lab[data-lab="adder"]').forEach(adder);
    document.querySelectorAll('.grubook-lab[data-lab="gates"]').forEach(gatesLab);
    document.querySelectorAll('.grubook-lab[data-lab="adder"]').forEach(offerPlayground);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
