"""The class hub (grubook_site.hub, deploy/jupyterhub/values.yaml) is sized from the chapters'
measured kernels: the rules on known numbers, clear errors, the committed values file parses as
Zero to JupyterHub values and covers this build's measured peaks, and the check bites on a file
that does not."""

from __future__ import annotations

import nbformat
import pytest
import yaml

from grubook_site import hub, records
from grubook_site.records import Run

SIX = {f"0{i}-chapter": Run(60.0, 300.0 + 10 * i, 50.0 * i) for i in range(1, 7)}


def test_memory_guarantee_is_the_largest_peak_with_headroom_in_whole_steps():
    s = hub.sizing(SIX)
    assert s.peak_chapter == "06-chapter" and s.peak_rss_mib == 360.0
    assert s.memory_guarantee_mib == 768  # 360 x 1.5 = 540, up to the next 256 MiB
    assert s.memory_guarantee_mib % hub.MEMORY_STEP_MIB == 0
    assert s.memory_limit_mib == hub.LIMIT_OVER_GUARANTEE * s.memory_guarantee_mib


def test_cpu_guarantee_runs_the_busiest_chapter_within_the_stated_minutes():
    s = hub.sizing(SIX)
    assert s.cpu_chapter == "06-chapter" and s.cpu_seconds == 300.0
    assert s.cpu_guarantee == 0.5  # 300 CPU s over 10 minutes
    assert s.cpu_guarantee * hub.CHAPTER_MINUTES * 60 >= s.cpu_seconds
    assert s.cpu_limit == 5  # 300 CPU s in 60 wall s kept five cores busy
    slow = dict(SIX, **{"07-slow": Run(60.0, 100.0, 1000.0)})
    assert hub.sizing(slow).cpu_guarantee == 2.0  # 1000 / 600 = 1.67, up to a half core


def test_sizing_refuses_chapters_without_a_measurement():
    with pytest.raises(ValueError, match="none were given"):
        hub.sizing({})
    with pytest.raises(ValueError, match="03-chapter.*kernel_usage"):
        hub.sizing(dict(SIX, **{"03-chapter": Run(60.0, None, None)}))


def test_memory_sizes_in_kubernetes_units():
    assert hub.mebibytes("768M") == 768
    assert hub.mebibytes("1.5G") == 1536
    assert hub.mebibytes("1Gi") == 1024
    with pytest.raises(ValueError, match="'lots'"):
        hub.mebibytes("lots")


def test_links_open_each_chapter_through_nbgitpuller():
    url = hub.links("https://github.com/org/the-gru-book", ["01-rnn-basics"])["01-rnn-basics"]
    assert url.startswith("https://hub.example.edu/hub/user-redirect/git-pull?repo=")
    assert "repo=https%3A%2F%2Fgithub.com%2Forg%2Fthe-gru-book&branch=main" in url
    assert url.endswith("urlpath=lab%2Ftree%2Fthe-gru-book%2Fbook%2F01-rnn-basics.ipynb")


def test_the_check_bites_on_a_file_that_no_longer_covers_the_chapters():
    s = hub.sizing(SIX)
    good = hub.values(s)
    assert hub.covers(good, s) == []
    small = yaml.safe_load(yaml.safe_dump(good))
    small["singleuser"]["memory"]["guarantee"] = "256M"
    small["singleuser"]["cpu"]["guarantee"] = 0.25
    problems = hub.covers(small, s)
    assert any("memory guarantee 256 MiB" in p for p in problems)
    assert any("CPU guarantee 0.25" in p for p in problems)


def test_the_committed_values_file_is_zero_to_jupyterhub_values():
    data = yaml.safe_load(hub.VALUES.read_text())
    user = data["singleuser"]
    assert user["image"]["name"] and user["image"]["tag"]
    assert hub.mebibytes(user["memory"]["limit"]) >= hub.mebibytes(user["memory"]["guarantee"])
    assert 0 < float(user["cpu"]["guarantee"]) <= float(user["cpu"]["limit"])
    assert data["cull"]["enabled"] is True and data["cull"]["timeout"] == hub.CULL_IDLE_S
    assert "python -m grubook_site.hub" in hub.VALUES.read_text()  # says how it was made


def test_a_glued_measurement_is_read_back_and_a_broken_one_is_refused():
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output(
        "display_data",
        data={"text/plain": "{'peak_rss_mib': 512.5, 'cpu_seconds': 12.0}"},
        metadata={"scrapbook": {"name": records.USAGE, "mime_prefix": ""}},
    )
    nb.cells.append(nbformat.v4.new_code_cell("glue(...)", outputs=[out]))
    assert records.usage(records.glued(nb)) == (512.5, 12.0)
    assert records.usage({}) == (None, None)
    with pytest.raises(ValueError, match="not a kernel_usage"):
        records.usage({records.USAGE: "'a lot'"})


@pytest.mark.build
def test_the_values_file_covers_this_builds_measured_chapters(capsys):
    # hub --check: every chapter has an execution record, and the file covers what they measured
    assert hub.main(["--check"]) == 0, capsys.readouterr().out + "(and commit the file)"
