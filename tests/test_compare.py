"""`triptych compare`: saved runs side by side, each difference with its interval,
and a CI guard on regressions."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import RUNS, fake_frame

from comparisons import bench, cli, compare


def saved_apart(frame, folder):
    """before.csv, again.csv and after.csv from the timing tests' one benchmark
    (helpers.timed_runs), each with NumPy ("twin") and a slowed NumPy ("slowed").

    Timed in one benchmark, their processes interleaved, then saved apart: runs
    made minutes apart on this shared machine drift as a whole (13% in CI; with two
    busy processes beside, the same code 1.5x slower in a third run than in the
    first, every process alike), which no statistics can tell from a change."""
    environment = frame.attrs["environment"]
    workers = environment["workers"]
    paths = []
    for run in RUNS:
        names = {f"{run}_twin": "twin", f"{run}_slowed": "slowed"}
        one = frame[frame.backend.isin(list(names))].replace({"backend": names})
        one.attrs["environment"] = {
            **environment,
            "workers": {names[n]: workers[n] for n in names if n in workers},
        }
        paths.append(folder / f"{run}.csv")
        bench.write_csv(one, paths[-1])
    return paths


@pytest.mark.timing  # compares timings: run alone (python3 dev.py test)
def test_a_planted_slowdown_is_slower_and_the_untouched_backend_a_tie(timed, tmp_path):
    def check(paths):
        before, _, after = paths
        table = compare.compare(before, after).set_index("backend")
        assert table.loc["slowed", "verdict"] == "slower", table.to_string()
        assert table.loc["slowed", "ci_low"] > 1, table.to_string()
        assert 1.15 < table.loc["slowed", "ratio"] < 1.5, table.to_string()
        assert table.loc["twin", "verdict"] == "tie", table.to_string()

    timed.check(lambda frame: check(saved_apart(frame, tmp_path)))


@pytest.mark.timing  # compares timings: run alone (python3 dev.py test)
def test_fail_slower_exits_1_on_the_regression_and_0_on_the_same_code(
    timed, tmp_path, capsys
):
    def check(paths):
        before, again, after = map(str, paths)
        assert cli.main(["compare", before, after, "--fail-slower", "1.1"]) == 1
        assert "significantly slower by more than 1.1x" in capsys.readouterr().out
        assert cli.main(["compare", before, again, "--fail-slower", "1.1"]) == 0, (
            capsys.readouterr().out
        )
        assert cli.main(["compare", before, after]) == 0  # no flag: no guard

    timed.check(lambda frame: check(saved_apart(frame, tmp_path)))


@pytest.mark.timing  # compares timings: run alone (python3 dev.py test)
def test_more_runs_are_each_compared_with_the_first(timed, tmp_path):
    def check(paths):
        table = compare.compare(*paths)
        assert list(dict.fromkeys(table.run)) == ["again.csv", "after.csv"]
        assert table.attrs["runs"] == ["before.csv", "again.csv", "after.csv"]

    timed.check(lambda frame: check(saved_apart(frame, tmp_path)))


# --------------------------------------------------- made-up runs, no timing


def save(frame, path, environment=None):
    frame.attrs["environment"] = environment or {
        "harness": {"threads_requested": 2},
        "workers": {
            "numpy": {
                "cpu": "AMD EPYC",
                "cores": 2,
                "versions": {"numpy": "2.4.6"},
                "threads_in_force": 2,
                "device": "cpu",
                "blas": [],
            }
        },
        "machine": {"peak_gflops": {"float32": 180.0}, "memory_gbs": 25.0},
    }
    bench.write_csv(frame, path)
    return str(path)


def test_environment_differences_come_first_and_sit_in_attrs(tmp_path, capsys):
    times = {("numpy", "triptych"): [1.0, 1.01, 0.99]}
    a = save(fake_frame(times), tmp_path / "a.csv")
    env = json.loads(open(tmp_path / "a.environment.json").read())
    env["harness"]["threads_requested"] = 1
    env["workers"]["numpy"]["threads_in_force"] = 1
    b = save(fake_frame(times), tmp_path / "b.csv", env)
    table = compare.compare(a, b)
    differences = table.attrs["environment_differences"].set_index("what")
    assert differences.loc["threads per process", ["a", "b"]].tolist() == ["2", "1"]
    assert cli.main(["compare", a, b]) == 0
    out = capsys.readouterr().out
    assert (
        out.index("What differs")
        < out.index("threads per process")
        < out.index("B / A")
    )


def test_rows_in_one_run_only_are_listed_apart(tmp_path):
    a = save(
        fake_frame(
            {("numpy", "triptych"): [1, 1.1, 0.9], ("jax", "triptych"): [2, 2, 2]}
        ),
        tmp_path / "a.csv",
    )
    b = save(
        fake_frame(
            {("numpy", "triptych"): [1, 1.1, 0.9], ("torch", "triptych"): [3, 3, 3]}
        ),
        tmp_path / "b.csv",
    )
    table = compare.compare(a, b)
    assert list(table.backend) == ["numpy"]
    unmatched = table.attrs["unmatched"]
    assert sorted(zip(unmatched.backend, unmatched.only_in)) == [
        ("jax", "a.csv"),
        ("torch", "b.csv"),
    ]


def test_rows_go_by_backend_ours_first_then_network_size_and_batch(tmp_path):
    times = {("numpy", "matmuls"): [1, 1, 1], ("numpy", "triptych"): [2, 2, 2]}
    points = [("1024-1024-10", 16), ("256-256-10", 1024), ("256-256-10", 16)]
    frame = pd.concat([fake_frame(times, sizes=s, batch=b) for s, b in points])
    a, b = save(frame.copy(), tmp_path / "a.csv"), save(frame, tmp_path / "b.csv")
    table = compare.compare(a, b)
    assert list(zip(table.variant, table.sizes, table.batch)) == [
        ("triptych", "256-256-10", 16),
        ("triptych", "256-256-10", 1024),
        ("triptych", "1024-1024-10", 16),
        ("matmuls", "256-256-10", 16),
        ("matmuls", "256-256-10", 1024),
        ("matmuls", "1024-1024-10", 16),
    ]


def test_markdown_and_a_self_contained_page_with_a_forest_plot(tmp_path, capsys):
    a = save(fake_frame({("numpy", "triptych"): [1, 1.1, 0.9]}), tmp_path / "a.csv")
    b = save(fake_frame({("numpy", "triptych"): [2, 2.1, 1.9]}), tmp_path / "b.csv")
    page = tmp_path / "compare.html"
    assert cli.main(["compare", a, b, "--markdown", "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "| numpy" in out and "| slower" in out
    html = page.read_text()
    assert html.count("src='data:image/png;base64,") == 1
    assert "http://" not in html and "https://" not in html


def test_a_run_without_block_times_falls_back_to_process_medians_and_says_so(tmp_path):
    old = fake_frame({("numpy", "triptych"): [1, 1.1, 0.9]}).drop(columns="blocks_s")
    a = save(old, tmp_path / "old.csv")
    b = save(fake_frame({("numpy", "triptych"): [1, 1.1, 0.9]}), tmp_path / "new.csv")
    table = compare.compare(a, b)
    assert table.verdict.tolist() == ["tie"]
    assert any("old.csv: no raw block times" in n for n in table.attrs["notes"])


@pytest.mark.parametrize(
    "content, message",
    [
        ("just some notes\n", "not a triptych bench result: it lacks the column"),
        (
            "backend,variant,op,sizes,batch,dtype,process\nnumpy,triptych,forward,8-8-3,4,"
            "float32,0\n",
            "lacks the column(s) median_s",
        ),
    ],
)
def test_a_file_that_is_no_bench_result_is_one_clear_line(
    tmp_path, capsys, content, message
):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    good = save(fake_frame({("numpy", "triptych"): [1, 1.1, 0.9]}), tmp_path / "g.csv")
    assert cli.main(["compare", good, str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and message in err and "Traceback" not in err


def test_runs_with_nothing_in_common_are_refused_by_name(tmp_path, capsys):
    a = save(fake_frame({("numpy", "triptych"): [1, 1.1, 0.9]}), tmp_path / "a.csv")
    b = save(
        fake_frame({("numpy", "triptych"): [1, 1.1, 0.9]}, batch=64), tmp_path / "b.csv"
    )
    assert cli.main(["compare", a, b]) == 2
    assert "a.csv and b.csv have no timed callable in common" in capsys.readouterr().err


def test_a_missing_file_and_a_single_run_are_refused(tmp_path, capsys):
    good = save(fake_frame({("numpy", "triptych"): [1, 1.1, 0.9]}), tmp_path / "g.csv")
    assert cli.main(["compare", good, str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
    assert cli.main(["compare", good]) == 2
    assert "at least 2 runs" in capsys.readouterr().err
