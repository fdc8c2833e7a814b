"""Writing results so that none is lost and none is half-written.

- `output_path`: an output path checked (and its folder made) *before* the work
  that fills it, so that minutes of results are never lost to a typo at the end;
- `write_text`, `write_csv`: a file written whole or not at all (a temporary file
  beside it, renamed over it);
- `staged_folder`: a folder written whole or not at all: its files go into a
  temporary folder beside it, swapped in at the end; an interruption at any moment
  (Ctrl-C, SIGTERM, an exception) leaves the previous folder as it was and no
  temporary folder behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .interrupts import signals_held


def output_path(path, what: str) -> Path:
    """`path` as a file to be written later: its folder made now, and refused with
    a clear error (naming `what`, e.g. '--csv') where that cannot work."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{what} must be a file to write, got the folder {path}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"{what}: cannot make the folder of {path}: {error}") from None
    try:  # a trial file, not the permission bits: root passes those everywhere
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise ValueError(
            f"{what}: cannot write into {path.parent} ({error.strerror})"
        ) from None
    return path


def write_text(path, text: str) -> None:
    """`text` into `path`, whole or not at all."""
    with _replacing(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_csv(frame: pd.DataFrame, path) -> None:
    """A DataFrame as CSV at `path`, whole or not at all."""
    with _replacing(Path(path)) as tmp:
        frame.to_csv(tmp, index=False)


@contextlib.contextmanager
def _replacing(path: Path):
    """A temporary path beside `path`, renamed over it if the block succeeds."""
    name = None
    try:
        with signals_held():  # made and named at once: never left behind unseen
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            os.close(fd)
        yield Path(name)
        os.chmod(name, 0o666 & ~_umask())  # as open() would make it: mkstemp's is 0600
        os.replace(name, path)
    finally:
        if name is not None and os.path.exists(name):
            os.unlink(name)


@contextlib.contextmanager
def staged_folder(folder: Path):
    """Yield a fresh temporary folder beside `folder`; when the block succeeds, it
    takes `folder`'s place (the old one is removed). Whatever stops the block
    removes the temporary folder and leaves `folder` as it was. The swap itself
    runs with SIGINT and SIGTERM held back, so that no signal lands between its
    two renames."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = None
    try:
        with signals_held():  # made and named at once: never left behind unseen
            staging = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent)
            )
        staging.chmod(0o777 & ~_umask())  # as mkdir would make it: mkdtemp's is 0700
        yield staging
        with signals_held():
            aside = folder.parent / f".{folder.name}.old-{staging.name[-8:]}"
            if folder.exists():
                os.rename(folder, aside)
            os.rename(staging, folder)
            shutil.rmtree(aside, ignore_errors=True)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
