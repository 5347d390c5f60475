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

  window.grubookPlay = {
    train: train, Net: Net, Adam: Adam, Trainer: Trainer, batchOf: batchOf,
    paramShapes: paramShapes, GATE_NAMES: GATE_NAMES,
  };
})();
