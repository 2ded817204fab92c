"""`formkit report …`: trainee progress, cohort overview and per-encounter summaries as PDF."""

from __future__ import annotations

from pathlib import Path

import click

import outputs
from formkit.catalogues import subgoal_titles
from formkit.cli.export import parse_day
from formkit.cli.forms import form_rows
from formkit.cli.main import cli, get_ws
from formkit.errors import NotFound
from formkit.outputs_glue import use_bundled_fonts
from formkit.qrpayload import normalise_form_id
from formkit.records import layout_descriptions, records


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
    ws = get_ws(ctx)
    use_bundled_fonts()
    if ws.store.trainee(trainee_id) is None:
        raise NotFound(f"unknown trainee '{trainee_id}'")
    outputs.trainee_report(records(ws, trainee_id), layout_descriptions(ws), trainee_id, out, crops_dir=ws.root,
                           issued=form_rows(ws, trainee_id) or None, date_from=parse_day(date_from, "--from"),
                           date_to=parse_day(date_to, "--to"), subgoal_titles=subgoal_titles())
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
    ws = get_ws(ctx)
    use_bundled_fonts()
    if target is None:
        target = int(ws.config().get("report", {}).get("target_encounters", 8))
    outputs.cohort_report(records(ws), layout_descriptions(ws), form_rows(ws), out, target=target,
                          date_from=parse_day(date_from, "--from"), date_to=parse_day(date_to, "--to"))
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
    ws = get_ws(ctx)
    use_bundled_fonts()
    fid = normalise_form_id(form_id)
    rec = next((r for r in records(ws) if r["form_id"] == fid), None)
    if rec is None:
        raise NotFound(f"form {fid} has not been scanned (or was never issued)")
    outputs.encounter_summary(rec, layout_descriptions(ws), out, crops_dir=ws.root, subgoal_titles=subgoal_titles())
    click.echo(f"Wrote {out}")
