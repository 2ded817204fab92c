"""The scan pipeline's bound on work in flight: finished outcomes must not pile up in memory."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import formkit.ingest as ingest


class _CountingPool:
    """Runs tasks at submit time and counts outcomes handed out but not yet collected."""

    def __init__(self) -> None:
        self.waiting = 0
        self.most = 0

    def __enter__(self) -> _CountingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn, task, poison):  # type: ignore[no-untyped-def]
        fut: Future = Future()
        fut.set_result([task])
        self.waiting += 1
        self.most = max(self.most, self.waiting)
        pool = self

        original = fut.result

        def result(timeout=None):  # type: ignore[no-untyped-def]
            pool.waiting -= 1
            return original(timeout)

        fut.result = result  # type: ignore[method-assign]
        return fut


def test_outcomes_in_flight_are_bounded_and_in_order(monkeypatch, tmp_path: Path) -> None:
    pool = _CountingPool()
    monkeypatch.setattr(ingest, "_pool", lambda jobs, args: pool)
    ws = SimpleNamespace(db_path=tmp_path / "db", workspace_id="W", secret=b"s")
    tasks = [("f", "sha", p, p + 1) for p in range(250)]  # a 1,000-page stack is ~250 tasks
    got = [out[0] for out in ingest._run_batches(ws, tasks, 2, None)]  # type: ignore[arg-type]
    assert got == tasks
    assert pool.most <= ingest.IN_FLIGHT_PER_JOB * 2
