"""`formkit demo`: the whole loop on the bundled example, in one folder."""

from __future__ import annotations

import os
from pathlib import Path

import click

from formkit.cli.main import cli


@cli.command()
@click.option("--dir", "directory", default="demo-workspace", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the demo workspace (re-created).")
@click.option("--seed", default=2026, show_default=True, help="Random seed of the simulated ward.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
def demo(directory: Path, seed: int, jobs: int | None) -> None:
    """Generate forms, simulate filling and scanning them, scan, review summary, exports and reports.

    \b
    Example:
      formkit demo --dir /tmp/formkit-demo
    """
    from formkit.demo import run_demo

    res = run_demo(directory, seed=seed, jobs=jobs or os.cpu_count() or 1, echo=click.echo)
    silent = sum(len(a.silent_errors) for a in res.accuracy.values())
    click.echo(f"Done. Silent errors against the simulator's truth: {silent}. Workspace: {res.workspace}")
