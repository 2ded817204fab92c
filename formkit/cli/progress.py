"""A progress bar that appears only once work has really started (not before a validation error)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import click


class LazyBar:
    """Context manager; call `set(done, total)` as work advances. Nothing is drawn until the first call."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def set(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.length = max(total, 1)
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> LazyBar:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.__exit__(et, e, tb)
