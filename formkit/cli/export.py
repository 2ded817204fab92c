"""`formkit export`: records to CSV, XLSX, JSON (the contract) or a FHIR R4 Bundle."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from formkit.cli.main import cli, get_ws
from formkit.errors import InputDataError, NotFound
from formkit.records import records


def parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputDataError(f"{name} '{value}' is not a date (YYYY-MM-DD)") from None


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx", "fhir"]), default="json",
              show_default=True)
@click.option("--out", "-o", type=click.Path(path_type=Path), help="Output file (JSON: default is standard output).")
@click.option("--trainee", help="Only this trainee.")
@click.option("--from", "date_from", metavar="DATE", help="Only encounters on or after DATE (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Only encounters on or before DATE (YYYY-MM-DD).")
@click.option("--no-handwriting", is_flag=True, help="FHIR: leave out the handwriting crops.")
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, out: Path | None, trainee: str | None, date_from: str | None,
               date_to: str | None, no_handwriting: bool) -> None:
    """Export scanned records (values awaiting review are marked, never presented as final).

    \b
    Formats (docs/contracts.md, docs/exports.md):
      json  one object per scanned form (the export contract)
      csv   one row per form, one column per field, plus a codebook CSV
      xlsx  one sheet per layout and a Codebook sheet
      fhir  one FHIR R4 Bundle: Questionnaires and QuestionnaireResponses
    Examples:
      formkit export --format json --out records.json
      formkit export --format csv --out records.csv --from 2026-01-01 --to 2026-06-30
      formkit export --format fhir --trainee S001 --out s001-fhir.json
    """
    from formkit import reporting
    ws = get_ws(ctx)
    d0, d1 = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    if fmt == "json" and out is None:
        from outputs.filters import Filters  # the same selection rules the file exports use

        if trainee and ws.store.trainee(trainee) is None:
            raise NotFound(f"unknown trainee '{trainee}'")
        recs = records(ws)
        chosen = Filters.of(trainee, d0, d1).select_for_export(recs) if (trainee or d0 or d1) else recs
        json.dump(chosen, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if out is None:
        raise InputDataError(f"--format {fmt} writes files: give --out FILE")
    written = reporting.export(ws, fmt, out, trainee, d0, d1, include_handwriting=not no_handwriting)
    click.echo("Wrote " + ", ".join(str(p) for p in written))
