"""Exceptions raised by `outputs`, with messages a clerk can act on.

The CLI catches `OutputError` and prints `str(exc)`; subclasses let it choose an exit code.
"""
from __future__ import annotations

from pathlib import Path


class OutputError(Exception):
    """Base class for every error `outputs` raises on purpose."""


class OutputPathError(OutputError):
    """The file cannot be written where the user asked."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"Cannot write the file {self.path}: {reason}. "
            "Choose a folder you are allowed to write to, or close the file if it is open in another program."
        )


class NothingSelectedError(OutputError):
    """The filters left no forms to export (exports only; reports print a short note instead)."""

    def __init__(self, description: str) -> None:
        self.description = description
        super().__init__(
            f"No scanned forms match {description}. Nothing was written. "
            "Check the trainee id and the date range."
        )


class UnknownTraineeError(OutputError):
    """A trainee id that appears in no record and no issued form."""

    def __init__(self, trainee_id: str) -> None:
        self.trainee_id = trainee_id
        super().__init__(
            f"No trainee with id {trainee_id!r} is known (no scanned or issued forms). "
            "Check the spelling of the id; ids are case-sensitive."
        )


class UnknownLayoutError(OutputError):
    """A record refers to a layout for which no description was given."""

    def __init__(self, layout: str, form_id: str | None = None) -> None:
        self.layout = layout
        where = f" (form {form_id})" if form_id else ""
        super().__init__(
            f"The form layout {layout!r}{where} is not known to this workspace, so its labels are missing. "
            "Add the layout to the workspace before exporting."
        )


class AveragingNotAllowedError(OutputError):
    """Raised by any averaging helper asked to average a scale marked `average: never`."""

    def __init__(self, scale: str) -> None:
        self.scale = scale
        super().__init__(
            f"The scale {scale!r} must never be averaged (its levels are ordinal supervision levels). "
            "Use counts per level instead."
        )


class FontNotFoundError(OutputError):
    """The PDF fonts are missing from the font directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"The font file {path} is missing; PDF reports need DejaVu Sans (regular and bold).")
