"""The `formkit` command line: one command per job, errors mapped to exit codes in one place."""

from formkit.cli.main import cli, main

__all__ = ["cli", "main"]
