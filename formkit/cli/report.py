"""`formkit report …`: trainee progress, cohort overview and per-encounter summaries as PDF."""

from __future__ import annotations

from pathlib import Path

import click

from formkit.cli.export import parse_day
from formkit.cli.main import cli, get_ws


@cli.group()
def report() -> None:
    """PDF reports in the form's language (nb/sv)."""


@report.command("trainee")
@click.argument("trainee_id")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "date_from", metavar="DATE")
@click.option("--to", "date_to", metavar="DATE")
@click.pass_context
def report_trainee(ctx: click.Context, trainee_id: str, out: Path, date_from: str | None, date_to: str | None) -> None:
    """Progress of one trainee: timeline, items over time, same setting earlier vs later, coverage.

    \b
    Example:
      formkit report trainee S001 --out s001.pdf
    """
    from formkit import reporting
    reporting.trainee_report(get_ws(ctx), trainee_id, out, parse_day(date_from, "--from"), parse_day(date_to, "--to"))
    click.echo(f"Wrote {out}")


@report.command("cohort")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--target", type=click.IntRange(1, 100), default=None,
              help="Encounters expected per trainee (default from formkit.toml, else 8).")
@click.option("--from", "date_from", metavar="DATE")
@click.option("--to", "date_to", metavar="DATE")
@click.pass_context
def report_cohort(ctx: click.Context, out: Path, target: int | None, date_from: str | None,
                  date_to: str | None) -> None:
    """Programme director's overview: counts against target, overdue forms, pending review, coverage.

    \b
    Example:
      formkit report cohort --out cohort.pdf --target 8
    """
    from formkit import reporting
    reporting.cohort_report(get_ws(ctx), out, target, parse_day(date_from, "--from"), parse_day(date_to, "--to"))
    click.echo(f"Wrote {out}")


@report.command("encounter")
@click.argument("form_id")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def report_encounter(ctx: click.Context, form_id: str, out: Path) -> None:
    """One encounter typed out with its handwriting (for Kompetanseportalen or the ST-pärm).

    \b
    Example:
      formkit report encounter 7K2Q-9XDM --out encounter.pdf
    """
    from formkit import reporting
    reporting.encounter_report(get_ws(ctx), form_id, out)
    click.echo(f"Wrote {out}")
