"""`triptych report`: every file, every column, every plot -- and the page as a
browser shows it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from broken import wrapped
from browser import find_chromium, render
from helpers import once_per_run

from comparisons import bench, cli, report
from comparisons.consistency import COLUMNS as CONSISTENCY_COLUMNS
from comparisons.trajectories import COLUMNS as TRAJECTORY_COLUMNS


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    def make(folder):
        return folder / "report", report.report(folder / "report", quick=True)

    return once_per_run(tmp_path_factory, "quick-report", make)


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


# ------------------------------------------------- whole reports, or the old one

ROOT = Path(__file__).resolve().parent.parent


def old_report(folder: Path) -> dict:
    """A previous report (any files, and the marker), and its bytes by name."""
    folder.mkdir(parents=True)
    (folder / report.MARKER).write_text("written by triptych report\n")
    (folder / "index.html").write_text("<p>the old report</p>")
    (folder / "timings.csv").write_bytes(bytes(range(256)))
    return snapshot(folder)


def snapshot(folder: Path) -> dict:
    """Each file's bytes by name; a folder (the new report's pictures/) by name."""
    return {
        p.name: p.read_bytes() if p.is_file() else "folder"
        for p in sorted(folder.iterdir())
    }


def workers_alive(marker: str) -> list[str]:
    """Processes whose command line holds `marker` (the run's TMPDIR)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in text and "worker.py" in text:
            found.append(text)
    return found


REPORT = ["report", "--quick", "--backends", "numpy", "--out"]


def interrupted_report(out: Path, tmpdir: Path, when, signum) -> bool:
    """`triptych report --quick` into `out`, sent `signum` from outside once
    `when(tmpdir, seconds since the start)` is true; whether the signal came
    before the report finished."""
    argv = [sys.executable, "-m", "comparisons.cli", *REPORT, str(out)]
    process, begun = start(argv, tmpdir), time.monotonic()
    while not when(str(tmpdir), time.monotonic() - begun) and process.poll() is None:
        assert time.monotonic() - begun < 120, "the moment to interrupt never came"
        time.sleep(0.01)
    process.send_signal(signum)
    return process.wait(timeout=60) != 0  # 0: it finished before the signal came


def self_interrupted_report(out: Path, tmpdir: Path, moment: str, signum) -> bool:
    """The same report, sending itself `signum` at `moment` (tests/interrupting.py):
    the file writes last milliseconds, too short to aim at from outside. The
    benchmark is skipped: the moments come after it, and its workers' stopping
    has a test of its own (above)."""
    helper = str(ROOT / "tests" / "interrupting.py")
    report = [*REPORT[:-1], "--skip", "benchmark", "--out", str(out)]
    argv = [sys.executable, helper, moment, str(int(signum)), *report]
    return start(argv, tmpdir).wait(timeout=120) != 0


def start(argv, tmpdir: Path) -> subprocess.Popen:
    """The report as a user starts it from a terminal: with Ctrl-C live. A test
    worker may ignore SIGINT, and a child inherits that (seen: the report ran
    to the end past its own SIGINT)."""
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def checking(tmpdir, elapsed):  # past the imports, within the consistency stage
    return elapsed > 2.0


def benchmarking(tmpdir, elapsed):
    return bool(workers_alive(tmpdir))


BENCHMARK_FILES = {"timings.csv", "step_times.png", "roofline.png"}


def whole_old_or_whole_new(folder: Path, before: dict, new=report.FILES) -> None:
    """The old report byte for byte, or every file of the new one (`new`)."""
    out, tmpdir = folder / "report", folder / "tmp"
    after = snapshot(out)
    assert after == before or set(new) <= set(after), sorted(after)
    assert sorted(p.name for p in folder.iterdir()) == ["report", "tmp"]  # no stray
    assert workers_alive(str(tmpdir)) == []


@pytest.mark.parametrize(
    "when, signum",
    [(checking, signal.SIGINT), (benchmarking, signal.SIGTERM)],
    ids=["checking-ctrl-c", "benchmarking-sigterm"],
)
def test_an_interrupted_report_leaves_the_old_one_whole_and_no_workers(
    tmp_path, when, signum
):
    # on a loaded machine the report can finish between seeing the moment and
    # the signal; then try again, from an old report
    for attempt in range(3):
        folder = tmp_path / str(attempt)
        (folder / "tmp").mkdir(parents=True)
        before = old_report(folder / "report")
        interrupted = interrupted_report(
            folder / "report", folder / "tmp", when, signum
        )
        whole_old_or_whole_new(folder, before)
        if interrupted:
            break
    assert interrupted, "the report finished before the signal, three times"


@pytest.mark.parametrize(
    "moment, signum, kept",
    [
        ("writing", signal.SIGTERM, "old"),
        ("writing", signal.SIGINT, "old"),
        ("swapping", signal.SIGINT, "new"),  # held until the swap is done
    ],
    ids=["writing-sigterm", "writing-ctrl-c", "swapping-ctrl-c"],
)
def test_a_report_interrupted_while_writing_is_old_or_new_never_a_mix(
    tmp_path, moment, signum, kept
):
    (tmp_path / "tmp").mkdir()
    before = old_report(tmp_path / "report")
    assert self_interrupted_report(
        tmp_path / "report", tmp_path / "tmp", moment, signum
    )
    whole_old_or_whole_new(tmp_path, before, set(report.FILES) - BENCHMARK_FILES)
    assert (snapshot(tmp_path / "report") == before) == (kept == "old")


def test_a_signal_to_the_process_waits_for_the_end_of_a_held_block():
    """Sent from another thread, as the kernel may hand it to any thread (a BLAS
    thread): a per-thread signal mask let it through mid-swap, and a report
    interrupted as it was renamed into place vanished."""
    from comparisons.interrupts import signals_held

    events = []
    previous = signal.signal(signal.SIGINT, lambda *_: events.append("signal"))
    try:
        with signals_held():
            sender = threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGINT))
            sender.start()
            sender.join()
            time.sleep(0.05)  # time enough for Python to run a handler
            events.append("block done")
        time.sleep(0.05)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert events == ["block done", "signal"]


def test_a_failed_stage_still_writes_the_others_marked_incomplete(
    tmp_path, monkeypatch
):
    from comparisons.report import gather

    def broken_bench(*args, **kwargs):
        raise RuntimeError("planted <b>failure</b>")

    monkeypatch.setattr(gather, "bench", broken_bench)
    out = tmp_path / "r"
    assert (
        cli.main(["report", "--quick", "--backends", "numpy", "--out", str(out)]) == 1
    )
    page = (out / "index.html").read_text()
    assert "INCOMPLETE: the benchmark stage failed: RuntimeError: planted" in page
    assert "&lt;b&gt;failure&lt;/b&gt;" in page  # escaped, as every outside string
    assert (out / "consistency.csv").is_file() and not (out / "timings.csv").exists()
    assert page.index("INCOMPLETE") < page.index("Agreement per backend")


def test_skipped_stages_are_named_as_not_run_and_the_report_is_whole(tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["report", "--quick", "--backends", "numpy", "--out", str(out)]
    assert cli.main([*argv, "--skip", "pictures,benchmark"]) == 0
    page = (out / "index.html").read_text()
    assert "Not run, as asked (skip): pictures, benchmark." in page
    assert "INCOMPLETE" not in page and "Agreement per backend" in page
    assert (out / "consistency.csv").is_file() and (out / "trajectories.csv").is_file()
    assert not (out / "timings.csv").exists() and not (out / "pictures").exists()
    env = json.loads((out / "environment.json").read_text())
    assert env["skipped"] == ["pictures", "benchmark"]
    assert set(env["stage_seconds"]) == {"consistency", "trajectories"}
    assert cli.main(["compare", str(out), str(out)]) == 2  # nothing to compare
    assert "a report without timings: its benchmark stage" in capsys.readouterr().err


def test_an_unknown_stage_to_skip_is_refused_before_any_work(tmp_path, capsys):
    with pytest.raises(ValueError, match="skip must name stages among consistency, "):
        report.report(tmp_path / "r", skip=["bench"])
    with pytest.raises(ValueError, match="skip must leave a stage to run, got all"):
        report.report(tmp_path / "r", skip=list(report.STAGES))
    for wrong in (3, [None], {"benchmark": True}):
        with pytest.raises(TypeError, match="skip must be a stage name or a list"):
            report.report(tmp_path / "r", skip=wrong)
    assert cli.main(["report", "--skip", "bench", "--out", str(tmp_path / "r")]) == 2
    assert "got bench" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_an_error_while_writing_leaves_the_old_report_and_no_stray_folder(
    tmp_path, monkeypatch
):
    from comparisons.report import gather

    before = old_report(tmp_path / "r")

    def half_written(folder, *args):
        (folder / "index.html").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(gather.render, "write", half_written)
    with pytest.raises(OSError, match="disk full"):
        report.report(tmp_path / "r", quick=True, backends=["numpy"])
    assert snapshot(tmp_path / "r") == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_a_backend_named_like_a_script_tag_is_escaped_in_the_page(tmp_path):
    scripty = wrapped("<script>alert(1)</script>")  # NumPy under that NAME
    frames = report.report(  # the benchmark times backends given by name only
        tmp_path / "r", quick=True, backends=["numpy", scripty], skip="benchmark"
    )
    page = (tmp_path / "r" / "index.html").read_text()
    assert scripty.NAME in set(frames["consistency"].backend)
    assert "<script>" not in page and "&lt;script&gt;alert(1)" in page


def test_a_backend_that_cannot_draw_a_picture_is_named_in_the_report(tmp_path):
    def relu(z):
        raise RuntimeError("boom from relu")

    raiser = wrapped("<b>raiser</b>", relu=relu)  # NumPy whose relu raises
    frames = report.report(
        tmp_path / "r",
        quick=True,
        backends=["numpy", raiser],
        skip=["consistency", "trajectories", "benchmark"],
    )
    (note,) = [n for n in frames["pictures_not_drawn"] if n.startswith("relu: ")]
    assert "<b>raiser</b> could not draw the" in note and "boom from relu" in note
    assert frames["pictures"]  # drawn without it, by numpy
    page = (tmp_path / "r" / "index.html").read_text()
    assert "not drawn: relu: &lt;b&gt;raiser&lt;/b&gt; could not draw the" in page
    assert "<b>raiser</b>" not in page
    assert "not drawn: relu: " in (tmp_path / "r" / "README.md").read_text()


def test_output_paths_are_checked_before_any_work(tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    started_at = time.monotonic()
    code = cli.main(["bench", "--csv", str(tmp_path / "a-file" / "t.csv")])
    assert code == 2 and time.monotonic() - started_at < 10  # refused, not run
    assert "--csv: cannot make the folder of" in capsys.readouterr().err
    assert cli.main(["report", "--out", str(tmp_path / "a-file")]) == 2
    assert "out must be a folder" in capsys.readouterr().err


def test_the_concepts_pictures_are_written_into_the_report(made):
    import matplotlib.image

    out, frames = made
    written = sorted((out / "pictures").glob("*.png"))
    assert [p.name for p in written] == sorted(p.filename for p in frames["pictures"])
    assert any(p.name.startswith("relu-") for p in written)
    for path in written:
        assert matplotlib.image.imread(path)[..., :3].std() > 0.05  # not blank
    assert "pictures/relu-" in (out / "index.html").read_text()


def test_a_diverged_training_is_named_in_the_report(monkeypatch, tmp_path):
    from comparisons import presets

    digits = presets.REPORT_TRAJECTORIES["digits"]
    runs = {**presets.REPORT_TRAJECTORIES, "digits": (digits[0], 1000.0, *digits[2:])}
    monkeypatch.setattr("comparisons.report.gather.REPORT_TRAJECTORIES", runs)
    frames = report.report(
        tmp_path / "r", quick=True, backends=["numpy"], skip=["pictures", "benchmark"]
    )
    assert (frames["trajectories"].note != "").any()
    page = (tmp_path / "r" / "index.html").read_text()
    assert "Training diverged (digits, numpy, float32): diverged at step" in page
