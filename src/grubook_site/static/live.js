/* The GRU Book's live labs: the book's trained GRUs run in the reader's browser.

   window.grubookLive.run(weightsUrl, x, overrides) -> Promise of {output, h, z, r, n}: one
   sequence x (an array of time steps, each an array of input_size numbers) through the model in
   the JSON file that grubook.live.export_model wrote at build time. Forward pass only, in
   PyTorch's GRU convention (gates stacked [r, z, n]; r scales (U_n h + b_hn) after the matmul):
       r = sigmoid(W_r x + b_ir + U_r h + b_hr)   z = sigmoid(W_z x + b_iz + U_z h + b_hz)
       n = tanh(W_n x + b_in + r * (U_n h + b_hn))   h' = (1 - z) * n + z * h
   then the linear head at every step and the file's readout (sigmoid or identity). Every field is
   an array over time (h, z, r, n of the top layer). overrides: null, or the list of
   grubook.live (fix or scale z / r for chosen units), applied in order. Proven equal to
   grubook.live.run in tests/browser/test_live.py. Weights are read as float32 (Math.fround), the
   arithmetic is float64.

   Labs: <div class="grubook-live" data-lab="adder" data-weights="URL"> becomes the chapter 5
   adder (inputs [data-live="a"], [data-live="b"], the model's sum in [data-live="sum"]). */
(function () {
  "use strict";
  var cache = {};

  function sigmoid(v) { return 1 / (1 + Math.exp(-v)); }

  function toF32(v) {
    return Array.isArray(v) ? v.map(toF32) : Math.fround(v);
  }

  function prepare(doc) {
    var c = doc.config || {};
    if (c.cell !== "gru") throw new Error("grubookLive: only GRU models run here, got " + c.cell);
    var sd = doc.state_dict, layers = [];
    for (var k = 0; k < c.num_layers; k++) {
      layers.push({
        wih: toF32(sd["rnn.weight_ih_l" + k]), whh: toF32(sd["rnn.weight_hh_l" + k]),
        bih: toF32(sd["rnn.bias_ih_l" + k]), bhh: toF32(sd["rnn.bias_hh_l" + k]),
      });
    }
    return {
      config: c, layers: layers, readout: doc.readout || "identity",
      hw: toF32(sd["head.weight"]), hb: toF32(sd["head.bias"]),
    };
  }

  function load(url) {
    var abs = new URL(url, window.location.href).href;
    if (!cache[abs]) {
      cache[abs] = fetch(abs).then(function (r) {
        if (!r.ok) throw new Error("grubookLive: " + abs + ": HTTP " + r.status);
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
        throw new Error("grubookLive: each step needs " + c.input_size + " inputs");
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
    var url = root.getAttribute("data-weights"), id = "grubook-live-" + index;
    root.textContent = "";
    var form = el("div", { class: "grubook-live-inputs" });
    [["a", "First number, a", "173"], ["b", "Second number, b", "95"]].forEach(function (f) {
      var wrap = el("div", { class: "grubook-live-field" });
      wrap.appendChild(el("label", { for: id + "-" + f[0] }, f[1]));
      wrap.appendChild(el("input", {
        id: id + "-" + f[0], type: "text", inputmode: "numeric", autocomplete: "off",
        spellcheck: "false", "data-live": f[0], value: f[2], "aria-describedby": id + "-help",
      }));
      form.appendChild(wrap);
    });
    root.appendChild(form);
    root.appendChild(el("p", { id: id + "-help", class: "grubook-live-help" },
      "Any two non-negative whole numbers in decimal, up to " + MAX_BITS + " bits each. " +
      "The model reads them as the chapter's encoding does: least significant bit first, at " +
      "the width of the larger number, plus one step for the last carry."));
    var presets = el("div", { class: "grubook-live-presets", role: "group",
      "aria-label": "Hard cases" });
    PRESETS.forEach(function (p) {
      var btn = el("button", { type: "button", class: "btn", title: p[3] }, p[0]);
      btn.addEventListener("click", function () {
        inputs.a.value = p[1].toString(); inputs.b.value = p[2].toString(); update();
      });
      presets.appendChild(btn);
    });
    root.appendChild(presets);
    var answer = el("p", { class: "grubook-live-answer", "aria-live": "polite" });
    answer.appendChild(document.createTextNode("The GRU says: "));
    var sum = el("output", { "data-live": "sum", for: id + "-a " + id + "-b" }, "\u2026");
    answer.appendChild(sum);
    var verdict = el("span", { "data-live": "verdict" });
    answer.appendChild(document.createTextNode(" "));
    answer.appendChild(verdict);
    root.appendChild(answer);
    var bitsBox = el("div", { class: "grubook-live-scroll", tabindex: "0", role: "region",
      "aria-label": "Bit by bit, step 0 (least significant) first" });
    root.appendChild(bitsBox);
    var maps = el("div", { class: "grubook-live-scroll grubook-live-maps", tabindex: "0",
      role: "region", "aria-label": "Heat maps of the gates over the steps" });
    var canvases = {};
    [["z", "update gate z_t", "blue"], ["r", "reset gate r_t", "vermillion"]].forEach(function (g) {
      var fig = el("figure", { class: "grubook-live-map" });
      var cap = el("figcaption", {}, g[1] + ": one row per unit by step t (columns); " +
        "white is 0, " + g[2] + " is 1 ");
      cap.appendChild(el("span", { class: "grubook-live-key grubook-live-key-" + g[0],
        "aria-hidden": "true" }));
      fig.appendChild(cap);
      canvases[g[0]] = el("canvas", { role: "img", "aria-label": g[1] });
      fig.appendChild(canvases[g[0]]);
      maps.appendChild(fig);
    });
    root.appendChild(maps);
    var inputs = { a: root.querySelector('[data-live="a"]'), b: root.querySelector('[data-live="b"]') };
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
      root.classList.toggle("grubook-live-wrong", pred !== truth);
      var table = el("table", { class: "grubook-live-bits" });
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

  window.grubookLive = { run: run, load: load, forward: forward, encode: encode };

  function start() {
    document.querySelectorAll('.grubook-live[data-lab="adder"]').forEach(adder);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
