"""The timing harness: its mechanics and its columns, never a duration."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from comparisons import timing
from comparisons.yardsticks import gemm_shapes


def test_sync_is_called_after_every_timed_call():
    events = []

    def run():
        events.append("run")
        return len(events)

    def sync(result):
        events.append("sync")
        return result

    result = timing.measure(run, sync, min_block_s=0.001, blocks=3, warmup=2)
    assert events[0::2] == ["run"] * (len(events) // 2)  # strictly alternating
    assert events[1::2] == ["sync"] * (len(events) // 2)
    assert (
        result["n_runs"] <= len(events) // 2 - 3
    )  # first call and warm-up not counted


def test_compile_time_lands_in_first_call_and_not_in_the_median():
    calls = []

    def run():
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.2)  # "compilation"

    result = timing.measure(run, lambda r: r, min_block_s=0.001, blocks=5, warmup=1)
    assert result["first_call_s"] >= 0.2
    assert result["median_s"] < 0.01 and result["min_s"] <= result["median_s"]
    assert result["iqr_s"] >= 0


def test_flop_counts_match_a_hand_count():
    # sizes 3-4-2, batch 5: forward 2*5*(3*4 + 4*2) = 200; backward 200 again for
    # the weight gradients plus 2*5*4*2 = 80 for the hidden layer's input gradient;
    # the update 2 per parameter: 2*(12 + 4 + 8 + 2) = 52
    assert timing.flops((3, 4, 2), 5, "forward") == 200
    assert timing.flops((3, 4, 2), 5, "loss_and_grads") == 200 + 280
    assert timing.flops((3, 4, 2), 5, "train_step") == 200 + 280 + 52


def test_the_gemm_floor_has_the_products_of_the_op():
    assert gemm_shapes((3, 4, 2), 5, "forward") == [((5, 3), (3, 4)), ((5, 4), (4, 2))]
    backward = gemm_shapes((3, 4, 2), 5, "train_step")
    assert len(backward) == 3 * 2 - 1
    assert ((4, 5), (5, 2)) in backward and ((5, 2), (2, 4)) in backward
    flops = sum(2 * a[0] * a[1] * b[1] for a, b in backward)
    assert flops == timing.flops((3, 4, 2), 5, "loss_and_grads")


@pytest.fixture(scope="module")
def small_bench():
    return timing.bench(
        grid=[((8, 8, 3), 16)], ops=["train_step"], threads=1, repeats=2,
        min_block_s=0.001, blocks=3,
    )  # fmt: skip


def test_bench_frame_has_the_promised_columns_and_dtypes(small_bench):
    assert list(small_bench.columns) == timing.COLUMNS
    assert pd.api.types.is_float_dtype(small_bench.median_s)
    assert pd.api.types.is_integer_dtype(small_bench.n_runs)
    assert pd.api.types.is_integer_dtype(small_bench.peak_mem_bytes)
    assert (small_bench.median_s > 0).all() and (small_bench.peak_mem_bytes > 0).all()
    assert set(small_bench.backend) == {"numpy", "torch", "jax"}
    assert set(small_bench.variant) == {"triptych", "gemm", "idiomatic", "nojit"}
    assert set(small_bench.process) == {0, 1}  # repeated processes, both kept
    assert (small_bench.gflops == small_bench.flops / small_bench.median_s / 1e9).all()


def test_every_process_ran_with_the_same_thread_count(small_bench):
    assert set(small_bench.threads) == {1}
    workers = small_bench.attrs["environment"]["workers"]
    assert {w["threads_in_force"] for w in workers.values()} == {1}
    assert all(len(w["affinity"]) == 1 for w in workers.values())
    assert all(w["thread_env"]["OMP_NUM_THREADS"] == "1" for w in workers.values())


def test_the_environment_records_versions_blas_cpu_and_the_timer_check(small_bench):
    env = small_bench.attrs["environment"]
    torch_env = env["workers"]["torch"]
    assert {"numpy", "torch", "jax"} <= set(torch_env["versions"])
    assert torch_env["cpu"] and torch_env["cores"] >= 1 and torch_env["device"] == "cpu"
    assert any(b["internal_api"] for b in env["workers"]["numpy"]["blas"])
    check = torch_env["timer_check"]
    assert check["harness_median_s"] > 0 and check["torch_timer_median_s"] > 0


def test_summary_and_targets_read_ratios_from_the_same_run(small_bench):
    table = timing.summary(small_bench)
    assert list(table.backend) == ["numpy", "torch", "jax"]
    assert table.vs_gemm_floor.notna().all()
    assert table.set_index("backend").vs_idiomatic.isna()["numpy"]  # NumPy has none
    goals = timing.targets(small_bench)
    assert set(goals.target) == {
        "train step / idiomatic",
        "harness median / torch Timer",
    }
    assert goals.met.dtype == bool


def test_csv_is_written_with_its_environment(small_bench, tmp_path):
    env_path = timing.write_csv(small_bench, tmp_path / "timings.csv")
    assert pd.read_csv(tmp_path / "timings.csv").shape == small_bench.shape
    assert "workers" in open(env_path).read()


def test_bad_bench_arguments_are_refused():
    with pytest.raises(ValueError, match="ops must be some of forward"):
        timing.bench(ops=["backward"])
    with pytest.raises(ValueError, match="threads must be an int of at least 1, got 0"):
        timing.bench(grid=[((4, 4, 2), 4)], threads=0)
    with pytest.raises(TypeError, match="backends must be names"):
        timing.bench(backends=[object()])
