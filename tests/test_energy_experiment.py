"""Chapter 6's study as an experiment (grubook.energy.study, python -m grubook.experiments energy):
the committed results are current, complete and small; stale or missing results are refused by
name; the jobs never read what is not known at the issue time; and one committed run is trained
again and must match (the slice CI re-runs)."""

import json
import shutil

import numpy as np
import pytest
import torch

from grubook import experiments
from grubook.energy import load_vic_elec, report, study


@pytest.fixture(scope="module")
def data():
    return study.build_data(load_vic_elec())


@pytest.fixture(scope="module")
def results():
    return study.load(experiments.RESULTS)


def test_committed_results_are_current_complete_and_small(results, data):
    m = results.manifest
    assert m["command"] == study.COMMAND == "python -m grubook.experiments energy"
    assert m["code_hash"] == study.code_hash()
    for key in ("seeds", "seconds", "machine", "date", "chosen_lr", "plan"):
        assert m[key], key
    assert m["seconds"] <= 60 * 60, "the experiment must run within an hour on 2 cores"
    size = sum(p.stat().st_size for p in experiments.RESULTS.iterdir())
    assert size < 5 * 2**20, f"committed results are {size / 2**20:.1f} MB; the limit is 5 MB"
    stopped = [r["stopped_early"] for r in results.runs]
    assert sum(stopped) >= 0.9 * len(stopped), "at least 90% of the runs must stop early"
    for task in study.TASKS:
        for model in study.MODELS:
            final = results.final(task, model)
            assert [r["seed"] for r in final] == list(m["seeds"]), (task, model)
            n = len(study.origins(data, task, "val"))
            assert results.forecast(final[0], "val").shape[0] == n


def test_stale_or_missing_results_are_refused_naming_the_command(tmp_path, results):
    folder = tmp_path / "results"
    shutil.copytree(experiments.RESULTS, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["code_hash"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(study.StaleResults, match="stale.*python -m grubook.experiments energy"):
        study.load(folder)
    (folder / "runs.json").unlink()
    with pytest.raises(study.StaleResults, match="missing runs.json.*grubook.experiments energy"):
        study.load(folder)


def test_code_hash_follows_code_not_docstrings(tmp_path, monkeypatch):
    src = tmp_path / "grubook"
    shutil.copytree(experiments.RESULTS.parents[1], src, ignore=shutil.ignore_patterns("results"))
    monkeypatch.setattr(study, "__file__", str(src / "energy" / "study.py"))
    before = study.code_hash()
    gru = src / "gru.py"
    text = gru.read_text()
    gru.write_text(text.replace('"""', '"""Edited docstring. ', 1))
    assert study.code_hash() == before, "a docstring edit must keep committed results valid"
    gru.write_text(text + "\n# a new comment line\n\n")
    assert study.code_hash() == before, "a comment line must keep committed results valid"
    gru.write_text(text + "\nEXTRA = 1\n")
    assert study.code_hash() != before, "a code edit must make committed results stale"


def test_the_check_compares_every_point_and_the_best():
    curve = [3.0, 2.0, 1.5, 1.6]
    assert experiments.largest_difference(curve, list(curve)) == 0
    assert experiments.largest_difference(curve, [3.0, 2.0, 1.5]) == 0  # a shorter run
    broken = [3.0, 2.0, 1.5 + 2 * experiments.TOLERANCE, 1.6]  # one point moved: must be seen
    assert experiments.largest_difference(curve, broken) > experiments.TOLERANCE
    with pytest.raises(ValueError, match="empty"):
        experiments.largest_difference([], curve)


def test_day_ahead_is_issued_at_ten_for_every_hour_of_the_next_day(data):
    for part in ("val", "test"):
        orig = study.origins(data, "day", part)
        assert (data.times[orig].hour == study.ISSUE_HOUR).all()
        tg = study.targets("day", orig)
        assert (np.asarray(data.times[tg[:, 0]].hour) == 0).all()
        assert (np.asarray(data.times[tg[:, -1]].hour) == 23).all()
        lead = (data.times[tg[:, 0]] - data.times[orig]).total_seconds() / 3600
        assert set(lead) == {14.0}
        span = getattr(data.split, part)
        assert tg.min() >= span.start and tg.max() < span.stop


@pytest.mark.parametrize("task", study.TASKS)
def test_no_input_reads_what_is_unknown_at_the_issue_time(data, task):
    """Change every load from the issue time on: no network input and no linear-model input may
    move (the targets' calendar and temperature are allowed: a perfect weather forecast)."""
    orig = study.origins(data, task, "val")[:50]
    x = study.inputs(data, task, orig)
    lin = study.linear_features(data, task, orig, temperature=True)
    k = study.targets(task, orig[:1]).shape[1]
    for i, o in enumerate(orig[:5]):
        changed = study.Data(**{**vars(data), "z": data.z.copy()})
        changed.z[o:] += 10.0
        x2 = study.inputs(changed, task, orig[i : i + 1])
        assert torch.equal(x2, x[i : i + 1]), (task, i)
        lin2 = study.linear_features(changed, task, orig[i : i + 1], temperature=True)
        assert np.array_equal(lin2, lin[i * k : (i + 1) * k]), (task, i)


@pytest.mark.parametrize("model", ["GRU", "LSTM"])
def test_an_untrained_corrector_is_its_base_forecast(data, model):
    task = "day"
    orig = study.origins(data, task, "val")[:4]
    base = study.naive_base(data, task, orig)  # any base: the corrector adds nothing yet
    net = study.Corrector(model.lower(), study.n_inputs(task), 8, 24, 0.1)
    out = net((study.inputs(data, task, orig), torch.from_numpy(base.astype(np.float32))))
    assert torch.allclose(out, torch.from_numpy(base.astype(np.float32)))


def test_bad_names_are_refused(data):
    with pytest.raises(ValueError, match="model"):
        study.train_run(data, "hour", "Transformer", 1e-3, 0)
    with pytest.raises(ValueError, match="task"):
        study.origins(data, "week", "val")
    with pytest.raises(ValueError, match="linear="):
        study.train_run(data, "hour", "ridge + GRU", 1e-3, 0)


def test_report_words_follow_the_interval():
    from grubook.energy import paired_difference

    clear = paired_difference([1.0, 1.1, 0.9], [2.0, 2.1, 2.0])
    assert report.verdict(clear, "A", "B") == "A is clearly better than B"
    assert report.verdict(paired_difference([2.0, 2.1, 2.0], [1.0, 1.1, 0.9]), "A", "B") == (
        "A is clearly worse than B"
    )
    spans = paired_difference([1.0, 2.0, 1.5], [1.5, 1.4, 1.6])
    assert report.verdict(spans, "A", "B") == "we cannot tell A and B apart"


@pytest.mark.build
def test_one_committed_run_trains_again_to_the_same_numbers():
    """The slice of the experiment CI re-runs: one seed of one network (well under 3 minutes)."""
    worst = experiments.check()
    assert worst <= experiments.TOLERANCE


def test_learning_curves_draw_every_run_and_mark_the_kept_step(results):
    import matplotlib.pyplot as plt

    from grubook.views import energy as V

    fig = V.learning_curves_figure(results.runs)
    try:
        for ax, task in zip(fig.axes, study.TASKS):
            runs = [r for r in results.runs if r["task"] == task]
            curves = [ln for ln in ax.get_lines() if ln.get_marker() in ("None", "", None)]
            dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
            assert len(curves) == len(dots) == len(runs)
            for line, dot, r in zip(curves, dots, runs):
                assert list(line.get_ydata()) == r["val_smape"]
                assert dot.get_ydata()[0] == min(r["val_smape"])
                assert (line.get_linestyle() == ":") == (not r["final"])
    finally:
        plt.close(fig)


def test_the_linear_model_fit_in_blocks_equals_one_solve(data, monkeypatch):
    """fit_linear accumulates the normal equations block by block (the day-ahead features would take
    gigabytes at once); the weights must be those of energy.ridge on all the rows together."""
    from grubook.energy import ridge

    monkeypatch.setattr(study, "BLOCK", 1000)  # several blocks, the last one short
    model = study.fit_linear(data, "hour", temperature=True)
    tr = study.origins(data, "hour", "train")
    w, b = ridge(study.linear_features(data, "hour", tr, True), data.z[tr], model.alpha)
    assert np.allclose(model.weights, w, atol=1e-6) and np.isclose(model.intercept, b, atol=1e-6)
    orig = study.origins(data, "hour", "val")
    assert model.scaled(data, orig).shape == (len(orig), 1)
    assert model.scaled(data, orig[:0]).shape == (0, 1)
