"""`triptych report`: every file, every column, every plot -- and the page as a
browser shows it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from browser import find_chromium, render

from comparisons import bench, cli, report
from comparisons.consistency import COLUMNS as CONSISTENCY_COLUMNS
from comparisons.trajectories import COLUMNS as TRAJECTORY_COLUMNS


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report"
    frames = report.report(out, quick=True)
    return out, frames


def test_every_file_is_written(made):
    out, _ = made
    for name in report.FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name


def test_the_csvs_have_every_column(made):
    out, frames = made
    consistency = pd.read_csv(out / "consistency.csv", keep_default_na=False)
    assert list(consistency.columns) == CONSISTENCY_COLUMNS
    assert set(consistency.level) == {"unit", "network", "trajectory"}
    curves = pd.read_csv(out / "trajectories.csv")
    assert list(curves.columns) == TRAJECTORY_COLUMNS
    assert set(curves.dataset) == {"digits", "diabetes"}
    timings = pd.read_csv(out / "timings.csv")
    assert list(timings.columns) == bench.run.COLUMNS
    assert set(timings.op) == {"train_step"}
    assert set(timings.process) == {0, 1}  # two processes: intervals, not guesses
    assert len(consistency) == len(frames["consistency"])


def test_the_environment_is_recorded(made):
    out, _ = made
    env = json.loads((out / "environment.json").read_text())
    assert set(env["workers"]) == {"numpy", "torch", "jax"}
    assert env["quick"] is True and env["report_seconds"] > 0
    assert "jax_default_matmul_precision" in env["matmul_precision_while_checking"]


@pytest.mark.parametrize("name", [n for n in report.FILES if n.endswith(".png")])
def test_each_plot_decodes_and_is_not_blank(made, name):
    import matplotlib.image

    pixels = matplotlib.image.imread(made[0] / name)
    assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 300
    rgb = pixels[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.05  # not a flat image
    assert len(np.unique(rgb.round(2), axis=0)) > 20  # lines, text and colours


def test_the_page_puts_the_verdict_first_and_embeds_every_image(made):
    page = (made[0] / "index.html").read_text()
    assert (
        page.index("Verdict")
        < page.index("Agreement per backend")
        < page.index("Environment")
    )
    assert "comparisons agree within tolerance" in page
    assert page.index("Which is faster?") < page.index("Where overhead ends")
    assert "64-64-10 batch 16, float32: " in page and "95% CI" in page
    assert page.count("src='data:image/png;base64,") == 5
    assert "http://" not in page and "https://" not in page  # nothing to fetch


def test_the_markdown_links_the_plots(made):
    text = (made[0] / "README.md").read_text()
    for name in ("errors.png", "loss_digits.png", "step_times.png"):
        assert f"({name})" in text


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium (.ci/run installs it)")
def test_the_page_renders_in_a_real_browser(made, tmp_path):
    rendered = render(made[0] / "index.html", screenshot=tmp_path / "page.png")
    assert rendered.console_errors == [] and rendered.broken == []
    assert rendered.images == 5 and rendered.images_rendered == 5
    assert rendered.title == "triptych report"


def test_a_folder_that_is_not_a_report_is_not_overwritten(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="already holds files that are not a triptych"):
        report.report(tmp_path, quick=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_cli_report_refuses_without_force(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert cli.main(["report", "--out", str(tmp_path), "--quick"]) == 2
    assert "pass force (--force)" in capsys.readouterr().err
