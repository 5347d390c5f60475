"""grubook.lab: export and load round trip, clear errors for bad files, forced gates."""

from __future__ import annotations

import json

import pytest
import torch

from grubook import lab
from grubook.tasks import addition
from grubook.training import SequenceModel


@pytest.fixture()
def model():
    torch.manual_seed(0)
    return SequenceModel("gru", 2, 5, 1, num_layers=2, per_step=True).eval()


def test_round_trip_is_exact(model, tmp_path):
    path = lab.export_model(model, tmp_path / "m.json", readout="sigmoid")
    doc = json.loads(path.read_text())
    assert doc["config"] == {
        "cell": "gru",
        "input_size": 2,
        "hidden_size": 5,
        "output_size": 1,
        "num_layers": 2,
        "per_step": True,
    }
    back, readout = lab.read_file(path)
    assert readout == "sigmoid"
    for name, value in model.state_dict().items():
        assert torch.equal(back.state_dict()[name], value), name
    x = torch.randint(0, 2, (3, 17, 2)).float()
    assert torch.equal(back(x), model(x))
    assert addition.add_with_model(back, 2**64 - 1, 1) == addition.add_with_model(
        model, 2**64 - 1, 1
    )


def _write(tmp_path, doc):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return p


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.pop("state_dict"), "'state_dict' is missing"),
        (lambda d: d.pop("config"), "'config' is missing"),
        (lambda d: d["config"].pop("hidden_size"), "missing ['hidden_size']"),
        (lambda d: d["config"].update(colour=1), "unexpected ['colour']"),
        (lambda d: d["state_dict"].pop("head.bias"), "missing ['head.bias']"),
        (
            lambda d: d["state_dict"].update({"rnn.weight_hh_l0": [[0.0] * 4] * 15}),
            "has shape (15, 4), expected (15, 5)",
        ),
        (lambda d: d["state_dict"].update({"head.bias": ["x"]}), "must hold numbers"),
        (lambda d: d["state_dict"].update({"head.bias": [[1.0], [1.0, 2.0]]}), "ragged"),
        (lambda d: d["config"].update(hidden_size=0), "config does not make a SequenceModel"),
        (lambda d: d.update(readout="softmax"), "readout must be one of"),
    ],
)
def test_bad_files_name_the_file_and_what_was_expected(model, tmp_path, edit, message):
    doc = json.loads(lab.export_model(model, tmp_path / "m.json").read_text())
    edit(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(ValueError) as e:
        lab.load_model(path)
    assert str(path) in str(e.value) and message in str(e.value)


def test_not_json_and_not_an_object(tmp_path):
    with pytest.raises(ValueError, match="not JSON"):
        lab.load_model(_write(tmp_path, "{oops"))
    with pytest.raises(ValueError, match="got a JSON list"):
        lab.load_model(_write(tmp_path, [1, 2]))


def test_forced_gates_reach_the_state(model):
    x = torch.rand(9, 2)
    plain = lab.run(model, x)
    fixed = lab.run(model, x, [{"gate": "z", "units": [1, 3], "value": 1.0, "layer": 1}])
    assert (fixed["z"][:, [1, 3]] == 1).all()
    assert abs(fixed["h"][:, [1, 3]]).max() == 0  # z = 1 keeps h_0 = 0
    assert abs(fixed["h"][:, [0, 2, 4]] - plain["h"][:, [0, 2, 4]]).max() > 0  # through U
    scaled = lab.run(model, x, [{"gate": "r", "scale": 0.5, "layer": 1}])
    assert abs(scaled["r"][0] - plain["r"][0] / 2).max() < 1e-6  # step 0: h_0 is the same
    assert abs(lab.run(model, x)["h"] - plain["h"]).max() == 0  # restored after the block
    with pytest.raises(ValueError, match="exactly one of"):
        lab.run(model, x, [{"gate": "z"}])
    with pytest.raises(ValueError, match=r"units'\] must be unit indices"):
        lab.run(model, x, [{"gate": "z", "units": [5], "value": 0.0}])


@pytest.fixture()
def recall_model():
    """A model shaped like chapter 3's: the recall task's two inputs, one answer at the end."""
    torch.manual_seed(1)
    return SequenceModel("gru", 2, 16, 1).eval()


def test_examples_travel_with_the_model(recall_model, tmp_path):
    from grubook.tasks.recall import recall_batch

    x, _, _ = recall_batch(3, 20, generator=torch.Generator().manual_seed(7))
    path = lab.export_model(recall_model, tmp_path / "m.json", readout="identity", examples=x)
    doc = json.loads(path.read_text())
    assert torch.equal(torch.tensor(doc["examples"]), x)  # float32 written exactly
    back, readout = lab.read_file(path)  # the examples do not disturb loading
    assert readout == "identity" and torch.equal(back(x), recall_model(x))
    with pytest.raises(ValueError, match=r"examples\[0\] must have shape \(time, input_size=2\)"):
        lab.export_model(recall_model, tmp_path / "bad.json", examples=[torch.zeros(5, 3)])
    with pytest.raises(ValueError, match="not finite"):
        lab.export_model(recall_model, tmp_path / "bad.json", examples=[[[float("nan"), 0.0]]])


def test_the_ablations_of_chapter_3(recall_model):
    """The lab's presets, in grubook: what each forced gate must do to the state and answer."""
    x = torch.rand(20, 2) * 2 - 1
    w_ih, b_ih = recall_model.rnn.weight_ih_l0, recall_model.rnn.bias_ih_l0
    with torch.no_grad():
        stuck = lab.run(recall_model, x, [{"gate": "z", "value": 1.0}])
        assert abs(stuck["h"]).max() == 0  # nothing is written: h stays h_0 = 0
        head_bias = recall_model.head.bias.double().numpy()
        assert abs(stuck["output"] - head_bias).max() < 1e-7  # one constant answer
        blind = lab.run(recall_model, x, [{"gate": "r", "value": 0.0}])
        alone = torch.tanh(x @ w_ih[32:].T + b_ih[32:]).double().numpy()
        assert abs(blind["n"] - alone).max() < 1e-6  # the candidate sees the input alone
        over = lab.run(recall_model, x, [{"gate": "z", "value": 0.0}])
        assert abs(over["h"] - over["n"]).max() == 0  # every step overwrites
        one = lab.run(recall_model, x, [{"gate": "z", "units": [4], "scale": 0.5}])
        plain = lab.run(recall_model, x)
        assert abs(one["z"][0, 4] - plain["z"][0, 4] / 2) < 1e-7
        assert (one["z"][0, [0, 1, 2, 3, 5]] == plain["z"][0, [0, 1, 2, 3, 5]]).all()
        model_answer = recall_model(x[None])[0, 0].item()
        assert abs(plain["output"][-1, 0] - model_answer) < 1e-6  # the last row is the answer


def test_the_directive_reads_the_weights_the_notebook_carries(model, tmp_path, monkeypatch):
    """A build whose execution came from the jupyter cache writes no files: the {lab} directive
    must find the weights in the executed notebook (a grubook.lab.Carried output)."""
    from types import SimpleNamespace

    import nbformat

    from grubook_site.lab import carried

    monkeypatch.chdir(tmp_path)
    path = lab.export_model(model, "lab/w.json")
    bundle, metadata = lab.Carried(path)._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]  # what the page shows: one line, nothing to render
    assert bundle["text/plain"].startswith("lab/w.json: ")
    out = nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[out])])
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # as the cache stores it
    # as myst-nb holds it: element renderer -> markdown renderer -> notebook client -> notebook
    renderer = SimpleNamespace(renderer=SimpleNamespace(nb_client=SimpleNamespace(notebook=nb)))
    document = SimpleNamespace(attributes={"nb_renderer": renderer})
    path.unlink()  # the file is gone, as on a cached build
    assert json.loads(carried(document, "lab/w.json")) == json.loads(metadata[lab.MIME]["text"])
    assert carried(document, "lab/other.json") is None
    assert carried(SimpleNamespace(attributes={}), "lab/w.json") is None
