"""grubook.play without a browser: the reference training the playground's engine is held to
(tests/browser/test_playground.py runs the two side by side), the page's settings, and the model
document that carries a float64 model to the page exactly."""

from __future__ import annotations

import inspect
import json

import pytest
import torch

from grubook import lab, play, plotting
from grubook.tasks import addition, recall
from grubook.training import SequenceModel


def test_a_float64_model_doc_reads_back_exactly_and_float32_as_before(tmp_path):
    model = addition.make_model("lstm", 4, seed=1)
    doc64 = json.loads(json.dumps(lab.model_doc(model.double())))
    for name, value in model.state_dict().items():
        assert torch.equal(torch.tensor(doc64["state_dict"][name], dtype=torch.float64), value)
    path = lab.export_model(model.float(), tmp_path / "m.json")
    assert json.loads(path.read_text()) == lab.model_doc(model)
    loaded = lab.load_model(path)
    for name, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value)


def test_train_steps_is_adam_on_the_books_losses():
    gen = torch.Generator().manual_seed(0)
    x, y = addition.random_batch(4, 3, gen)
    model = addition.make_model("gru", 4, seed=0).double()
    twin = addition.make_model("gru", 4, seed=0).double()
    losses, state = play.train_steps(model, [{"x": x, "y": y}] * 2, lr=0.1, loss="bce")
    opt = torch.optim.Adam(twin.parameters(), lr=0.1)
    for _ in range(2):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(twin(x.double()), y.double())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[0] > losses[1]
    for name, value in twin.state_dict().items():
        assert torch.equal(state[name], value)


def test_train_steps_says_what_is_wrong():
    model = SequenceModel("rnn", 2, 3, 1)
    with pytest.raises(ValueError, match="loss must be one of bce, mse"):
        play.train_steps(model, [], lr=0.1, loss="l1")
    with pytest.raises(TypeError, match="SequenceModel"):
        play.train_steps(torch.nn.Linear(2, 1), [], lr=0.1, loss="mse")
    with pytest.raises(ValueError, match=r"batches\[0\] must be a dict"):
        play.train_steps(model, [(1, 2)], lr=0.1, loss="mse")


def test_the_pages_settings_are_read_from_the_code():
    s = json.loads(json.dumps(play.settings()))
    defaults = inspect.signature(addition.train_addition).parameters
    for key in ("bits", "hidden_size", "batch_size", "lr", "seed", "eval_every", "max_steps"):
        assert s["addition"][key] == defaults[key].default, key
    assert s["recall"]["delay"] == list(recall.default_delay(s["recall"]["length"]))
    assert s["recall"]["chance_mse"] == recall.CHANCE_MSE
    assert s["colors"]["update"] == plotting.COLORS["update"]
    assert s["colors"]["reset"] == plotting.COLORS["reset"]
