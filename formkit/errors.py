"""Every failure a user can meet, with the message they read and the exit code scripts see.

Modelled on OCRmyPDF's exceptions.py: one place maps failures to exit codes, so the CLI never
prints a traceback for a user error and the codes stay documented (docs/exit-codes.md).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    internal_error = 1  # a bug: please report it
    usage = 2  # wrong command-line usage (click's own code)
    input_data = 3  # a CSV/roster/plan/image the user gave us is not usable
    layout = 4  # unknown layout or a layout file with a problem
    workspace = 5  # no workspace, or one we cannot use
    output = 6  # cannot write the requested output
    not_found = 7  # a form id, trainee or page that does not exist
    scan_needs_review = 10  # scan finished; some pages/fields need a person
    scan_rejected_input = 11  # scan finished; some files or pages were rejected
    interrupted = 130  # Ctrl-C; the store stays consistent, run again to finish


class FormkitError(Exception):
    """Base class: `message` is what the user reads, `exit_code` what scripts see."""

    exit_code: ExitCode = ExitCode.internal_error
    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        if hint:
            self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputDataError(FormkitError):
    exit_code = ExitCode.input_data


class CsvError(InputDataError):
    """A roster or plan CSV that cannot be used; names the file, and line/column when known."""

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {problem}")
        self.path, self.problem, self.line = path, problem, line


class TextDoesNotFit(InputDataError):
    """A personalised value is too long to print legibly in its place on the form."""


class LayoutError(FormkitError):
    exit_code = ExitCode.layout

    def __init__(self, source: str, problem: str, field: str | None = None) -> None:
        where = f"{source}, field '{field}'" if field else source
        super().__init__(f"{where}: {problem}")
        self.source, self.problem, self.field = source, problem, field


class UnknownLayout(LayoutError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name, f"no such layout. Known layouts: {', '.join(known) or 'none'}")


class WorkspaceError(FormkitError):
    exit_code = ExitCode.workspace


class NoWorkspace(WorkspaceError):
    hint = "Create one with 'formkit init DIR', or point to it with --workspace DIR or FORMKIT_WORKSPACE."


class OutputError(FormkitError):
    exit_code = ExitCode.output


class NotFound(FormkitError):
    exit_code = ExitCode.not_found


class UsageErrorLike(FormkitError):
    """Wrong combination of options that click cannot express by itself."""

    exit_code = ExitCode.usage


def classify(exc: BaseException) -> tuple[ExitCode, str, str] | None:
    """(exit code, message, hint) for any failure a user can cause, from formkit or its libraries.

    The libraries (`scanner`, `outputs`) raise their own exceptions with clerk-readable messages;
    this is the one place that gives them exit codes. None means: a bug, show the traceback.
    """
    if isinstance(exc, FormkitError):
        return exc.exit_code, exc.message, exc.hint
    import outputs.errors as oe
    import scanner.errors as se

    if isinstance(exc, oe.OutputPathError):
        return ExitCode.output, str(exc), ""
    if isinstance(exc, (oe.NothingSelectedError, oe.UnknownTraineeError)):
        return ExitCode.not_found, str(exc), ""
    if isinstance(exc, oe.UnknownLayoutError):
        return ExitCode.layout, str(exc), ""
    if isinstance(exc, oe.OutputError):
        return ExitCode.output, str(exc), ""
    if isinstance(exc, se.ScannerError):
        return ExitCode.input_data, str(exc), ""
    return _disk_problem(exc)


_NO_ROOM = "Free some space there and run the same command again: what was done is kept, nothing is half-written."


def _disk_problem(exc: BaseException) -> tuple[ExitCode, str, str] | None:
    """A full disk or a folder formkit may not write to, met while working (no traceback: not a bug).

    A scan that filled the disk while archiving a stack ended in a Python traceback; every step writes
    atomically (archive copies by rename, one transaction per page), so running again finishes the job.
    """
    import errno
    import sqlite3

    if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower():
        return ExitCode.output, "The disk holding the workspace is full.", _NO_ROOM
    if not isinstance(exc, OSError):
        return None
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return ExitCode.output, f"The disk is full{where}.", _NO_ROOM
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (ExitCode.output, f"formkit may not use this file or folder{where}: no permission, or a read-only disk.",
                "Ask for access to it (or use another folder) and run the command again.")
    return None
