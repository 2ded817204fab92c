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


def test_the_back_of_a_sheet_is_the_other_page_mirrored() -> None:
    """Pages 1 and 2 share a sheet: page 2's back print is page 1's print, boxes, text-area frames, printed
    values and one-line areas (handwriting there shows through as a line of ink), mirrored left-right
    (turned over the long edge) and top-bottom (the short edge)."""
    from formkit.ingest.worker import FRAME_MM, back_print

    geom = {"pages": 3, "page_size_mm": [210.0, 297.0],
            "printed_text": [{"page": 1, "rect_mm": [20.0, 30.0, 40.0, 3.0]}, {"page": 2, "rect_mm": [1, 1, 1, 1]}],
            "fields": [{"id": "q", "page": 1, "kind": "single", "options": [{"rect_mm": [100.0, 50.0, 5.0, 5.0]}]},
                       {"id": "name", "page": 1, "kind": "text", "source": "trainee.name",
                        "rect_mm": [10.0, 60.0, 100.0, 8.0]},
                       {"id": "note", "page": 1, "kind": "text", "rect_mm": [10.0, 80.0, 190.0, 40.0]},
                       {"id": "dept", "page": 1, "kind": "text", "rect_mm": [10.0, 130.0, 120.0, 8.5]}]}
    long_edge, short_edge = back_print(geom, 2, {"trainee.name": "Kari"})
    assert [150.0, 30.0, 40.0, 3.0] in long_edge and [20.0, 264.0, 40.0, 3.0] in short_edge
    assert [105.0, 50.0, 5.0, 5.0] in long_edge and [100.0, 242.0, 5.0, 5.0] in short_edge
    assert [100.0, 60.0, 100.0, 8.0] in long_edge  # a printed value: print all over its area
    assert [10.0, 80.0, 190.0, FRAME_MM] in long_edge and [10.0, 80.0, 190.0, 40.0] not in long_edge  # frame only
    assert [80.0, 130.0, 120.0, 8.5] in long_edge  # one line of handwriting: it shows through like print
    assert len(long_edge) == len(short_edge) == 1 + 1 + 1 + 4 + 1
    assert back_print(geom, 1)[0] == [[208.0, 1.0, 1.0, 1.0]]  # page 1's back is page 2
    assert back_print(geom, 3) == []  # the third page's sheet has no printed back
