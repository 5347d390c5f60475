"""The playground (issue 27): the page trains a network in the browser, and its engine is grubook.

On the built playground (``_build/html/book/playground.html``), in Chromium, one page load:

- proven equal: for each cell (RNN, GRU, LSTM) and both losses (addition's binary cross entropy
  on every step's logit, recall's mean squared error on the last step's read-out), and for a
  two-layer LSTM, a random float64 model is built in Python (``grubook.lab.model_doc``) and
  random batches drawn from the book's tasks; 20 steps through ``grubookPlay.train`` in the page
  and the same 20 steps of ``torch.optim.Adam`` on grubook (``grubook.play.train_steps``) must
  give every step's loss and every final parameter to within 1e-8, relative;
- the check bites: the same comparison on an engine whose GRU gradient misses one term (U_n's
  gradient without the reset gate, derived from the built play.js and run in the page) reports
  mismatches for the GRU and none for the other cells;
- the data: the page encodes given operands and given recall values exactly as
  ``grubook.tasks.addition.encode_bits`` / ``encode`` and ``grubook.tasks.recall`` do;
- the page: Train, Pause, Step once and Reset work with the keyboard's Enter as with a click, the
  same seed gives the same run, the network learns to add, the sum typed under "Try it" is the
  trained model's (checked in grubook on the weights the page holds), the tab keeps drawing
  frames while it trains, and it fits a 390 px phone with every control labelled;
- the speed of one training step (GRU, hidden 16, batch 32, 8-bit sums) is printed; the issue asks
  under 16 ms.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sitecheck
import torch
from bookbuild import ROOT
from test_adder_lab import PAGE as CHAPTER_5
from test_adder_lab import sum_problems

from grubook import lab, play
from grubook.tasks import addition, recall
from grubook.training import SequenceModel
from grubook_site.play import LIMIT_MS, PAGE, step_times

pytestmark = pytest.mark.browser

HTML = ROOT / "_build" / "html"
ROOT_SEL = ".grubook-play"
TOLERANCE = 1e-8  # relative; values below TINY in size are compared absolutely
TINY = 1e-12
STEPS = 20
# one wrong term in the GRU's backward pass: the gradient reaching U_n h + b_hn forgets r
BROKEN = ("dgh[o + 2 * H + j] = dn * r;", "dgh[o + 2 * H + j] = dn;")

_TRAIN_JS = """
const done = arguments[arguments.length - 1];
window.grubookPlay.train(arguments[0], arguments[1], arguments[2])
  .then((r) => done({ok: true, result: r}), (e) => done({ok: false, error: String(e)}));
"""


def open_lab(driver, base, page, lab):
    """Open ``page`` (``base`` None: stay) and wait until its ``lab`` is ready."""
    if base is not None:
        sitecheck.emulate(driver, None)
        driver.get(base + page)
    ready = f"const l = document.querySelector('{lab}'); return !!(l && l.dataset.ready);"
    assert sitecheck.poll(lambda: driver.execute_script(ready), 20, 0.1), f"{lab}: not ready"


def _click(driver, element, timeout=10.0):
    """Click ``element`` as a reader would, once it can be: scrolled to the middle of the window
    (clear of the theme's sticky header), and again while the page is still settling after a
    change of size (selenium's "element not interactable")."""
    from selenium.common.exceptions import ElementNotInteractableException

    def attempt():
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except ElementNotInteractableException:
            return False
        return True

    assert sitecheck.poll(attempt, timeout, 0.2), (
        f"could not click {element.get_attribute('outerHTML')[:120]}"
    )


def _open(driver, base):
    sitecheck.emulate(driver, None)
    driver.get(base + PAGE)
    ready = f"const l = document.querySelector('{ROOT_SEL}'); return !!(l && l.dataset.ready);"
    assert sitecheck.poll(lambda: driver.execute_script(ready), 20, 0.1), "playground not ready"


@pytest.fixture(scope="module")
def page(driver, served):
    _open(driver, served)
    return driver


# --------------------------------------------------------------------------------------------
# proven equal


def _cases(seed=0):
    """(name, model doc, batches, loss, expected losses, expected state) for every cell and loss."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for cell, task, layers in [
        *((c, t, 1) for c in ("rnn", "gru", "lstm") for t in ("addition", "recall")),
        ("lstm", "recall", 2),
    ]:
        torch.manual_seed(seed)
        model = SequenceModel(cell, 2, 8, 1, num_layers=layers, per_step=task == "addition")
        model = model.double()
        batches = []
        for _ in range(STEPS):
            if task == "addition":
                x, y = addition.random_batch(6, 5, gen)
            else:
                x, y, _ = recall.recall_batch(6, 7, generator=gen)
            batches.append({"x": x.double().tolist(), "y": y.double().tolist()})
        doc = lab.model_doc(model)
        loss = "bce" if task == "addition" else "mse"
        losses, state = play.train_steps(model, batches, lr=3e-2, loss=loss, betas=(0.8, 0.99))
        name = f"{cell} ({layers} layer{'s' if layers > 1 else ''}), {task}"
        out.append((name, doc, batches, loss, losses, state))
    return out


def _relative(js, want) -> float:
    js, want = np.asarray(js, dtype=float), np.asarray(want, dtype=float)
    if js.shape != want.shape:
        return math.inf
    return float((np.abs(js - want) / np.maximum(np.abs(want), TINY)).max(initial=0.0))


def engine_problems(driver, cases) -> list[str]:
    """Every case through the page's grubookPlay.train; a sentence for each loss or parameter that
    differs from grubook's by more than TOLERANCE (relative)."""
    problems, worst = [], 0.0
    for name, doc, batches, loss, want_losses, want_state in cases:
        options = {"lr": 3e-2, "betas": [0.8, 0.99], "eps": 1e-8, "loss": loss}
        got = driver.execute_async_script(_TRAIN_JS, doc, batches, options)
        if not got["ok"]:
            problems.append(f"{name}: the page failed: {got['error']}")
            continue
        err = _relative(got["result"]["losses"], want_losses)
        worst = max(worst, err)
        if err > TOLERANCE:
            problems.append(f"{name}: the losses differ by {err:.1e} (relative)")
        for key, value in want_state.items():
            err = _relative(got["result"]["state_dict"].get(key, []), value.numpy())
            worst = max(worst, err)
            if err > TOLERANCE:
                problems.append(f"{name}: {key} differs by {err:.1e} (relative)")
    print(
        f"\nlargest relative |page - grubook| over {len(cases)} runs of {STEPS} steps: {worst:.1e}"
    )
    return problems


def test_the_page_trains_as_grubook_and_the_check_bites(page):
    cases = _cases()
    assert engine_problems(page, cases) == []
    # the bite: the same comparison on the engine with one gradient term wrong
    source = (HTML / "_static" / "play.js").read_text()
    assert BROKEN[0] in source, "play.js changed: update BROKEN"
    page.execute_script("window.grubookPlayReal = window.grubookPlay;" + source.replace(*BROKEN, 1))
    try:
        problems = engine_problems(page, cases)
    finally:
        page.execute_script("window.grubookPlay = window.grubookPlayReal;")
    assert problems and all(p.startswith("gru") for p in problems), problems
    assert any("weight_hh" in p for p in problems), problems


# --------------------------------------------------------------------------------------------
# the tasks' data


def test_the_page_encodes_the_tasks_data_as_grubook(page):
    gen = torch.Generator().manual_seed(3)
    for bits in (1, 5, 8, 33):
        a_bits, b_bits = addition.random_operands(7, bits, gen)
        x, y = addition.encode_bits(a_bits, b_bits)
        got = page.execute_script(
            "return window.grubookPlay.tasks.addition.encodeBits(arguments[0], arguments[1]);",
            a_bits.tolist(),
            b_bits.tolist(),
        )
        assert got["x"] == x.tolist() and got["y"] == y.tolist(), bits
    for a, b, bits in [(173, 95, None), (3, 1, 2), (0, 0, None), (2**64 - 1, 1, None), (5, 9, 7)]:
        x, y = addition.encode(a, b, bits)
        got = page.execute_script(
            "return window.grubookPlay.tasks.addition.encode(BigInt(arguments[0]), "
            "BigInt(arguments[1]), arguments[2]);",
            str(a),
            str(b),
            bits,
        )
        assert got["x"] == x.tolist() and got["y"] == y.tolist(), (a, b, bits)
    x, y, delays = recall.recall_batch(9, 20, generator=gen, dtype=torch.float64)
    got = page.execute_script(
        "return window.grubookPlay.tasks.recall.encode(arguments[0], arguments[1]);",
        x[..., 0].tolist(),
        delays.tolist(),
    )
    assert got["x"] == x.tolist() and got["y"] == y.tolist()


# --------------------------------------------------------------------------------------------
# the page


def _part(driver, part):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'{ROOT_SEL} [data-part="{part}"]')


def _state(driver) -> dict:
    return driver.execute_script(
        f"const p = document.querySelector('{ROOT_SEL}').grubookPlay;"
        "return {step: p.step(), running: p.running(), models: p.models()};"
    )


def _model(doc) -> SequenceModel:
    model = SequenceModel(**doc["config"]).double()
    model.load_state_dict(
        {k: torch.tensor(v, dtype=torch.float64) for k, v in doc["state_dict"].items()}
    )
    return model.eval()


def _sum(model, a: int, b: int) -> int:
    x, _ = addition.encode(a, b)
    with torch.no_grad():
        bits = (model(x.double())[..., 0] > 0).long()
    return addition.decode(bits)[0]


def test_train_pause_step_reset_learn_and_try_a_sum(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    _open(page, page.current_url.split("book/")[0])  # a fresh page: step 0
    # Step once, three times, from the keyboard; Reset; the same three steps again: same weights
    step = _part(page, "step")
    for _ in range(3):
        step.send_keys(Keys.ENTER)
    first = _state(page)
    assert first["step"] == 3
    _part(page, "reset").send_keys(Keys.ENTER)
    assert _state(page)["step"] == 0
    for _ in range(3):
        step.click()
    assert _state(page)["models"] == first["models"], "the same seed gave another run"
    # train until the GRU adds every held-out pair right; the tab keeps drawing frames meanwhile
    Select(_part(page, "speed")).select_by_index(len(Select(_part(page, "speed")).options) - 1)
    page.execute_script(
        "window.gaps = []; let last = performance.now();"
        "(function tick(now) { window.gaps.push(now - last); last = now;"
        " if (window.gaps.length < 600) requestAnimationFrame(tick); })(last);"
    )
    _part(page, "train").send_keys(Keys.ENTER)
    status = _part(page, "status")
    assert sitecheck.poll(lambda: "all right since step" in status.text, 60, 0.2), status.text
    _part(page, "train").click()  # pause
    state = _state(page)
    assert not state["running"] and state["step"] > 3
    gaps = page.execute_script("return window.gaps.slice(1);")
    print(f"\nwhile training: {len(gaps)} frames, median gap {np.median(gaps):.1f} ms")
    assert np.median(gaps) < 50, "the page stopped drawing while it trained"
    assert "Paused at step" in _part(page, "announce").text
    # the sum under "Try it" is the trained model's, in grubook
    model = _model(state["models"][0])
    for a, b in [(173, 95), (2**40 - 1, 1), (123456789, 987654321)]:
        for name, value in (("a", a), ("b", b)):
            box = _part(page, name)
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(Keys.DELETE)
            box.send_keys(str(value))
        assert _part(page, "sum-gru").text == str(_sum(model, a, b)), (a, b)
    state = sitecheck.at_phone(page, ROOT_SEL)
    assert state["wide"] <= 390 and state["box"] <= 390 and state["unlabelled"] == [], state
    # kept for chapter 5: its adder offers the GRU, and its sums are that model's (lab.js reads
    # the weights as float32, as it reads the chapter's own)
    _click(page, _part(page, "keep"))
    assert "chapter 5's lab" in _part(page, "kept").text
    doc = json.loads(page.execute_script("return localStorage.getItem('grubook-play-adder');"))
    model = SequenceModel(**doc["config"])
    model.load_state_dict({k: torch.tensor(v) for k, v in doc["state_dict"].items()})
    open_lab(page, page.current_url.split("book/")[0], CHAPTER_5, ".grubook-lab")
    _click(page, page.find_element(By.CSS_SELECTOR, '[data-part="playground-model"]'))
    open_lab(page, None, None, ".grubook-lab")  # redrawn on the kept model
    problems = sum_problems(page, model.eval(), [(173, 95), (2**40 - 1, 1), (31415926, 27182818)])
    page.execute_script("localStorage.clear();")  # the next tests meet the chapter as a reader does
    assert problems == []


def test_one_training_step_takes_under_a_frame(page, served):
    _open(page, served)  # the test before left for chapter 5
    times = step_times(page)
    print(
        "\none training step in the page (hidden 16, batch 32, 8-bit sums): "
        + ", ".join(f"{cell} {t['median']:.2f} ms" for cell, t in times.items())
    )
    assert times["gru"]["median"] < LIMIT_MS
