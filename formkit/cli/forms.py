"""`formkit generate`, `formkit reprint` and `formkit forms …`: issuing forms and keeping track of them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from formkit.cli.main import cli, get_ws
from formkit.cli.progress import LazyBar
from formkit.csvinput import read_plan
from formkit.errors import InputDataError, NotFound, UsageErrorLike
from formkit.qrpayload import normalise_form_id
from formkit.review import form_geom


@cli.command()
@click.option("--layout", "-l", "layout_name", required=True, help="Layout id, e.g. minicex-ntnu-nb.")
@click.option("--plan", type=click.Path(dir_okay=False, path_type=Path),
              help="Plan CSV: trainee_id,setting,assessor,date,subgoals (one form per row).")
@click.option("--trainee", help="Quick forms for one trainee (instead of --plan).")
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 500), help="With --trainee.")
@click.option("--setting", help="With --trainee: planned clinical setting / kliniskt sammanhang.")
@click.option("--assessor", help="With --trainee: assessor's name.")
@click.option("--date", "date_", help="With --trainee: planned date (YYYY-MM-DD).")
@click.option("--subgoals", help="With --trainee: delmål codes separated by ';' (Swedish form).")
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="Output PDF (or a folder with --per-trainee).")
@click.option("--per-trainee", is_flag=True, help="One PDF per trainee in the --out folder.")
@click.option("--duplex", is_flag=True, help="For two-sided printing: every form starts on a fresh sheet (blank "
              "backs added). Marks on the back can show through thin paper and go to review.")
@click.pass_context
def generate(ctx: click.Context, layout_name: str, plan: Path | None, trainee: str | None, count: int,
             setting: str | None, assessor: str | None, date_: str | None, subgoals: str | None, out: Path,
             per_trainee: bool, duplex: bool) -> None:
    """Generate personalised, print-ready forms.

    \b
    Examples:
      formkit generate --layout minicex-ntnu-nb --plan plan.csv --out forms.pdf
      formkit generate --layout minicex-st-sv --plan plan.csv --out forms/ --per-trainee --duplex
      formkit generate --layout minicex-ntnu-nb --trainee S001 --count 3 --setting "Poliklinikk" --out s001.pdf
    """
    from formkit.issuing import FormRequest, issue_forms
    ws = get_ws(ctx)
    if bool(plan) == bool(trainee):
        raise UsageErrorLike("give either --plan FILE or --trainee ID")
    if plan:
        requests = [FormRequest(p.trainee_id, p.setting, p.assessor, p.date, p.department, p.subgoals, p.line)
                    for p in read_plan(plan)]
        source = str(plan)
    else:
        if date_:
            try:
                date_ = date.fromisoformat(date_).isoformat()
            except ValueError:
                raise InputDataError(f"--date '{date_}' is not an ISO date (YYYY-MM-DD)") from None
        codes = [s.strip() for s in (subgoals or "").split(";") if s.strip()]
        requests = [FormRequest(str(trainee), setting, assessor, date_, None, codes) for _ in range(count)]
        source = f"--trainee {trainee}"
    done = [0]

    with LazyBar("Generating forms") as bar:
        def step(n: int) -> None:
            done[0] += n
            bar.set(done[0], len(requests))
        res = issue_forms(ws, layout_name, requests, out, duplex=duplex, per_trainee=per_trainee,
                          source=source, progress=step)
    click.echo(f"{len(res.form_ids)} form(s), {res.pages} page(s) → {', '.join(map(str, res.outputs[:3]))}"
               + (" …" if len(res.outputs) > 3 else "") + f"  (batch {res.batch_id})")


@cli.command("reprint")
@click.argument("form_id")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--duplex", is_flag=True, help="Add a blank back to odd-page forms.")
@click.pass_context
def reprint_cmd(ctx: click.Context, form_id: str, out: Path, duplex: bool) -> None:
    """Reproduce an issued form exactly (same id, QR, printed details).

    \b
    Example:
      formkit reprint 7K2Q-9XDM --out replacement.pdf
    """
    from formkit.issuing import reprint
    pages = reprint(get_ws(ctx), normalise_form_id(form_id), out, duplex)
    click.echo(f"Reprinted {normalise_form_id(form_id)}: {pages} page(s) → {out}")


@cli.group()
def forms() -> None:
    """Issued forms."""


@forms.command("list")
@click.option("--trainee", help="Only this trainee's forms.")
@click.option("--outstanding", is_flag=True, help="Only forms issued but not returned yet.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/contracts.md §4).")
@click.pass_context
def forms_list(ctx: click.Context, trainee: str | None, outstanding: bool, as_json: bool) -> None:
    """List issued forms.

    \b
    Examples:
      formkit forms list --trainee S001
      formkit forms list --outstanding
    """
    from formkit.reporting import issued_forms
    ws = get_ws(ctx)
    if trainee and ws.store.trainee(trainee) is None:
        raise NotFound(f"unknown trainee '{trainee}'")
    rows = issued_forms(ws, trainee)
    if outstanding:
        rows = [r for r in rows if not r["returned"]]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No forms." if not outstanding else "No outstanding forms.")
        return
    today = date.today()
    click.echo(f"{'form id':<11}{'trainee':<12}{'#':>3}  {'layout':<18}{'planned':<12}{'status':<14}setting")
    for r in rows:
        status = r["status"]
        if outstanding and r["planned_date"]:
            days = (today - date.fromisoformat(r["planned_date"])).days
            status = f"{days}d overdue" if days > 0 else "not due"
        click.echo(f"{r['form_id']:<11}{r['trainee_id']:<12}{r['encounter']:>3}  {r['layout']:<18}"
                   f"{r['planned_date'] or '-':<12}{status:<14}{r['setting'] or ''}")


@forms.command("show")
@click.argument("form_id")
@click.option("--json", "as_json", is_flag=True, help="Print the form's own geometry (slots bound).")
@click.pass_context
def forms_show(ctx: click.Context, form_id: str, as_json: bool) -> None:
    """Show one issued form, or with --json the exact geometry used to read it.

    \b
    Example:
      formkit forms show 7K2Q-9XDM --json
    """
    ws = get_ws(ctx)
    fid = normalise_form_id(form_id)
    row, geom = form_geom(ws, fid)
    if as_json:
        click.echo(json.dumps({**geom, "form_id": fid}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{fid}  {row['layout']} v{row['version']}  trainee {row['trainee_id']}  encounter {row['encounter']}"
               f"  status {row['status']}")
    for k in ("setting", "assessor", "planned_date", "department"):
        if row[k]:
            click.echo(f"  {k}: {row[k]}")
