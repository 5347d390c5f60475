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
   adder (inputs [data-part="a"], [data-part="b"], the model's sum in [data-part="sum"], its
   verdict, wrongBits(steps), in [data-part="verdict"]; the bit table and the heat maps share
   their columns); data-lab="gates" the chapter 3 gate lab (the recall model on a sequence the
   reader edits, with z_t / r_t overrides for a chosen unit; its answer in [data-part="answer"],
   data-value). An input that is empty or out of range is flagged (aria-invalid, and a message
   naming it and the allowed range in [data-part="errors"]) and the model does not run until it
   is valid: nothing is clamped, and no old value is kept. The page is built from text
   (createElement, textContent), never from HTML strings. */
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

  /* ----- shared by both labs ----------------------------------------------------------------- */
  var MAX_BITS = 256;
  var COLORS = { z: [0, 114, 178], r: [213, 94, 0] };  // grubook.plotting: update, reset
  var SUPERSCRIPT = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* ["a"] -> "a", ["a", "b"] -> "a and b", ["a", "b", "c"] -> "a, b and c" */
  function listed(items) {
    return items.length < 2 ? items.join("") :
      items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  }

  /* [3, 4, 5, 9] -> ["3\u20135", "9"]: runs of consecutive whole numbers, as the book's tables
     write them (grubook.views.addition) */
  function runs(list) {
    var out = [], start = 0;
    for (var i = 0; i < list.length; i++) {
      if (i + 1 === list.length || list[i + 1] !== list[i] + 1) {
        out.push(start === i ? String(list[i]) : list[start] + "\u2013" + list[i]);
        start = i + 1;
      }
    }
    return out;
  }

  /* The wrong bits of a sum, in a sentence that reads right for any number of them. */
  function wrongBits(list) {
    if (!list.length) return "no bit is wrong";
    if (list.length === 1) return "1 bit is wrong: bit " + list[0];
    return list.length + " bits are wrong: bits " + listed(runs(list));
  }

  /* Mark an input valid (message null) or not: aria-invalid, and the element that says why
     (errorId) added to its aria-describedby after its own description (data-describedby). */
  function flag(input, message, errorId) {
    var own = input.getAttribute("data-describedby") || "";
    var ids = message ? (own + " " + errorId).trim() : own;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (ids) input.setAttribute("aria-describedby", ids);
    else input.removeAttribute("aria-describedby");
  }

  /* The messages of a lab's invalid inputs, one paragraph each, in its live region `box`. */
  function say(box, messages) {
    box.textContent = "";
    messages.forEach(function (m) { box.appendChild(el("p", {}, m)); });
  }

  /* Tick values for an axis of n cells counted from `first`, cells `size` px apart: the first,
     the last, and the multiples of a round step between them, at least `gap` px apart. */
  function ticks(first, n, size, gap) {
    var last = first + n - 1, k = 1;
    [1, 2, 5, 10, 20, 50, 100].some(function (s) { k = s; return s * size >= gap; });
    var out = [first];
    for (var v = Math.ceil((first + 1) / k) * k; v < last; v += k) {
      if (v - first >= k / 2 && last - v >= k / 2) out.push(v);
    }
    if (last !== first) out.push(last);
    return out;
  }

  /* A heat map with axes: `canvas` (T steps across, H units down, cells cw x ch px) with a gutter
     `gutter` px wide on its left that holds the unit axis (units counted from 1) and, under it,
     the step axis (steps counted from `first`, its labels at least `gap` px apart). The axes are
     HTML hidden from screen readers: the canvas's own label says what it shows.
     size(T, H, cw, ch) sizes the canvas and the axes. */
  function heatMap(canvas, gutter, first, gap) {
    var box = el("div", { class: "grubook-lab-heat" });
    var top = el("div", { class: "grubook-lab-heat-row" });
    var yaxis = el("div", { class: "grubook-lab-axis grubook-lab-yaxis", "aria-hidden": "true" });
    var bottom = el("div", { class: "grubook-lab-heat-row" });
    var xtitle = el("div", { class: "grubook-lab-axis grubook-lab-xtitle", "aria-hidden": "true" },
      "step t");
    var xaxis = el("div", { class: "grubook-lab-axis grubook-lab-xaxis", "aria-hidden": "true" });
    yaxis.style.width = xtitle.style.width = gutter + "px";
    top.appendChild(yaxis);
    top.appendChild(canvas);
    bottom.appendChild(xtitle);
    bottom.appendChild(xaxis);
    box.appendChild(top);
    box.appendChild(bottom);
    var shape = "";
    function size(T, H, cw, ch) {
      if (canvas.width !== T * cw || canvas.height !== H * ch) {  // a resize clears the canvas
        canvas.width = T * cw; canvas.height = H * ch;
        canvas.style.width = T * cw + "px"; canvas.style.height = H * ch + "px";
      }
      if (shape === [T, H, cw, ch].join()) return;
      shape = [T, H, cw, ch].join();
      yaxis.textContent = "";
      xaxis.textContent = "";
      yaxis.style.height = H * ch + "px";
      xaxis.style.width = T * cw + "px";
      yaxis.appendChild(el("span", { class: "grubook-lab-ytitle" }, "unit"));
      ticks(1, H, ch, 22).forEach(function (u) {
        var s = el("span", { class: "grubook-lab-tick" }, String(u));
        s.style.top = (u - 1 + 0.5) * ch + "px";
        yaxis.appendChild(s);
      });
      ticks(first, T, cw, gap).forEach(function (t) {
        var s = el("span", { class: "grubook-lab-tick" }, String(t));
        s.style.left = (t - first + 0.5) * cw + "px";
        xaxis.appendChild(s);
      });
    }
    return { box: box, size: size };
  }

  /* ----- the adder (chapter 5) --------------------------------------------------------------- */
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

  var PRESETS = [
    ["(2\u2076\u2074 \u2212 1) + 1", (1n << 64n) - 1n, 1n, "a carry of 1 held through 64 columns"],
    ["(2\u00b3\u00b2 \u2212 1) + 1", (1n << 32n) - 1n, 1n, "a carry of 1 held through 32 columns"],
    ["0101\u202601 + 1010\u202610", 0x5555555555555555n, 0xAAAAAAAAAAAAAAAAn,
      "64 columns of one 1 bit each: a carry of 0 held throughout"],
    ["173 + 95", 173n, 95n, "the chapter's example"],
  ];
  var ALLOWED = "a whole number from 0 to 2" + String(MAX_BITS).split("").map(function (d) {
    return SUPERSCRIPT[Number(d)]; }).join("") + " \u2212 1 (up to " + MAX_BITS + " bits)";
  // the bit table and the heat maps share their columns: the row labels (and the maps' unit
  // axis) are GUTTER px wide, then one column a step, as wide as its step number needs
  var GUTTER = 80, CELL_H = 8;

  function columnWidth(T) { return Math.max(16, 8 * String(T - 1).length + 6); }

  function paint(canvas, rows, gate, cw, ch) {
    var T = rows.length, H = rows[0].length;
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
    var names = { a: "First number, a", b: "Second number, b" }, inputs = {};
    root.textContent = "";
    var form = el("div", { class: "grubook-lab-inputs" });
    [["a", "173"], ["b", "95"]].forEach(function (f) {
      var wrap = el("div", { class: "grubook-lab-field" });
      wrap.appendChild(el("label", { for: id + "-" + f[0] }, names[f[0]]));
      inputs[f[0]] = el("input", {
        id: id + "-" + f[0], type: "text", inputmode: "numeric", autocomplete: "off",
        spellcheck: "false", "data-part": f[0], value: f[1], "aria-invalid": "false",
        "aria-describedby": id + "-help", "data-describedby": id + "-help",
      });
      wrap.appendChild(inputs[f[0]]);
      form.appendChild(wrap);
    });
    root.appendChild(form);
    var errors = el("div", { id: id + "-error", class: "grubook-lab-error", "data-part": "errors",
      "aria-live": "polite" });
    root.appendChild(errors);
    root.appendChild(el("p", { id: id + "-help", class: "grubook-lab-help" },
      "Any two non-negative whole numbers in decimal, up to " + MAX_BITS + " bits each. " +
      "The model reads them as the chapter's encoding does: least significant bit first (step t " +
      "reads bit t), at the width of the larger number, plus one step for the last carry."));
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
    // the bit table and the two heat maps scroll together, their columns lined up
    var steps = el("div", { class: "grubook-lab-scroll grubook-lab-steps", tabindex: "0",
      role: "region", "aria-label": "Bit by bit, and the gates, step 0 (least significant) first" });
    var bitsBox = el("div");
    steps.appendChild(bitsBox);
    var maps = {};
    [["z", "update gate z\u209c", "blue"], ["r", "reset gate r\u209c", "vermillion"]].forEach(function (g) {
      var fig = el("figure", { class: "grubook-lab-map" });
      var cap = el("figcaption", {}, "The " + g[1] + ": a row per unit, a column per step " +
        "(the table's columns); white is 0, " + g[2] + " is 1 ");
      cap.appendChild(el("span", { class: "grubook-lab-key grubook-lab-key-" + g[0],
        "aria-hidden": "true" }));
      fig.appendChild(cap);
      var canvas = el("canvas", { role: "img", "aria-label": g[1], "data-part": g[0] + "-map" });
      maps[g[0]] = heatMap(canvas, GUTTER, 0, 0);  // every step: as the table
      maps[g[0]].canvas = canvas;
      fig.appendChild(maps[g[0]].box);
      steps.appendChild(fig);
    });
    root.appendChild(steps);
    var model = null;

    function check(name) {  // the number in box `name`, or null with the box flagged
      var raw = inputs[name].value, v = parse(raw), message = null;
      if (raw.trim() === "") message = names[name] + ", is empty: type " + ALLOWED + ".";
      else if (v === null) {
        message = names[name] + ", reads \u201c" + raw.trim() + "\u201d: type " + ALLOWED +
          ", in decimal digits.";
      } else if (bitLength(v) > MAX_BITS) {
        message = names[name] + ", has " + bitLength(v) + " bits: type " + ALLOWED + ".";
      }
      flag(inputs[name], message, errors.id);
      return { value: message ? null : v, message: message };
    }

    function update() {
      if (!model) return;
      var a = check("a"), b = check("b");
      var problems = [a.message, b.message].filter(Boolean);
      say(errors, problems);
      root.classList.toggle("grubook-lab-wrong", false);
      if (problems.length) {
        sum.textContent = "\u2014";
        verdict.textContent = "(it answers when both boxes are valid: see the " +
          (problems.length === 1 ? "message" : "messages") + " above)";
        steps.hidden = true;
        return;
      }
      steps.hidden = false;
      var enc = encode(a.value, b.value), res = forward(model, enc.x, null), T = enc.bits + 1;
      var pred = 0n, truth = a.value + b.value, wrong = [], carry = 0, rows = {
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
      verdict.textContent = pred === truth ? "(right: " + wrongBits(wrong) + ")" :
        "(wrong: the sum is " + truth.toString() + "; " + wrongBits(wrong) + ")";
      root.classList.toggle("grubook-lab-wrong", pred !== truth);
      var cw = columnWidth(T), table = el("table", { class: "grubook-lab-bits" });
      table.style.width = GUTTER + T * cw + "px";
      var cols = el("colgroup");
      for (var k = 0; k <= T; k++) {
        var col = el("col");
        col.style.width = (k ? cw : GUTTER) + "px";
        cols.appendChild(col);
      }
      table.appendChild(cols);
      [["t", "step t"], ["a", "a\u209c"], ["b", "b\u209c"], ["c", "carry in"], ["s", "sum s\u209c"],
        ["m", "model"], ["w", "wrong"]].forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", { scope: "row" }, row[1]));
        rows[row[0]].forEach(function (v) {
          tr.appendChild(row[0] === "t" ? el("th", { scope: "col" }, String(v)) :
            el("td", row[0] === "w" && v ? { class: "wrong" } : {}, String(v)));
        });
        table.appendChild(tr);
      });
      bitsBox.textContent = "";
      bitsBox.appendChild(table);
      ["z", "r"].forEach(function (g) {
        var H = res[g][0].length, flat = [].concat.apply([], res[g]);
        maps[g].size(T, H, cw, CELL_H);
        paint(maps[g].canvas, res[g], g, cw, CELL_H);
        maps[g].canvas.setAttribute("aria-label", (g === "z" ? "Update gate" : "Reset gate") +
          " of " + plural(H, "unit", "units") + " (rows) over " + plural(T, "step", "steps") +
          " (columns), from " + Math.min.apply(null, flat).toFixed(2) + " to " +
          Math.max.apply(null, flat).toFixed(2));
      });
    }

    inputs.a.addEventListener("input", update);
    inputs.b.addEventListener("input", update);
    root.grubookUpdate = update;
    load(url).then(function (m) { model = m; update(); root.dataset.ready = "true"; },
      function (e) {
        sum.textContent = "\u2014";
        verdict.textContent = "(the model could not be loaded: " + e.message + ")";
      });
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

  /* Paint rows[t][j] (unit j down, step t across, cells cw x ch px) on a canvas sized for them
     (heatMap's size); unit `mark` outlined, the marked steps dashed. */
  function paintMap(canvas, rows, kind, mark, marker, cw, ch) {
    var T = rows.length, H = rows[0].length;
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


  var VALUE_RANGE = "a number from \u22121 to 1";  // the recall task's values: uniform in [-1, 1)
  var MAP_CELL = 8, MAP_GUTTER = 40;  // px: a heat map's cells (three fit a 688 px page), its axis

  function gatesLab(root, index) {
    var url = root.getAttribute("data-weights"), id = "grubook-gates-" + index;
    root.textContent = "";
    var model = null, H = 0, T = 0, rand = mulberry32(index + 1);
    var controls = {};

    /* --- the input sequence: a value and a marker per step, wrapped to the lab's width --- */
    var seqBox = el("fieldset", { class: "grubook-lab-group" });
    seqBox.appendChild(el("legend", {}, "Input sequence x\u209c (edit a value, tick a marker)"));
    var seqPresets = el("div", { class: "grubook-lab-presets", role: "group",
      "aria-label": "Input presets" });
    seqBox.appendChild(seqPresets);
    seqBox.appendChild(el("p", { id: id + "-seq-help", class: "grubook-lab-help" },
      "One box a step: its value x\u209c, " + VALUE_RANGE + ", and under it its marker. " +
      "The task marks one step; the model should answer with its value."));
    var seqList = el("ol", { class: "grubook-lab-seq", "aria-label": "The sequence, step 1 first" });
    seqBox.appendChild(seqList);
    var seqErrors = el("div", { id: id + "-seq-error", class: "grubook-lab-error",
      "data-part": "errors", "aria-live": "polite" });
    seqBox.appendChild(seqErrors);
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
      var rangeLabel = el("label", { for: id + "-" + g[0], class: "grubook-lab-range-label" });
      var out = el("output", { for: id + "-" + g[0], "data-part": g[0] + "-shown" }, "\u2026");
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
    var shown = el("div", { class: "grubook-lab-shown" });  // hidden while an input is invalid
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
    shown.appendChild(charts);
    var mapsBox = el("div", { class: "grubook-lab-scroll grubook-lab-maps", tabindex: "0",
      role: "region", "aria-label": "Heat maps of the state and the gates over the steps" });
    var maps = {};
    [["h", "state h\u209c", "orange is \u22121, white 0, black +1"],
      ["z", "update gate z\u209c", "white is 0, blue 1"],
      ["r", "reset gate r\u209c", "white is 0, vermillion 1"]].forEach(function (g) {
      var fig = el("figure", { class: "grubook-lab-map" });
      fig.appendChild(el("figcaption", {}, g[1] + ": a row per unit, a column per step; " +
        g[2]));
      var canvas = el("canvas", { role: "img", "aria-label": g[1], "data-part": g[0] + "-map" });
      maps[g[0]] = heatMap(canvas, MAP_GUTTER, 1, 22);
      maps[g[0]].canvas = canvas;
      fig.appendChild(maps[g[0]].box);
      mapsBox.appendChild(fig);
    });
    shown.appendChild(mapsBox);
    shown.appendChild(el("p", { class: "grubook-lab-help" }, "Dashed purple: the marked " +
      "step; solid purple outline: the chosen unit."));
    root.appendChild(shown);

    var cells = [];  // [{item: li, value: input, marker: input}] per step

    function buildSequence(x) {
      T = x.length;
      seqList.textContent = "";
      cells = x.map(function (xt, t) {
        var item = el("li", { "data-step": String(t) });
        item.appendChild(el("span", { class: "grubook-lab-step", "aria-hidden": "true" },
          "step " + (t + 1)));
        var v = el("input", { type: "number", min: "-1", max: "1", step: "0.01",
          value: String(xt[0]), "data-part": "value", "data-step": String(t),
          "aria-label": "value at step " + (t + 1), "aria-invalid": "false",
          "aria-describedby": id + "-seq-help", "data-describedby": id + "-seq-help" });
        var m = el("input", { type: "checkbox", "data-part": "marker",
          "data-step": String(t), "aria-label": "marker at step " + (t + 1) });
        m.checked = xt[1] === 1;
        v.addEventListener("input", update);
        m.addEventListener("change", update);
        item.appendChild(v);
        item.appendChild(m);
        seqList.appendChild(item);
        return { item: item, value: v, marker: m };
      });
    }

    function setSequence(x) {
      if (x.length !== cells.length) buildSequence(x);
      x.forEach(function (xt, t) {
        cells[t].value.value = String(xt[0]);
        cells[t].marker.checked = xt[1] === 1;
      });
      update();
    }

    /* The sequence in the boxes, and a message for each value that is not a number in [-1, 1]
       (its box flagged); nothing is clamped or kept from before. */
    function read() {
      var x = [], problems = [];
      cells.forEach(function (c, t) {
        var raw = c.value.value, v = Number(raw), what = null;
        if (c.value.validity && c.value.validity.badInput) what = "not a number";
        else if (raw.trim() === "") what = "empty";
        else if (!isFinite(v) || v < -1 || v > 1) {
          what = raw.trim().replace(/^-/, "\u2212") + ", out of range";
        }
        var message = what && "Value at step " + (t + 1) + ": " + what + "; type " +
          VALUE_RANGE + ".";
        flag(c.value, message, seqErrors.id);
        if (message) problems.push(message);
        x.push([what ? NaN : v, c.marker.checked ? 1 : 0]);
        c.item.classList.toggle("grubook-lab-marked", c.marker.checked);
      });
      return { x: x, problems: problems };
    }

    function moveMarker(delay) {  // one marker, `delay` steps before the end (-1: none)
      cells.forEach(function (c, t) { c.marker.checked = t === T - 1 - delay; });
      update();
    }

    function overrides() {
      var u = unitSel.value, list = [];
      ["z", "r"].forEach(function (g) {
        var c = controls[g], o;
        if (c.mode.value === "learned") return;
        o = { gate: g, units: u === "" ? null : [Number(u)] };
        o[c.mode.value] = Number(c.range.value);
        list.push(o);
      });
      return list.length ? list : null;
    }

    /* The sliders: a forced gate shows its value or scale; a gate as learned shows the mean of
       what it learned in this run (over the steps, of the chosen unit or of every unit), and its
       slider sits there, so that moving it starts from the learned value. */
    function showControls(res, u) {
      ["z", "r"].forEach(function (g) {
        var c = controls[g], mode = c.mode.value, name = g + "\u209c", v = Number(c.range.value);
        var where = u === null ? "every unit" : "unit " + (u + 1);
        if (mode === "learned") {
          c.label.textContent = "mean of " + name + " as learned, over the steps of " + where +
            " (moving it fixes the gate)";
          if (!res) {
            c.out.textContent = "\u2014";
            c.range.setAttribute("aria-valuetext", "not computed: an input is invalid");
            return;
          }
          var vals = u === null ? [].concat.apply([], res[g]) :
            res[g].map(function (row) { return row[u]; });
          var mean = vals.reduce(function (s, x) { return s + x; }, 0) / vals.length;
          c.range.value = mean.toFixed(2);
          c.out.textContent = mean.toFixed(2);
          c.out.dataset.value = String(mean);
          c.range.setAttribute("aria-valuetext", mean.toFixed(2) + ", the mean as learned");
          return;
        }
        c.label.textContent = (mode === "value" ? "fix " : "scale ") + name + " in " + where;
        c.out.textContent = mode === "scale" ? "\u00d7" + v.toFixed(2) : v.toFixed(2);
        c.out.dataset.value = String(v);
        c.range.removeAttribute("aria-valuetext");
      });
    }

    function update() {
      if (!model) return;
      var input = read(), x = input.x, ov = overrides();
      var u = unitSel.value === "" ? null : Number(unitSel.value);
      say(seqErrors, input.problems);
      if (input.problems.length) {
        var n = input.problems.length;
        answer.textContent = "The GRU answers once every value is " + VALUE_RANGE + "; " +
          (n === 1 ? "1 box is not (see the message above)." :
          n + " boxes are not (see the messages above).");
        shown.hidden = true;
        showControls(null, u);
        root.grubookShown = null;
        return;
      }
      shown.hidden = false;
      var res = forward(model, x, ov), marker = [];
      x.forEach(function (xt, t) { if (xt[1] === 1) marker.push(t); });
      showControls(res, u);
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
          (marker[0] + 1) + " (" + (d ? plural(d, "step", "steps") + " before the end" :
          "the last step") + "), is " + fmt(target) + ": squared error "));
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
        maps[g].size(T, H, MAP_CELL, MAP_CELL);
        paintMap(maps[g].canvas, res[g], g, u, marker, MAP_CELL, MAP_CELL);
        var flat = [].concat.apply([], res[g]);
        maps[g].canvas.setAttribute("aria-label", { h: "State", z: "Update gate",
          r: "Reset gate" }[g] + " of " + plural(H, "unit", "units") + " (rows) over " +
          plural(T, "step", "steps") + " (columns), from " + fmt(Math.min.apply(null, flat)) +
          " to " + fmt(Math.max.apply(null, flat)));
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
          title: "held-out sequence " + (k + 1) + ": one the model was tested on" },
          "Held-out " + (k + 1));
        btn.addEventListener("click", function () { setSequence(ex); });
        seqPresets.appendChild(btn);
      });
      [["Random values", function () {
        cells.forEach(function (c) {
          c.value.value = String(Math.round((rand() * 2 - 1) * 100) / 100);
        });
        update();
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

  window.grubookLab = { run: run, load: load, forward: forward, encode: encode,
    wrongBits: wrongBits };

  function start() {
    document.querySelectorAll('.grubook-lab[data-lab="adder"]').forEach(adder);
    document.querySelectorAll('.grubook-lab[data-lab="gates"]').forEach(gatesLab);
    document.querySelectorAll('.grubook-lab[data-lab="adder"]').forEach(offerPlayground);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
