/* The GRU Book's playground: a recurrent network trains in the reader's browser.

   The engine: forward, backpropagation through time and Adam, in float64, for grubook's RNN
   (tanh), GRU (PyTorch's convention) and LSTM, with SequenceModel's linear read-out (every step
   when config.per_step, else the last step) and the book's two losses, "bce" (binary cross
   entropy on logits, the addition task) and "mse" (mean squared error, the recall task), both
   averaged over every element as torch's default reduction does. No ML framework.

   The contract the tests hold it to (tests/browser/test_playground.py):

     window.grubookPlay.train(model, batches, options) -> Promise of {losses, state_dict}

   model: {config, state_dict} as grubook.lab.export_model (or grubook.lab.model_doc) writes:
   config holds SequenceModel's arguments, state_dict its parameters under PyTorch's names as
   nested arrays (read as given, in float64). batches: an array of {x, y}, x (batch, time,
   input_size), y (batch, time, output_size) when config.per_step else (batch, output_size).
   options: {lr, betas: [b1, b2], eps, loss: "bce" | "mse"} (betas and eps default to torch's
   (0.9, 0.999) and 1e-8). One step of torch.optim.Adam per batch, starting from the given
   parameters; resolves to the loss of every step (before its update) and the final parameters
   under PyTorch's names. It works in slices between timers, so the page stays responsive.

   The gate equations (gates stacked in PyTorch's order):
     RNN   h' = tanh(W x + b_ih + U h + b_hh)
     GRU   [r, z, n]: r = s(W_r x + b_ir + U_r h + b_hr), z = s(W_z x + b_iz + U_z h + b_hz),
           n = tanh(W_n x + b_in + r * (U_n h + b_hn)), h' = (1 - z) * n + z * h
     LSTM  [i, f, g, o]: i, f, o = s(...), g = tanh(...), c' = f * c + i * g, h' = o * tanh(c')

   The page (<div class="grubook-play" data-settings="{...}">, placed by the {playground}
   directive, grubook_site/play.py) is drawn below the engine. */
(function () {
  "use strict";

  var GATES = { rnn: 1, gru: 3, lstm: 4 };
  var GATE_NAMES = { rnn: [], gru: ["r", "z", "n"], lstm: ["i", "f", "g", "o"] };
  var LOSSES = ["bce", "mse"];

  function sigmoid(v) { return 1 / (1 + Math.exp(-v)); }

  function fail(message) { throw new Error("grubookPlay: " + message); }

  /* ----- parameters ------------------------------------------------------------------------ */

  /* The parameter names of a config, in SequenceModel's state_dict order, with their shapes. */
  function paramShapes(c) {
    var G = GATES[c.cell], H = c.hidden_size, out = [];
    for (var k = 0; k < c.num_layers; k++) {
      var I = k === 0 ? c.input_size : H;
      out.push(["rnn.weight_ih_l" + k, [G * H, I]], ["rnn.weight_hh_l" + k, [G * H, H]],
        ["rnn.bias_ih_l" + k, [G * H]], ["rnn.bias_hh_l" + k, [G * H]]);
    }
    out.push(["head.weight", [c.output_size, H]], ["head.bias", [c.output_size]]);
    return out;
  }

  function checkConfig(c) {
    if (!c || typeof c !== "object") fail("model.config is missing");
    if (!(c.cell in GATES)) fail("config.cell must be 'rnn', 'gru' or 'lstm', got " + c.cell);
    ["input_size", "hidden_size", "output_size", "num_layers"].forEach(function (k) {
      if (!(Number.isInteger(c[k]) && c[k] > 0)) fail("config." + k + " must be a positive integer");
    });
    return c;
  }

  function flatten(value, shape, name) {
    var n = shape.reduce(function (a, b) { return a * b; }, 1), out = new Float64Array(n), i = 0;
    (function walk(v, d) {
      if (d === shape.length) {
        if (typeof v !== "number" || !isFinite(v)) fail(name + " holds " + v + ", not a number");
        out[i++] = v;
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[d]) {
        fail(name + " must have shape [" + shape.join(", ") + "]");
      }
      for (var j = 0; j < v.length; j++) walk(v[j], d + 1);
    })(value, 0);
    return out;
  }

  function nest(flat, shape) {
    if (shape.length === 1) return Array.from(flat);
    var cols = shape[1], rows = [];
    for (var r = 0; r < shape[0]; r++) rows.push(Array.from(flat.subarray(r * cols, (r + 1) * cols)));
    return rows;
  }

  /* A network from a model document: its parameters as flat Float64Arrays, by PyTorch name. */
  function Net(doc) {
    var c = checkConfig(doc && doc.config), sd = (doc && doc.state_dict) || fail("no state_dict");
    this.config = c;
    this.shapes = paramShapes(c);
    this.p = {};
    var self = this;
    this.shapes.forEach(function (s) {
      if (!(s[0] in sd)) fail("state_dict lacks " + s[0]);
      self.p[s[0]] = flatten(sd[s[0]], s[1], s[0]);
    });
  }

  Net.prototype.stateDict = function () {
    var out = {}, self = this;
    this.shapes.forEach(function (s) { out[s[0]] = nest(self.p[s[0]], s[1]); });
    return out;
  };

  Net.prototype.layer = function (k, from) {
    var p = from || this.p;
    return { wih: p["rnn.weight_ih_l" + k], whh: p["rnn.weight_hh_l" + k],
      bih: p["rnn.bias_ih_l" + k], bhh: p["rnn.bias_hh_l" + k],
      I: k === 0 ? this.config.input_size : this.config.hidden_size };
  };

  /* ----- one step of a cell, on a batch ------------------------------------------------------ */

  /* gi = W x + b_ih, gh = U h + b_hh for the whole batch: (B, G*H) each. */
  function affine(w, b, x, B, rows, cols) {
    var out = new Float64Array(B * rows);
    for (var n = 0; n < B; n++) {
      var xo = n * cols, oo = n * rows;
      for (var r = 0; r < rows; r++) {
        var s = b[r], wo = r * cols;
        for (var j = 0; j < cols; j++) s += w[wo + j] * x[xo + j];
        out[oo + r] = s;
      }
    }
    return out;
  }

  /* One step forward. x: (B, I), h, c: (B, H). Returns what the backward step needs. */
  function stepForward(cell, L, x, h, c, B, H) {
    var G = GATES[cell], gi = affine(L.wih, L.bih, x, B, G * H, L.I);
    var gh = affine(L.whh, L.bhh, h, B, G * H, H), hn = new Float64Array(B * H);
    var a = new Float64Array(B * G * H), cn = null, n, j, o;  // the gates' activations
    if (cell === "rnn") {
      for (j = 0; j < B * H; j++) hn[j] = a[j] = Math.tanh(gi[j] + gh[j]);
    } else if (cell === "gru") {
      for (n = 0; n < B; n++) {
        for (j = 0; j < H; j++) {
          o = n * 3 * H;
          var r = sigmoid(gi[o + j] + gh[o + j]);
          var z = sigmoid(gi[o + H + j] + gh[o + H + j]);
          var cand = Math.tanh(gi[o + 2 * H + j] + r * gh[o + 2 * H + j]);
          a[o + j] = r; a[o + H + j] = z; a[o + 2 * H + j] = cand;
          hn[n * H + j] = (1 - z) * cand + z * h[n * H + j];
        }
      }
    } else {
      cn = new Float64Array(B * H);
      for (n = 0; n < B; n++) {
        for (j = 0; j < H; j++) {
          o = n * 4 * H;
          var ig = sigmoid(gi[o + j] + gh[o + j]);
          var fg = sigmoid(gi[o + H + j] + gh[o + H + j]);
          var gg = Math.tanh(gi[o + 2 * H + j] + gh[o + 2 * H + j]);
          var og = sigmoid(gi[o + 3 * H + j] + gh[o + 3 * H + j]);
          a[o + j] = ig; a[o + H + j] = fg; a[o + 2 * H + j] = gg; a[o + 3 * H + j] = og;
          var cv = fg * c[n * H + j] + ig * gg;
          cn[n * H + j] = cv;
          hn[n * H + j] = og * Math.tanh(cv);
        }
      }
    }
    return { x: x, h: h, c: c, gh: gh, a: a, hn: hn, cn: cn };
  }

  /* One step backward: dh (B, H) and, for the LSTM, dc reach the new state; the parameter
     gradients are added to `g`; returns {dh, dc, dx} for the state before the step and for x. */
  function stepBackward(cell, L, s, dh, dc, g, B, H, wantDx) {
    var G = GATES[cell], dgi = new Float64Array(B * G * H), dgh, n, j, o, k;
    var dcPrev = null;
    if (cell === "rnn") {
      for (j = 0; j < B * H; j++) dgi[j] = dh[j] * (1 - s.a[j] * s.a[j]);
      dgh = dgi;
    } else if (cell === "gru") {
      dgh = new Float64Array(B * G * H);
      for (n = 0; n < B; n++) {
        o = n * 3 * H;
        for (j = 0; j < H; j++) {
          var r = s.a[o + j], z = s.a[o + H + j], cand = s.a[o + 2 * H + j], d = dh[n * H + j];
          var dn = d * (1 - z) * (1 - cand * cand);           // through n = tanh(...)
          var dz = d * (s.h[n * H + j] - cand) * z * (1 - z);  // through z = sigmoid(...)
          var dr = dn * s.gh[o + 2 * H + j] * r * (1 - r);     // through r = sigmoid(...)
          dgi[o + j] = dr; dgh[o + j] = dr;
          dgi[o + H + j] = dz; dgh[o + H + j] = dz;
          dgi[o + 2 * H + j] = dn; dgh[o + 2 * H + j] = dn * r;
        }
      }
    } else {
      dgh = dgi;
      dcPrev = new Float64Array(B * H);
      for (n = 0; n < B; n++) {
        o = n * 4 * H;
        for (j = 0; j < H; j++) {
          var ig = s.a[o + j], fg = s.a[o + H + j], gg = s.a[o + 2 * H + j];
          var og = s.a[o + 3 * H + j], tc = Math.tanh(s.cn[n * H + j]), dhj = dh[n * H + j];
          var dcj = (dc ? dc[n * H + j] : 0) + dhj * og * (1 - tc * tc);
          dgi[o + j] = dcj * gg * ig * (1 - ig);
          dgi[o + H + j] = dcj * s.c[n * H + j] * fg * (1 - fg);
          dgi[o + 2 * H + j] = dcj * ig * (1 - gg * gg);
          dgi[o + 3 * H + j] = dhj * tc * og * (1 - og);
          dcPrev[n * H + j] = dcj * fg;
        }
      }
    }
    var rows = G * H, I = L.I, dhPrev = new Float64Array(B * H);
    var dx = wantDx ? new Float64Array(B * I) : null;
    for (n = 0; n < B; n++) {
      for (var r2 = 0; r2 < rows; r2++) {
        var di = dgi[n * rows + r2], dhh = dgh[n * rows + r2];
        g.bih[r2] += di;
        g.bhh[r2] += dhh;
        var wo = r2 * I, xo = n * I;
        for (k = 0; k < I; k++) g.wih[wo + k] += di * s.x[xo + k];
        if (dx) for (k = 0; k < I; k++) dx[xo + k] += di * L.wih[wo + k];
        var uo = r2 * H, ho = n * H;
        for (k = 0; k < H; k++) {
          g.whh[uo + k] += dhh * s.h[ho + k];
          dhPrev[ho + k] += dhh * L.whh[uo + k];
        }
      }
      if (cell === "gru") {
        o = n * 3 * H;
        for (j = 0; j < H; j++) dhPrev[n * H + j] += dh[n * H + j] * s.a[o + H + j];  // z * h
      }
    }
    return { dh: dhPrev, dc: dcPrev, dx: dx };
  }

  /* ----- the model on a batch: forward, loss, backward --------------------------------------- */

  /* x: nested (B, T, I) -> per step Float64Array (B*I). */
  function stepsOf(x, I, where) {
    if (!Array.isArray(x) || !x.length) fail(where + ".x must be a non-empty array (batch, time, input)");
    var B = x.length, T = Array.isArray(x[0]) ? x[0].length : 0, out = [];
    if (!T) fail(where + ".x must be (batch, time, input) with at least one step");
    for (var t = 0; t < T; t++) out.push(new Float64Array(B * I));
    x.forEach(function (seq, n) {
      if (!Array.isArray(seq) || seq.length !== T) fail(where + ".x: every sequence needs " + T + " steps");
      seq.forEach(function (xt, t) {
        if (!Array.isArray(xt) || xt.length !== I) fail(where + ".x: every step needs " + I + " inputs");
        for (var i = 0; i < I; i++) out[t][n * I + i] = xt[i];
      });
    });
    return out;
  }

  /* The forward pass of every layer; keeps what backward needs. xs: per-step (B*I) arrays. */
  Net.prototype.forward = function (xs, B) {
    var c = this.config, H = c.hidden_size, layers = [], input = xs;
    for (var k = 0; k < c.num_layers; k++) {
      var L = this.layer(k), h = new Float64Array(B * H), cs = new Float64Array(B * H), steps = [];
      for (var t = 0; t < input.length; t++) {
        var s = stepForward(c.cell, L, input[t], h, cs, B, H);
        steps.push(s);
        h = s.hn;
        if (s.cn) cs = s.cn;
      }
      layers.push(steps);
      input = steps.map(function (st) { return st.hn; });
    }
    var O = c.output_size, hw = this.p["head.weight"], hb = this.p["head.bias"];
    var read = c.per_step ? input : [input[input.length - 1]];
    var out = read.map(function (ht) { return affine(hw, hb, ht, B, O, H); });
    return { layers: layers, top: read, out: out, B: B };
  };

  /* Loss and d loss / d output (torch's mean over every element). out, y: per read-out step
     (B*O) arrays. */
  function lossOf(kind, out, y) {
    var N = out.length * out[0].length, total = 0, grads = [];
    out.forEach(function (o, t) {
      var d = new Float64Array(o.length), yt = y[t];
      for (var j = 0; j < o.length; j++) {
        var l = o[j], target = yt[j];
        if (kind === "bce") {
          total += Math.max(l, 0) - l * target + Math.log1p(Math.exp(-Math.abs(l)));
          d[j] = (sigmoid(l) - target) / N;
        } else {
          total += (l - target) * (l - target);
          d[j] = 2 * (l - target) / N;
        }
      }
      grads.push(d);
    });
    return { loss: total / N, d: grads };
  }

  /* Gradients of the loss for one batch: {loss, grads by name}. */
  Net.prototype.gradients = function (xs, ys, B, kind) {
    var c = this.config, H = c.hidden_size, O = c.output_size, f = this.forward(xs, B);
    var L = lossOf(kind, f.out, ys), g = {}, self = this;
    this.shapes.forEach(function (s) { g[s[0]] = new Float64Array(self.p[s[0]].length); });
    var hw = this.p["head.weight"], T = xs.length, dTop = [], t, n, o, j;
    for (t = 0; t < T; t++) dTop.push(new Float64Array(B * H));
    L.d.forEach(function (d, i) {
      var ht = f.top[i], dh = dTop[c.per_step ? i : T - 1];
      for (n = 0; n < B; n++) {
        for (o = 0; o < O; o++) {
          var v = d[n * O + o];
          g["head.bias"][o] += v;
          for (j = 0; j < H; j++) {
            g["head.weight"][o * H + j] += v * ht[n * H + j];
            dh[n * H + j] += v * hw[o * H + j];
          }
        }
      }
    });
    for (var k = c.num_layers - 1; k >= 0; k--) {
      var Lk = this.layer(k), gk = this.layer(k, g), steps = f.layers[k];
      var dh = new Float64Array(B * H), dc = null, dIn = [];
      for (t = T - 1; t >= 0; t--) {
        for (j = 0; j < B * H; j++) dh[j] += dTop[t][j];
        var back = stepBackward(c.cell, Lk, steps[t], dh, dc, gk, B, H, k > 0);
        dh = back.dh; dc = back.dc;
        dIn[t] = back.dx;
      }
      dTop = dIn;
    }
    return { loss: L.loss, grads: g, forward: f };
  };

  /* ----- Adam, as torch.optim.Adam (no weight decay, no amsgrad) ----------------------------- */

  function Adam(net, options) {
    var o = options || {};
    this.lr = o.lr;
    this.betas = o.betas || [0.9, 0.999];
    this.eps = o.eps === undefined ? 1e-8 : o.eps;
    if (!(typeof this.lr === "number" && this.lr > 0 && isFinite(this.lr))) {
      fail("options.lr must be a positive number, got " + o.lr);
    }
    if (!(this.betas.length === 2 && this.betas.every(function (b) { return b >= 0 && b < 1; }))) {
      fail("options.betas must be two numbers in [0, 1)");
    }
    if (!(this.eps >= 0)) fail("options.eps must be a number >= 0");
    this.t = 0;
    this.m = {}; this.v = {};
    var self = this;
    net.shapes.forEach(function (s) {
      self.m[s[0]] = new Float64Array(net.p[s[0]].length);
      self.v[s[0]] = new Float64Array(net.p[s[0]].length);
    });
  }

  Adam.prototype.step = function (net, grads) {
    this.t += 1;
    var b1 = this.betas[0], b2 = this.betas[1], t = this.t, eps = this.eps;
    var stepSize = this.lr / (1 - Math.pow(b1, t)), bc2 = Math.sqrt(1 - Math.pow(b2, t));
    var w = 1 - b1;
    for (var name in grads) {
      var p = net.p[name], g = grads[name], m = this.m[name], v = this.v[name];
      for (var i = 0; i < p.length; i++) {
        // torch: exp_avg.lerp_(grad, 1 - beta1), which for a weight below 1/2 is m + w (g - m)
        m[i] = w < 0.5 ? m[i] + w * (g[i] - m[i]) : g[i] - (g[i] - m[i]) * (1 - w);
        v[i] = v[i] * b2 + (1 - b2) * g[i] * g[i];
        p[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) / bc2 + eps));
      }
    }
  };

  /* ----- batches ----------------------------------------------------------------------------- */

  function batchOf(net, batch, i) {
    var c = net.config, where = "batches[" + i + "]";
    if (!batch || typeof batch !== "object") fail(where + " must be an object {x, y}");
    var xs = stepsOf(batch.x, c.input_size, where), B = batch.x.length, O = c.output_size;
    var T = c.per_step ? xs.length : 1, ys = [];
    for (var t = 0; t < T; t++) ys.push(new Float64Array(B * O));
    if (!Array.isArray(batch.y) || batch.y.length !== B) fail(where + ".y needs " + B + " rows");
    batch.y.forEach(function (row, n) {
      var rows = c.per_step ? row : [row];
      if (!Array.isArray(rows) || rows.length !== T) {
        fail(where + ".y must be (batch, " + (c.per_step ? "time, " : "") + "output_size)");
      }
      rows.forEach(function (yt, t2) {
        if (!Array.isArray(yt) || yt.length !== O) fail(where + ".y: " + O + " outputs per row");
        for (var o = 0; o < O; o++) ys[t2][n * O + o] = yt[o];
      });
    });
    return { xs: xs, ys: ys, B: B };
  }

  function checkLoss(loss) {
    if (LOSSES.indexOf(loss) < 0) fail("options.loss must be 'bce' or 'mse', got " + loss);
    return loss;
  }

  /* A trainer: a network, its optimiser and its loss; step(batch) returns the step's loss. */
  function Trainer(net, options) {
    this.net = net;
    this.loss = checkLoss((options || {}).loss);
    this.adam = new Adam(net, options);
  }

  Trainer.prototype.stepPrepared = function (b) {
    var r = this.net.gradients(b.xs, b.ys, b.B, this.loss);
    if (!isFinite(r.loss)) fail("the loss is " + r.loss + ": training diverged; try a smaller lr");
    this.adam.step(this.net, r.grads);
    return r.loss;
  };

  var SLICE_MS = 12;  // work this long, then let the page draw and answer

  function train(model, batches, options) {
    return new Promise(function (resolve, reject) {
      var trainer, prepared, losses = [], i = 0;
      try {
        if (!Array.isArray(batches)) fail("batches must be an array of {x, y}");
        trainer = new Trainer(new Net(model), options);
        prepared = batches.map(function (b, k) { return batchOf(trainer.net, b, k); });
      } catch (e) { reject(e); return; }
      (function slice() {
        try {
          var start = performance.now();
          while (i < prepared.length && performance.now() - start < SLICE_MS) {
            losses.push(trainer.stepPrepared(prepared[i++]));
          }
        } catch (e) { reject(e); return; }
        if (i < prepared.length) setTimeout(slice, 0);
        else resolve({ losses: losses, state_dict: trainer.net.stateDict() });
      })();
    });
  }

  /* ----- seeded numbers, the tasks' data ------------------------------------------------------ */

  function mulberry32(seed) {  // a small seeded generator: the same seed, the same numbers
    seed = seed >>> 0;
    return function () {
      seed = (seed + 0x6d2b79f5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* A model document with torch's initialisation: every parameter of the recurrent layer and of
     the linear head uniform in (-1/sqrt(H), 1/sqrt(H)), drawn from `seed`. */
  function initModel(config, seed, readout) {
    var rand = mulberry32(seed), k = 1 / Math.sqrt(config.hidden_size), sd = {};
    paramShapes(checkConfig(config)).forEach(function (s) {
      var n = s[1].reduce(function (a, b) { return a * b; }, 1), flat = new Float64Array(n);
      for (var i = 0; i < n; i++) flat[i] = (rand() * 2 - 1) * k;
      sd[s[0]] = nest(flat, s[1]);
    });
    return { format: "grubook-lab 1", config: config, readout: readout || "identity",
      state_dict: sd };
  }

  /* grubook.tasks.addition.encode_bits: operand bits (n, bits), least significant first ->
     x (n, bits + 1, 2) with (0, 0) at the extra last step, y (n, bits + 1, 1) the sum's bits
     (a ripple-carry adder: a column carries when a_t + b_t + carry is 2 or more). */
  function additionBits(aBits, bBits) {
    var x = [], y = [];
    aBits.forEach(function (a, n) {
      var b = bBits[n], xs = [], ys = [], carry = 0;
      for (var t = 0; t <= a.length; t++) {
        var at = t < a.length ? a[t] : 0, bt = t < a.length ? b[t] : 0, col = at + bt + carry;
        xs.push([at, bt]);
        ys.push([col % 2]);
        carry = col >= 2 ? 1 : 0;
      }
      x.push(xs); y.push(ys);
    });
    return { x: x, y: y };
  }

  function bitLength(v) { return v === 0n ? 0 : v.toString(2).length; }

  /* grubook.tasks.addition.encode(a, b, bits) for two BigInts: bits null picks the smallest
     width that holds both (at least 1). Returns {x, y} of one pair, batched (1, bits + 1, ...). */
  function additionEncode(a, b, bits) {
    a = BigInt(a); b = BigInt(b);
    if (bits === null || bits === undefined) bits = Math.max(1, bitLength(a), bitLength(b));
    var ab = [[], []];
    for (var t = 0; t < bits; t++) {
      ab[0].push(Number((a >> BigInt(t)) & 1n));
      ab[1].push(Number((b >> BigInt(t)) & 1n));
    }
    return additionBits([ab[0]], [ab[1]]);
  }

  /* grubook.tasks.recall.recall_batch's x and y from its values (batch, length) and delays:
     x[:, t] = (value, marker), the marker 1 at step length - 1 - delay; y the marked value. */
  function recallEncode(values, delays) {
    var x = [], y = [];
    values.forEach(function (row, n) {
      var marked = row.length - 1 - delays[n];
      x.push(row.map(function (v, t) { return [v, t === marked ? 1 : 0]; }));
      y.push([row[marked]]);
    });
    return { x: x, y: y };
  }

  function toBig(bits) {
    var v = 0n;
    for (var t = bits.length - 1; t >= 0; t--) v = (v << 1n) | BigInt(bits[t]);
    return v;
  }

  /* The addition task at `bits` bits: training pairs from `seed`, a held-out set of distinct
     pairs (as grubook.tasks.addition.train_addition: 1000 pairs, or half of all pairs below 6
     bits) from its own seed, never trained on. */
  function AdditionTask(bits, seed, s) {
    this.kind = "addition"; this.bits = bits; this.loss = "bce"; this.perStep = true;
    var n = bits >= 6 ? s.heldout : Math.pow(4, bits) / 2, rand = mulberry32(s.heldout_seed);
    var keys = new Set(), a = [], b = [];
    while (a.length < n) {
      var pa = this.coins(rand), pb = this.coins(rand), key = pa.join("") + "+" + pb.join("");
      if (keys.has(key)) continue;
      keys.add(key); a.push(pa); b.push(pb);
    }
    this.keys = keys;
    this.heldout = additionBits(a, b);
    this.pairs = a.map(function (v, i) { return [toBig(v), toBig(b[i])]; });
    this.rand = mulberry32(seed + 1);
  }

  AdditionTask.prototype.coins = function (rand) {
    var out = [];
    for (var t = 0; t < this.bits; t++) out.push(rand() < 0.5 ? 1 : 0);
    return out;
  };

  AdditionTask.prototype.batch = function (size) {
    var a = [], b = [];
    while (a.length < size) {
      var pa = this.coins(this.rand), pb = this.coins(this.rand);
      if (this.keys.has(pa.join("") + "+" + pb.join(""))) continue;  // held out: draw again
      a.push(pa); b.push(pb);
    }
    return additionBits(a, b);
  };

  /* Held-out scores are counted over chunks of the held-out set: tally adds one chunk's
     (out, y: per step arrays of its n sequences' outputs) to `sum`; result turns the sum into
     {exact, bit} (addition) or {mse} (recall). */
  AdditionTask.prototype.tally = function (sum, out, y) {
    var n = y[0].length;
    for (var i = 0; i < n; i++) {
      var all = true;
      for (var t = 0; t < out.length; t++) {
        var ok = (out[t][i] > 0 ? 1 : 0) === y[t][i];
        sum.bits += ok ? 1 : 0;
        all = all && ok;
      }
      sum.right += all ? 1 : 0;
    }
    sum.n += n;
    sum.steps = out.length;
  };

  AdditionTask.prototype.result = function (sum) {
    return { exact: sum.right / sum.n, bit: sum.bits / (sum.n * sum.steps) };
  };

  AdditionTask.prototype.example = function (i) {
    var p = this.pairs[i];
    return { label: p[0] + " + " + p[1] + " = " + (p[0] + p[1]), x: this.heldout.x[i],
      y: this.heldout.y[i] };
  };

  /* Chapter 3's recall task: `length` values uniform in [-1, 1), one marked `delay` steps
     before the end, delay uniform in [lo, hi]; answer the marked value (mean squared error). */
  function RecallTask(length, seed, s) {
    this.kind = "recall"; this.length = length; this.loss = "mse"; this.perStep = false;
    this.lo = s.delay[0]; this.hi = s.delay[1];
    this.heldout = this.draw(s.heldout, mulberry32(s.heldout_seed));
    this.rand = mulberry32(seed + 1);
  }

  RecallTask.prototype.draw = function (size, rand) {
    var values = [], delays = [];
    for (var n = 0; n < size; n++) {
      var row = [];
      for (var t = 0; t < this.length; t++) row.push(rand() * 2 - 1);
      values.push(row);
      delays.push(this.lo + Math.floor(rand() * (this.hi - this.lo + 1)));
    }
    var r = recallEncode(values, delays);
    r.delays = delays;
    return r;
  };

  RecallTask.prototype.batch = function (size) { return this.draw(size, this.rand); };

  RecallTask.prototype.tally = function (sum, out, y) {
    var o = out[0], t = y[0];
    for (var i = 0; i < o.length; i++) sum.sse += (o[i] - t[i]) * (o[i] - t[i]);
    sum.n += o.length;
  };

  RecallTask.prototype.result = function (sum) { return { mse: sum.sse / sum.n }; };

  RecallTask.prototype.example = function (i) {
    var d = this.heldout.delays[i], x = this.heldout.x[i];
    return { label: "marked value " + num(x[x.length - 1 - d][0], 2) + ", " + d +
      " steps before the end", x: x, y: [this.heldout.y[i]] };
  };

  /* ----- the benchmark the browser test and `python -m benchmarks` read ---------------------- */

  /* Milliseconds per training step (drawing the batch, forward, backward through time, Adam):
     {median, times}. o: {cell, hidden_size, batch_size, bits, steps, warmup, seed}. */
  function benchmark(o) {
    var config = { cell: o.cell, input_size: 2, hidden_size: o.hidden_size, output_size: 1,
      num_layers: 1, per_step: true };
    var net = new Net(initModel(config, o.seed || 0)), tr = new Trainer(net, { lr: 0.01,
      loss: "bce" });
    var rand = mulberry32((o.seed || 0) + 1), times = [];
    function coins() {
      var out = [];
      for (var t = 0; t < o.bits; t++) out.push(rand() < 0.5 ? 1 : 0);
      return out;
    }
    function once() {
      var a = [], b = [];
      for (var n = 0; n < o.batch_size; n++) { a.push(coins()); b.push(coins()); }
      tr.stepPrepared(batchOf(net, additionBits(a, b), 0));
    }
    for (var w = 0; w < (o.warmup === undefined ? 20 : o.warmup); w++) once();
    for (var i = 0; i < o.steps; i++) {
      var t0 = performance.now();
      once();
      times.push(performance.now() - t0);
    }
    var sorted = times.slice().sort(function (p, q) { return p - q; });
    return { median: sorted[Math.floor(sorted.length / 2)], times: times };
  }

  /* ----- drawing ------------------------------------------------------------------------------ */

  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function hexRgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }

  function num(v, digits) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    var s = a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(digits || 3);
    return s.replace("-", "\u2212");
  }

  /* A line chart in an SVG: series [{xs, ys, color, dash, label}], x from 0 to xmax, y linear
     in [lo, hi] or logarithmic. */
  function lineChart(box, series, o) {
    var W = 400, Hh = 230, L = 52, R = 10, T = 10, B = 38;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + Hh, role: "img", "aria-label": o.label });
    var lo = o.lo, hi = o.hi, f = o.log ? Math.log10 : function (v) { return v; };
    var xmax = Math.max(o.xmax, 1);
    var xs = function (v) { return L + (W - L - R) * v / xmax; };
    var ys = function (v) {
      var c = Math.min(Math.max(f(Math.max(v, o.log ? 1e-12 : -Infinity)), f(lo)), f(hi));
      return T + (Hh - T - B) * (1 - (c - f(lo)) / (f(hi) - f(lo)));
    };
    s.appendChild(svg("rect", { x: L, y: T, width: W - L - R, height: Hh - T - B,
      class: "frame" }));
    var ticks = [];
    if (o.log) {
      for (var e = Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) {
        ticks.push(Math.pow(10, e));
      }
      if (ticks.length < 2) ticks = [lo, hi];
    } else {
      for (var k = 0; k <= 4; k++) ticks.push(lo + (hi - lo) * k / 4);
    }
    ticks.forEach(function (v) {
      s.appendChild(svg("line", { x1: L, x2: W - R, y1: ys(v), y2: ys(v), class: "grid" }));
      s.appendChild(svg("text", { x: L - 4, y: ys(v) + 4, "text-anchor": "end", class: "tick" },
        o.tick ? o.tick(v) : o.log ? String(+v.toPrecision(1)) : num(v, 2)));
    });
    [0, Math.round(xmax / 2), xmax].forEach(function (v) {
      s.appendChild(svg("text", { x: xs(v), y: Hh - B + 15, "text-anchor": "middle",
        class: "tick" }, String(v)));
    });
    s.appendChild(svg("text", { x: (L + W - R) / 2, y: Hh - 4, "text-anchor": "middle",
      class: "tick" }, o.xlabel));
    (o.lines || []).forEach(function (h) {
      s.appendChild(svg("line", { x1: L, x2: W - R, y1: ys(h.y), y2: ys(h.y), stroke: h.color,
        "stroke-width": 1.5, "stroke-dasharray": "6 4" }));
    });
    series.forEach(function (ser) {
      if (!ser.ys.length) return;
      var step = Math.max(1, Math.floor(ser.ys.length / 400)), pts = [];  // at most ~400 points
      for (var i = 0; i < ser.ys.length; i += step) {
        pts.push(xs(ser.xs[i]).toFixed(1) + "," + ys(ser.ys[i]).toFixed(1));
      }
      var last = ser.ys.length - 1;
      pts.push(xs(ser.xs[last]).toFixed(1) + "," + ys(ser.ys[last]).toFixed(1));
      s.appendChild(svg("polyline", { fill: "none", stroke: ser.color, "stroke-width": 2,
        "stroke-dasharray": ser.dash || "none", points: pts.join(" ") }));
    });
    box.textContent = "";
    box.appendChild(s);
  }

  /* A heat map of rows[t][j] (unit j down, step t across): white (0) to `hex` (1), or for a
     signed quantity orange (-1), white (0), black (+1). */
  function heatMap(canvas, rows, hex, signed) {
    var T = rows.length, H = rows[0].length, cw = Math.max(6, Math.min(26, Math.floor(300 / T)));
    var ch = Math.max(4, Math.min(12, Math.floor(190 / H)));
    canvas.width = T * cw; canvas.height = H * ch;
    canvas.style.width = T * cw + "px"; canvas.style.height = H * ch + "px";
    var ctx = canvas.getContext("2d"), pos = hexRgb(signed ? "#000000" : hex);
    var neg = hexRgb("#E69F00");
    for (var t = 0; t < T; t++) {
      for (var j = 0; j < H; j++) {
        var v = Math.max(-1, Math.min(1, rows[t][j])), rgb = v < 0 ? neg : pos, a = Math.abs(v);
        ctx.fillStyle = "rgb(" + rgb.map(function (c) {
          return Math.round(255 + (c - 255) * a);
        }).join(",") + ")";
        ctx.fillRect(t * cw, j * ch, cw, ch);
      }
    }
  }

  /* ----- the playground ---------------------------------------------------------------------- */

  var CELL_LABELS = { gru: "GRU", lstm: "LSTM", rnn: "RNN" };
  var DASH = { gru: "none", lstm: "7 4", rnn: "2 3" };
  var GATE_VIEWS = {
    gru: [["z", 1, "update", "update gate z\u209c"], ["r", 0, "reset", "reset gate r\u209c"]],
    lstm: [["i", 0, "input_gate", "input gate i\u209c"], ["f", 1, "forget_gate",
      "forget gate f\u209c"], ["o", 3, "output_gate", "output gate o\u209c"]],
    rnn: [],
  };
  var SPEEDS = [["1", "1 step a frame"], ["5", "5 steps a frame"], ["1000", "as fast as it goes"]];

  function field(parent, id, label, control) {
    var wrap = el("div", { class: "grubook-play-field" });
    wrap.appendChild(el("label", { for: id }, label));
    control.id = id;
    wrap.appendChild(control);
    parent.appendChild(wrap);
    return control;
  }

  function select(options, value, part) {
    var s = el("select", { "data-part": part });
    options.forEach(function (o) {
      var opt = el("option", { value: String(o[0]) }, o[1]);
      if (String(o[0]) === String(value)) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }

  function playground(root, index) {
    var S = JSON.parse(root.getAttribute("data-settings")), id = "grubook-play-" + index;
    var A = S.addition, Rc = S.recall, C = S.colors;
    root.textContent = "";

    /* --- the set-up --- */
    var setup = el("fieldset", { class: "grubook-play-group" });
    setup.appendChild(el("legend", {}, "Network and task"));
    var grid = el("div", { class: "grubook-play-grid" });
    setup.appendChild(grid);
    var ctl = {
      cell: field(grid, id + "-cell", "Cell", select([["gru", "GRU"], ["lstm", "LSTM"],
        ["rnn", "RNN (tanh)"], ["all", "All three"]], "gru", "cell")),
      task: field(grid, id + "-task", "Task", select([["addition", "Addition (ch. 5)"],
        ["recall", "Recall (ch. 3)"]], "addition", "task")),
      bits: field(grid, id + "-bits", "Bits (addition)", el("input", { type: "number",
        min: "2", max: "32", step: "1", value: String(A.bits), "data-part": "bits" })),
      hidden: field(grid, id + "-hidden", "Hidden size", select([2, 4, 8, 16, 32, 64].map(
        function (v) { return [v, String(v)]; }), A.hidden_size, "hidden")),
      lr: field(grid, id + "-lr", "Learning rate", select([0.001, 0.003, 0.01, 0.03, 0.1].map(
        function (v) { return [v, String(v)]; }), A.lr, "lr")),
      batch: field(grid, id + "-batch", "Batch size", select([8, 16, 32, 64, 128].map(
        function (v) { return [v, String(v)]; }), A.batch_size, "batch")),
      seed: field(grid, id + "-seed", "Seed", el("input", { type: "number", min: "0",
        max: "999999", step: "1", value: String(A.seed), "data-part": "seed" })),
      speed: field(grid, id + "-speed", "Speed", select(SPEEDS, "1", "speed")),
    };
    root.appendChild(setup);

    var buttons = el("div", { class: "grubook-play-buttons", role: "group",
      "aria-label": "Training" });
    var trainBtn = el("button", { type: "button", class: "btn grubook-play-primary",
      "data-part": "train" }, "Train");
    var stepBtn = el("button", { type: "button", class: "btn", "data-part": "step" },
      "Step once");
    var resetBtn = el("button", { type: "button", class: "btn", "data-part": "reset" },
      "Reset");
    [trainBtn, stepBtn, resetBtn].forEach(function (b) { buttons.appendChild(b); });
    root.appendChild(buttons);
    var status = el("p", { class: "grubook-play-status", "data-part": "status" });
    root.appendChild(status);
    var live = el("p", { class: "grubook-sr-only", "aria-live": "polite", role: "status",
      "data-part": "announce" });
    root.appendChild(live);

    /* --- the curves --- */
    var charts = el("div", { class: "grubook-play-charts" });
    var lossFig = el("figure", { class: "grubook-play-chart" });
    var lossCap = el("figcaption");
    var lossBox = el("div", { "data-part": "loss-chart" });
    lossFig.appendChild(lossCap); lossFig.appendChild(lossBox);
    var evalFig = el("figure", { class: "grubook-play-chart" });
    var evalCap = el("figcaption");
    var evalBox = el("div", { "data-part": "eval-chart" });
    evalFig.appendChild(evalCap); evalFig.appendChild(evalBox);
    charts.appendChild(lossFig); charts.appendChild(evalFig);
    root.appendChild(charts);
    var legend = el("p", { class: "grubook-play-legend" });
    root.appendChild(legend);

    /* --- inside one example --- */
    var inside = el("fieldset", { class: "grubook-play-group" });
    inside.appendChild(el("legend", {}, "Inside one held-out example"));
    var insideGrid = el("div", { class: "grubook-play-grid" });
    inside.appendChild(insideGrid);
    var exampleSel = field(insideGrid, id + "-example", "Example", el("select", {
      "data-part": "example" }));
    var viewSel = field(insideGrid, id + "-view", "Whose gates", el("select", {
      "data-part": "view" }));
    var answerLine = el("p", { class: "grubook-play-answer", "data-part": "example-answer" });
    inside.appendChild(answerLine);
    var maps = el("div", { class: "grubook-play-scroll grubook-play-maps", tabindex: "0",
      role: "region", "aria-label": "Heat maps of the gates over the steps" });
    inside.appendChild(maps);
    root.appendChild(inside);

    /* --- try it: your own sum --- */
    var tryBox = el("fieldset", { class: "grubook-play-group", "data-part": "try" });
    tryBox.appendChild(el("legend", {}, "Try it: your own sum"));
    var tryGrid = el("div", { class: "grubook-play-grid" });
    tryBox.appendChild(tryGrid);
    var tryA = field(tryGrid, id + "-a", "First number, a", el("input", { type: "text",
      inputmode: "numeric", autocomplete: "off", value: "173", "data-part": "a" }));
    var tryB = field(tryGrid, id + "-b", "Second number, b", el("input", { type: "text",
      inputmode: "numeric", autocomplete: "off", value: "95", "data-part": "b" }));
    // a live region while the reader types, quiet while training changes the answer
    var tryOut = el("p", { class: "grubook-play-answer", "aria-live": "off",
      "data-part": "try-answer" });
    tryBox.appendChild(tryOut);
    var keep = el("div", { class: "grubook-play-buttons" });
    var keepBtn = el("button", { type: "button", class: "btn", "data-part": "keep" },
      "Use this GRU in chapter 5's lab");
    keep.appendChild(keepBtn);
    tryBox.appendChild(keep);
    var kept = el("p", { class: "grubook-play-help", "data-part": "kept" });
    tryBox.appendChild(kept);
    root.appendChild(tryBox);

    /* --- the state --- */
    var task = null, runs = [], step = 0, running = false, raf = null, maxSteps = A.max_steps;
    var job = null;  // the held-out evaluation under way

    function cells() { return ctl.cell.value === "all" ? ["rnn", "gru", "lstm"] : [ctl.cell.value]; }

    function intIn(input, lo, hi, fallback) {
      var v = parseInt(input.value, 10), ok = Number.isInteger(v) && v >= lo && v <= hi;
      input.setAttribute("aria-invalid", ok ? "false" : "true");
      return ok ? v : fallback;
    }

    function reset(announce) {
      stop();
      var seed = intIn(ctl.seed, 0, 999999, A.seed), H = Number(ctl.hidden.value);
      var bits = intIn(ctl.bits, 2, 32, A.bits), kind = ctl.task.value;
      task = kind === "addition" ? new AdditionTask(bits, seed, A) :
        new RecallTask(Rc.length, seed, Rc);
      ctl.bits.disabled = kind !== "addition";
      tryBox.hidden = kind !== "addition";
      runs = cells().map(function (cell) {
        var config = { cell: cell, input_size: 2, hidden_size: H, output_size: 1, num_layers: 1,
          per_step: task.perStep };
        var net = new Net(initModel(config, seed, task.perStep ? "sigmoid" : "identity"));
        return { cell: cell, net: net, trainer: new Trainer(net, { lr: Number(ctl.lr.value),
          loss: task.loss }), losses: [], evalSteps: [], evals: [], solvedAt: null };
      });
      task.prepared = batchOf(runs[0].net, task.heldout, 0);
      step = 0;
      job = null;
      pending = null;
      evaluate();
      flush();
      exampleSel.textContent = "";
      for (var i = 0; i < 6; i++) {
        exampleSel.appendChild(el("option", { value: String(i) }, task.example(i).label));
      }
      viewSel.textContent = "";
      runs.forEach(function (r, k) {
        viewSel.appendChild(el("option", { value: String(k) }, CELL_LABELS[r.cell]));
      });
      viewSel.value = String(Math.max(0, cells().indexOf("gru")));  // the book's cell first
      viewSel.disabled = runs.length === 1;
      draw(true);
      if (announce) say("Reset: a new " + runs.map(function (r) { return CELL_LABELS[r.cell]; })
        .join(", ") + " from seed " + seed + ".");
    }

    /* The held-out evaluation is a job done in chunks between training steps (a large network
       on 1000 sums would hold up a frame); training waits until it is done, so each score is
       that of the step it names. */
    var CHUNK = 50;
    var FRAME_MS = 8;  // training and evaluating per frame; the rest of the frame draws

    function evaluate() {
      job = { step: step, k: 0, i: 0, sums: runs.map(function () {
        return { n: 0, right: 0, bits: 0, steps: 0, sse: 0 }; }) };
    }

    function evalChunk() {
      var P = task.prepared, r = runs[job.k], end = Math.min(job.i + CHUNK, P.B), i0 = job.i;
      var I = r.net.config.input_size, O = r.net.config.output_size;
      var f = r.net.forward(P.xs.map(function (x) { return x.subarray(i0 * I, end * I); }),
        end - i0);
      task.tally(job.sums[job.k], f.out, P.ys.map(function (y) {
        return y.subarray(i0 * O, end * O); }));
      job.i = end;
      if (end < P.B) return;
      var res = task.result(job.sums[job.k]);
      r.evalSteps.push(job.step); r.evals.push(res);
      if (r.solvedAt === null && task.kind === "addition" && res.exact === 1) {
        r.solvedAt = job.step;
        say("The " + CELL_LABELS[r.cell] + " adds every held-out pair right at step " +
          job.step + ".");
      }
      job.k += 1; job.i = 0;
      if (job.k === runs.length) job = null;
    }

    function flush() { while (job) evalChunk(); }

    function finish() {  // the step under way, then its evaluation
      while (pending) if (!partStep()) break;
      flush();
    }

    /* One training step is one step of each run on the same batch, taken one run at a time
       (`part` of it done so far), so that three large networks do not hold up one frame. */
    var pending = null;

    function partStep() {
      if (!pending) pending = { batch: batchOf(runs[0].net, task.batch(Number(ctl.batch.value)),
        0), k: 0 };
      var r = runs[pending.k];
      try {
        r.losses.push(r.trainer.stepPrepared(pending.batch));
      } catch (e) {
        stop();
        pending = null;
        say("Training stopped: " + e.message.replace("grubookPlay: ", ""));
        return false;
      }
      pending.k += 1;
      if (pending.k < runs.length) return true;
      pending = null;
      step += 1;
      if (step % A.eval_every === 0) evaluate();
      return true;
    }

    function oneStep() {
      do { if (!partStep()) return false; } while (pending);
      return true;
    }

    function frame() {
      raf = null;
      if (!running) return;
      var want = Number(ctl.speed.value), start = performance.now(), done = 0;
      while (performance.now() - start < FRAME_MS) {
        if (job) { evalChunk(); continue; }
        if (!pending && (done >= want || step >= maxSteps)) break;
        if (!partStep()) return;
        if (!pending) done += 1;
      }
      draw(false);
      if (step >= maxSteps && !job) {
        stop();
        say("Stopped after " + step + " steps, the most one run takes here. " + summary());
        return;
      }
      raf = requestAnimationFrame(frame);
    }

    function start() {
      if (running) return;
      running = true;
      trainBtn.textContent = "Pause";
      say("Training.");
      raf = requestAnimationFrame(frame);
    }

    function stop() {
      running = false;
      if (raf !== null) cancelAnimationFrame(raf);
      raf = null;
      trainBtn.textContent = "Train";
    }

    function say(text) { live.textContent = text; }

    function metric(r) {
      var e = r.evals[r.evals.length - 1];
      return task.kind === "addition" ? "held-out exact match " + (100 * e.exact).toFixed(1) +
        "%" : "held-out mean squared error " + num(e.mse, 4);
    }

    function summary() {
      return runs.map(function (r) {
        var loss = r.losses.length ? num(r.losses[r.losses.length - 1], 4) : "\u2014";
        return CELL_LABELS[r.cell] + ": loss " + loss + ", " + metric(r) +
          (r.solvedAt !== null ? " (all right since step " + r.solvedAt + ")" : "");
      }).join("; ") + ".";
    }

    function draw(all) {
      status.textContent = "Step " + step + " of at most " + maxSteps + ". " + summary();
      var steps = [], lo = Infinity, hi = 0;
      runs.forEach(function (r) {
        r.losses.forEach(function (v) { if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
      });
      if (!isFinite(lo)) { lo = 0.01; hi = 1; }
      lo = Math.pow(10, Math.floor(Math.log10(lo))); hi = Math.pow(10, Math.ceil(Math.log10(hi)));
      var lossName = task.loss === "bce" ? "binary cross entropy" : "mean squared error";
      lossCap.textContent = "Training loss (" + lossName + ") of each step's batch";
      lineChart(lossBox, runs.map(function (r) {
        steps = r.losses.map(function (_, i) { return i + 1; });
        return { xs: steps, ys: r.losses, color: C[r.cell], dash: DASH[r.cell] };
      }), { lo: lo, hi: hi, log: true, xmax: Math.max(step, 10), xlabel: "training step",
        label: "Training loss over " + step + " steps: " + runs.map(function (r) {
          return CELL_LABELS[r.cell] + " " + (r.losses.length ? num(r.losses[r.losses.length -
            1], 4) : "not trained yet"); }).join(", ") });
      if (task.kind === "addition") {
        evalCap.textContent = "Held-out exact match: the share of " + task.heldout.x.length +
          " sums, never trained on, with every bit right";
        lineChart(evalBox, runs.map(function (r) {
          return { xs: r.evalSteps, ys: r.evals.map(function (e) { return e.exact; }),
            color: C[r.cell], dash: DASH[r.cell] };
        }), { lo: 0, hi: 1, xmax: Math.max(step, 10), xlabel: "training step",
          tick: function (v) { return Math.round(100 * v) + "%"; },
          label: "Held-out exact match: " + runs.map(function (r) {
            return CELL_LABELS[r.cell] + " " + (100 * r.evals[r.evals.length - 1].exact)
              .toFixed(1) + "%"; }).join(", ") });
      } else {
        evalCap.textContent = "Held-out mean squared error on " + task.heldout.x.length +
          " sequences; dashed: always answering 0 (" + num(Rc.chance_mse, 3) + ")";
        var mlo = Infinity;
        runs.forEach(function (r) { r.evals.forEach(function (e) { mlo = Math.min(mlo, e.mse); }); });
        lineChart(evalBox, runs.map(function (r) {
          return { xs: r.evalSteps, ys: r.evals.map(function (e) { return e.mse; }),
            color: C[r.cell], dash: DASH[r.cell] };
        }), { lo: Math.min(0.01, Math.pow(10, Math.floor(Math.log10(mlo)))), hi: 1, log: true,
          xmax: Math.max(step, 10), xlabel: "training step",
          lines: [{ y: Rc.chance_mse, color: C.baseline }],
          label: "Held-out mean squared error: " + runs.map(function (r) {
            return CELL_LABELS[r.cell] + " " + num(r.evals[r.evals.length - 1].mse, 4); })
            .join(", ") });
      }
      legend.textContent = "";
      runs.forEach(function (r) {
        var key = el("span", { class: "grubook-play-key", "aria-hidden": "true" });
        key.style.borderTop = "3px " + (r.cell === "gru" ? "solid" : r.cell === "lstm" ?
          "dashed" : "dotted") + " " + C[r.cell];
        legend.appendChild(key);
        legend.appendChild(document.createTextNode(" " + CELL_LABELS[r.cell] + " "));
      });
      if (all || !running || step % 4 === 0) {
        tryOut.setAttribute("aria-live", "off");
        drawInside();
        tryIt();
      }
    }

    /* the chosen example through the chosen run: its gates and its answer */
    function drawInside() {
      var r = runs[Number(viewSel.value) || 0], ex = task.example(Number(exampleSel.value) || 0);
      var f = r.net.forward(stepsOf([ex.x], 2, "example"), 1), H = r.net.config.hidden_size;
      var top = f.layers[f.layers.length - 1], G = GATES[r.cell];
      if (task.kind === "addition") {
        var bits = f.out.map(function (o) { return o[0] > 0 ? 1 : 0; });
        var wrong = bits.filter(function (b, t) { return b !== ex.y[t][0]; }).length;
        answerLine.textContent = "The " + CELL_LABELS[r.cell] + " writes the sum's bits " +
          bits.slice().reverse().join("") + " (most significant first); the right ones are " +
          ex.y.map(function (v) { return v[0]; }).reverse().join("") + ": " +
          (wrong ? wrong + " wrong" : "all right") + ".";
      } else {
        answerLine.textContent = "The " + CELL_LABELS[r.cell] + " answers " +
          num(f.out[0][0], 3) + "; the marked value is " + num(ex.y[0][0], 3) + ".";
      }
      var views = GATE_VIEWS[r.cell].map(function (v) {
        return { name: v[3], color: C[v[2]], rows: top.map(function (s) {
          return Array.from(s.a.subarray(v[1] * H, (v[1] + 1) * H)); }) };
      });
      if (!G || r.cell === "rnn") {
        views = [{ name: "state h\u209c", signed: true, rows: top.map(function (s) {
          return Array.from(s.hn); }) }];
      }
      maps.textContent = "";
      views.forEach(function (v) {
        var fig = el("figure", { class: "grubook-play-map" });
        var cap = el("figcaption", {}, v.name + ": a row per unit, a column per step; " +
          (v.signed ? "orange \u22121, white 0, black +1" : "white 0, coloured 1") + " ");
        if (!v.signed) {
          var key = el("span", { class: "grubook-play-swatch", "aria-hidden": "true" });
          key.style.background = v.color;
          cap.appendChild(key);
        }
        fig.appendChild(cap);
        var canvas = el("canvas", { role: "img" });
        var flat = [].concat.apply([], v.rows);
        canvas.setAttribute("aria-label", v.name + " of " + H + " units over " + v.rows.length +
          " steps, from " + num(Math.min.apply(null, flat), 2) + " to " +
          num(Math.max.apply(null, flat), 2));
        heatMap(canvas, v.rows, v.color, v.signed);
        fig.appendChild(canvas);
        maps.appendChild(fig);
      });
    }

    function parse(text) {
      var t = String(text).replace(/[\s,_]/g, "");
      return /^\d+$/.test(t) ? BigInt(t) : null;
    }

    function tryIt() {
      if (task.kind !== "addition") return;
      var a = parse(tryA.value), b = parse(tryB.value);
      tryA.setAttribute("aria-invalid", a === null ? "true" : "false");
      tryB.setAttribute("aria-invalid", b === null ? "true" : "false");
      if (a === null || b === null) {
        tryOut.textContent = "Type two non-negative whole numbers.";
        return;
      }
      if (bitLength(a) > 64 || bitLength(b) > 64) {
        tryOut.textContent = "Numbers up to 64 bits, please.";
        return;
      }
      var enc = additionEncode(a, b, null), parts = [];
      runs.forEach(function (r) {
        var f = r.net.forward(stepsOf(enc.x, 2, "sum"), 1), sum = 0n;
        f.out.forEach(function (o, t) { if (o[0] > 0) sum |= 1n << BigInt(t); });
        parts.push({ cell: r.cell, sum: sum });
      });
      tryOut.textContent = "";
      parts.forEach(function (p, k) {
        if (k) tryOut.appendChild(document.createTextNode("; "));
        tryOut.appendChild(document.createTextNode((k ? "the " : "The ") + CELL_LABELS[p.cell] +
          " says "));
        tryOut.appendChild(el("b", { "data-part": "sum-" + p.cell }, p.sum.toString()));
        tryOut.appendChild(document.createTextNode(p.sum === a + b ? " (right)" :
          " (wrong: " + (a + b).toString() + ")"));
      });
      tryOut.appendChild(document.createTextNode(". " + (step ? "After " + step +
        " training steps." : "Untrained: press Train first.")));
    }

    trainBtn.addEventListener("click", function () {
      if (running) {
        stop(); finish(); draw(true);
        say("Paused at step " + step + ". " + summary());
      }
      else start();
    });
    stepBtn.addEventListener("click", function () {
      stop(); finish();
      if (step < maxSteps && oneStep()) { flush(); draw(true); }
      say("Step " + step + ".");
    });
    resetBtn.addEventListener("click", function () { reset(true); });
    /* chapter 5's adder (static/lab.js) reads the GRU from localStorage under this key */
    keepBtn.addEventListener("click", function () {
      var r = runs.filter(function (x) { return x.cell === "gru"; })[0];
      kept.textContent = "";
      if (!r || task.kind !== "addition") {
        kept.textContent = "Train a GRU on the addition task first.";
        return;
      }
      finish();
      var doc = { format: "grubook-lab 1", config: r.net.config, readout: "sigmoid",
        state_dict: r.net.stateDict() };
      try {
        window.localStorage.setItem("grubook-play-adder", JSON.stringify(doc));
      } catch (e) {
        kept.textContent = "This browser would not keep it (" + e.message + ").";
        return;
      }
      kept.appendChild(document.createTextNode("Kept in this browser, as trained for " + step +
        " steps: "));
      kept.appendChild(el("a", { href: "05-addition-task.html#ask-the-model" },
        "chapter 5's lab"));
      kept.appendChild(document.createTextNode(" now offers it beside the chapter's model."));
      say("Kept: chapter 5's lab now offers this GRU.");
    });
    ["cell", "task", "hidden", "lr", "batch"].forEach(function (k) {
      ctl[k].addEventListener("change", function () { reset(true); });
    });
    ["bits", "seed"].forEach(function (k) {
      ctl[k].addEventListener("change", function () { reset(true); });
    });
    exampleSel.addEventListener("change", drawInside);
    viewSel.addEventListener("change", drawInside);
    [tryA, tryB].forEach(function (input) {
      input.addEventListener("input", function () {
        tryOut.setAttribute("aria-live", "polite");
        tryIt();
      });
    });

    root.grubookPlay = {
      models: function () {
        return runs.map(function (r) {
          return { config: r.net.config, state_dict: r.net.stateDict() };
        });
      },
      step: function () { return step; },
      running: function () { return running; },
    };
    reset(false);
    root.dataset.ready = "true";
  }

  window.grubookPlay = {
    train: train, Net: Net, Adam: Adam, Trainer: Trainer, batchOf: batchOf,
    paramShapes: paramShapes, initModel: initModel, benchmark: benchmark,
    tasks: { addition: { encodeBits: additionBits, encode: additionEncode },
      recall: { encode: recallEncode } },
  };

  function startAll() { document.querySelectorAll(".grubook-play").forEach(playground); }
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
    else startAll();
  }
})();
