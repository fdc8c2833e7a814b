"""The worker processes: each started fresh, followed while it runs, and stopped
-- at its time limit, or whenever the harness itself is stopped.

A worker streams a row per finished case (see worker.py); one that crashes or
passes its limit is killed with every process it started, and its unfinished
cases come back as rows that say why.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading

from ..interrupts import signals_held
from .worker import ALLOCATOR


def run_worker(job: dict, progress) -> dict:
    """Run one worker process to the end, or until its time limit; its progress
    lines feed `progress`. A worker that crashes or passes its limit is killed,
    and its cases come back as rows that say so (the rows it finished are kept).
    Whatever stops the harness (Ctrl-C, SIGTERM, an error) stops the worker too."""
    with tempfile.TemporaryDirectory() as tmp:
        job_path, out_path = (
            os.path.join(tmp, "job.json"),
            os.path.join(tmp, "out.json"),
        )
        with open(job_path, "w") as f:
            json.dump(job, f)
        script = os.path.join(os.path.dirname(__file__), "worker.py")
        worker = watchdog = None
        try:
            with signals_held():  # a worker started is a worker we can stop
                worker = subprocess.Popen(
                    [sys.executable, script, job_path, out_path],
                    env={**ALLOCATOR, **os.environ},
                    stderr=subprocess.PIPE,
                    text=True,
                    start_new_session=True,  # its own group: killed whole
                )
            watchdog = threading.Timer(job["timeout_s"], _kill, [worker])
            watchdog.daemon = True  # never keeps the harness alive
            watchdog.start()
            current, other = _follow(worker, progress)
            code = worker.wait()
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if worker is not None:
                _kill(worker)
        rows = _streamed_rows(out_path)
        if code == 0:
            with open(out_path) as f:
                return {**json.load(f), "rows": rows}
        why = (
            f"the worker passed its time limit of {job['timeout_s']:g} s"
            if code == -signal.SIGKILL
            else f"the worker crashed (exit code {code}): {_last_line(other)}"
        )
        return _failed(job, rows, current, why)


def _follow(worker, progress) -> tuple[dict, list[str]]:
    """Read the worker's stderr to its end: its backend's NAME and the index of the
    case it was on, and the lines that were not progress."""
    current, other = {"case": 0}, []
    for line in worker.stderr:
        if line.startswith("triptych-name: "):
            current["name"] = line.split(" ", 1)[1].strip()
        elif line.startswith("triptych-progress: "):
            done, total, what = line.split(" ", 3)[1:]
            current["case"] = int(done)
            if progress:
                progress(int(done), int(total), what.strip())
        else:
            other.append(line)
    return current, other


def _kill(worker) -> None:
    """Kill the worker and every process it started; a no-op once it has ended."""
    if worker.poll() is None:
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.wait()


def _streamed_rows(out_path: str) -> list[dict]:
    """The rows the worker finished, one JSON line each (see worker.py)."""
    path = out_path + ".rows"
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def _failed(job: dict, rows: list[dict], current: dict, why: str) -> dict:
    """The result of a worker that stopped early: its finished rows, then a row per
    case it did not finish, saying why."""
    name = current.get("name", job["backend"])
    for index, case in enumerate(job["cases"][len(rows) :], start=len(rows)):
        during = index == current["case"]
        note = f"{why} -- during this case" if during else f"not run: {why}"
        rows.append({**case, "backend": name, "note": note})
    return {"name": name, "rows": rows, "environment": {"failed": why}}


def _last_line(lines: list[str]) -> str:
    text = [line.strip() for line in lines if line.strip()]
    return text[-1][:300] if text else "no message"


def job_progress(progress, index: int, jobs: int):
    if progress is None:
        return None
    return lambda done, total, what: progress(index * total + done, jobs * total, what)
