"""`formkit init` and `formkit trainees …`: creating a workspace and filling in who is trained."""

from __future__ import annotations

import json
from pathlib import Path

import click

from formkit.cli.main import cli, get_ws
from formkit.csvinput import read_roster
from formkit.workspace import init_workspace


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init(ctx: click.Context, directory: Path | None) -> None:
    """Create a workspace in DIRECTORY (default: --workspace / $FORMKIT_WORKSPACE, else here): database,
    secret, settings.

    \b
    Example:
      formkit init ~/minicex-clinic
    """
    ws = init_workspace(directory or Path((ctx.obj or {}).get("workspace") or "."))
    click.echo(f"Created workspace {ws.root} (id {ws.workspace_id}).")
    click.echo("Keep secret.key private: it proves that scanned pages were printed here.")


@cli.group()
def trainees() -> None:
    """Trainees (students, LIS, ST-läkare) the forms are printed for."""


@trainees.command("import")
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def trainees_import(ctx: click.Context, roster: Path) -> None:
    """Import or update trainees from a UTF-8 CSV roster.

    \b
    The header must contain id,name; programme and regulation are optional
    (regulation for Swedish ST: "SOSFS 2015:8" or "HSLF-FS 2021:8"). Extra columns are
    kept; column order is free; ',' or ';' separated.
    Example:
      formkit trainees import roster.csv
    """
    ws = get_ws(ctx)
    rows = read_roster(roster)
    counts = {"added": 0, "updated": 0}
    with ws.store.transaction():
        for r in rows:
            counts[ws.store.upsert_trainee(r.id, r.name, r.programme, r.regulation, r.extra)] += 1
    click.echo(f"{counts['added']} trainee(s) added, {counts['updated']} updated.")


@trainees.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def trainees_list(ctx: click.Context, as_json: bool) -> None:
    """List trainees.

    \b
    Example:
      formkit trainees list --json
    """
    rows = get_ws(ctx).store.trainees()
    if as_json:
        click.echo(json.dumps([{k: r[k] for k in ("id", "name", "programme", "regulation")} for r in rows],
                              ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']:<12} {r['name']:<32} {r['programme'] or '':<24} {r['regulation'] or ''}")
