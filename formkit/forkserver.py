"""The worker processes' context: a fork server that has imported the reader once, started from this code.

Kept apart from `formkit.ingest` (which imports the reader itself) so that `formkit scan` can start the fork
server first and import the reader in this process while the server imports it in its own: on two cores
the two ~0.45 s imports then overlap instead of following each other (`start_early`).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path


def start_early() -> None:
    """Start the fork server now (it imports the reader in the background); `worker_context` finds it running."""
    worker_context()


def worker_context() -> BaseContext:
    """A fork server where the platform has one, else spawn; never a plain fork of this process.

    The fork server imports the reader once (NumPy, OpenCV, zxing: ~0.3 s of CPU) and every worker
    is a fork of that clean process, instead of a fresh interpreter importing it all again. Like
    spawn, workers inherit nothing of this process (its SQLite connection, its threads).
    """
    try:
        ctx = get_context("forkserver")
    except ValueError:
        return get_context("spawn")
    ctx.set_forkserver_preload(["formkit.ingest.worker"])
    _start_on_our_code()
    return ctx


def _start_on_our_code() -> None:
    """Start the fork server (once per process) so that it imports the reader from where this process did.

    The fork server is started as `python -c ...`, which puts the current folder first on its import path,
    and CPython's fork server does not take the parent's path: run from a folder holding another `formkit`
    or `scanner` package (a second checkout, an unpacked older version), the workers read every page with
    that code while this process stores the results as its own (found when an A/B benchmark of two versions,
    run from the repository, timed the same code twice). So it starts without the current folder
    (PYTHONSAFEPATH) and with the folders this process's packages came from first (PYTHONPATH).
    """
    from multiprocessing import forkserver

    spec = importlib.util.find_spec("scanner")  # where `scanner` would be imported from, without importing it
    files = [sys.modules["formkit"].__file__] + ([spec.origin] if spec is not None and spec.origin else [])
    roots = list(dict.fromkeys(str(Path(f).resolve().parents[1]) for f in files if f))
    saved = {k: os.environ.get(k) for k in ("PYTHONSAFEPATH", "PYTHONPATH")}
    os.environ["PYTHONSAFEPATH"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(roots + ([saved["PYTHONPATH"]] if saved["PYTHONPATH"] else []))
    try:
        forkserver.ensure_running()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
