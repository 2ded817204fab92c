"""Checks that an output path can be written before any work is done, and atomic-ish writes."""
from __future__ import annotations

import os
from pathlib import Path

from outputs.errors import OutputPathError


def writable_path(path: Path | str) -> Path:
    """Return `path` as a Path after checking its folder exists and is writable.

    Checked up front so a clerk gets one clear message instead of a traceback halfway through a report.
    """
    p = Path(path)
    if p.exists() and p.is_dir():
        raise OutputPathError(p, "this is a folder, not a file name")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise OutputPathError(p, f"the folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputPathError(p, f"{parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(p, f"you do not have permission to write in {parent}")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputPathError(p, "the existing file is read-only")
    return p


def write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path`, turning OS errors into `OutputPathError`."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise OutputPathError(path, exc.strerror or str(exc)) from exc
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text (no BOM added here) to `path`, turning OS errors into `OutputPathError`."""
    return write_bytes(path, text.encode("utf-8"))
