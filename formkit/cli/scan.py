"""`formkit scan` and `formkit pages …`: reading stacks, and what became of every page."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from formkit.cli.main import cli, get_ws
from formkit.cli.progress import LazyBar
from formkit.errors import ExitCode
from formkit.review import assign_page, pending, resolve_conflict, set_aside_page
from formkit.store import PAGE_STATES

if TYPE_CHECKING:
    from formkit.ingest import ScanSummary


def actor_option(f):  # type: ignore[no-untyped-def]
    return click.option("--by", "actor", default=lambda: os.environ.get("FORMKIT_USER") or getpass.getuser(),
                        show_default="$FORMKIT_USER or login name", help="Who decides (kept in the audit trail).")(f)


SHOWN_REJECTED = 10  # rejected pages listed with their reason in the summary (the rest: `pages --state rejected`)


def print_summary(s: ScanSummary, ws) -> None:  # type: ignore[no-untyped-def]
    click.echo("")
    click.echo(f"Files: {s.files_new} new, {s.files_skipped} already scanned (skipped), "
               f"{len(s.files_rejected)} rejected")
    for name, reason in s.files_rejected:
        click.echo(f"  rejected {name}: {reason}")
    click.echo("Pages: " + " · ".join(f"{st.replace('_', ' ')} {s.pages.get(st, 0)}" for st in PAGE_STATES))
    for name, page_no, reason in s.pages_rejected[:SHOWN_REJECTED]:
        click.echo(f"  rejected {name} page {page_no}: {reason}")
    if len(s.pages_rejected) > SHOWN_REJECTED:
        click.echo(f"  … and {len(s.pages_rejected) - SHOWN_REJECTED} more: formkit pages --state rejected")
    click.echo(f"Forms: complete {s.forms.get('complete', 0)} · needing review {s.forms.get('needs_review', 0)} · "
               f"incomplete {s.forms.get('incomplete', 0)}")
    if s.one_bit_pages:
        click.echo(f"Scanner setting: {s.one_bit_pages} page(s) were scanned in black and white. Pencil and light "
                   "ink can vanish in that mode without a trace; set the scanner to grey (256 levels), 200-300 dpi.")
    if s.whitened_pages:
        click.echo(f"Scanner setting: {s.whitened_pages} page(s) came with the paper turned pure white (background "
                   "removal, or a scanning app's black-and-white filter). Pencil and light ink can vanish that way "
                   "too; scan in grey with background removal off.")
    if s.low_res_pages:
        click.echo(f"Scanner setting: {s.low_res_pages} page(s) came at low resolution (under 130 dpi on the paper: a "
                   "photo shrunk by a messenger or mail app, a fax in standard mode?). Their boxes often need a "
                   "person; scan at 200-300 dpi, or send the original photos.")
    p = pending(ws)
    n_forms = len({f["form_id"] for f in p["fields"]})
    unident = sum(1 for x in p["pages"] if x["state"] == "unidentified")
    conflicts = sum(1 for x in p["pages"] if x["state"] == "conflict")
    if p["fields"] or p["pages"] or p["refused"]:
        refused = f", {len(p['refused'])} refused page(s) to scan again" if p["refused"] else ""
        click.echo(f"Needs a person: {len(p['fields'])} field(s) on {n_forms} form(s), {unident} unidentified page(s), "
                   f"{conflicts} conflict(s){refused} → formkit review list")
    else:
        click.echo("Nothing needs a person.")


@cli.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=None,
              help="Worker processes (default from formkit.toml; 0 = all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def scan_cmd(ctx: click.Context, paths: tuple[Path, ...], jobs: int | None, as_json: bool) -> None:
    """Read scanned stacks: PDFs, TIFFs, PNG/JPEG files or folders, in any order.

    Every page ends in one state (recognised, needs_review, blank, duplicate, conflict,
    unidentified, rejected); files already scanned are skipped, so running it twice is safe.
    Exit code 0: all read; 10: something needs a person; 11: some input was rejected.

    \b
    Examples:
      formkit scan stack.pdf
      formkit scan --jobs 2 /srv/scanner/2026-11-22/
    """
    ws = get_ws(ctx)
    if jobs is None:
        jobs = int(ws.config().get("scan", {}).get("jobs", 0))
    if jobs == 0:
        jobs = os.cpu_count() or 1
    if jobs > 1:  # the workers' server imports the reader while this process does (two cores: ~0.4 s sooner)
        from formkit.forkserver import start_early
        start_early()
    from formkit.ingest import scan
    with LazyBar("Reading pages") as bar:
        summary = scan(ws, list(paths), jobs=jobs, progress=lambda state, done, total: bar.set(done, total))
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        print_summary(summary, ws)
    ctx.exit(exit_code(summary, ws))


def exit_code(s: ScanSummary, ws) -> int:  # type: ignore[no-untyped-def]
    """11 if input was rejected, else 10 if anything waits for a person, else 0."""
    p = pending(ws)
    if s.files_rejected or s.pages.get("rejected"):
        return int(ExitCode.scan_rejected_input)
    waiting = p["fields"] or p["pages"] or p["refused"]
    return int(ExitCode.scan_needs_review) if waiting or s.forms.get("incomplete") else 0


@cli.group("pages", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/contracts.md §5).")
@click.option("--state", type=click.Choice(PAGE_STATES), help="Only pages in this state.")
@click.pass_context
def pages(ctx: click.Context, as_json: bool, state: str | None) -> None:
    """Every scanned page with its source file, state, form and reason.

    \b
    Examples:
      formkit pages --state unidentified
      formkit pages --json > pages.json
      formkit pages assign 17 7K2Q-9XDM 2
    """
    if ctx.invoked_subcommand:
        return
    ws = get_ws(ctx)
    sql = ("SELECT p.*, f.original_name, f.archived_path FROM pages p JOIN files f ON f.sha256 = p.file_sha256 "
           + ("WHERE p.state=? " if state else "") + "ORDER BY p.page_id")
    rows = ws.store.db.execute(sql, (state,) if state else ()).fetchall()
    out = [{"page_id": r["page_id"], "source_file": r["original_name"], "source_sha256": r["file_sha256"],
            "archived": r["archived_path"], "page_index": r["page_index"], "state": r["state"],
            "form_id": r["form_id"], "page_no": r["page_no"], "reason": r["reason"], "image": r["image_path"]}
           for r in rows]
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not out:
        click.echo("No pages.")
    for o in out:
        where = f"{o['form_id']} p{o['page_no']}" if o["form_id"] else "-"
        click.echo(f"{o['page_id']:>5}  {o['state']:<13} {where:<15} {o['source_file']}[{o['page_index']}]"
                   + (f"  {o['reason']}" if o["reason"] else ""))


@pages.command("assign")
@click.argument("page_id", type=int)
@click.argument("form_id")
@click.argument("page_no", type=int)
@actor_option
@click.pass_context
def pages_assign(ctx: click.Context, page_id: int, form_id: str, page_no: int, actor: str) -> None:
    """Say which form and page an unidentified page is; it is then read with that form's geometry.

    \b
    Example:
      formkit pages assign 17 7K2Q-9XDM 1
    """
    r = assign_page(get_ws(ctx), page_id, form_id, page_no, actor)
    click.echo(f"Page {page_id} → {r['form_id']} page {r['page_no']}: {r['state']}")


@pages.command("set-aside")
@click.argument("page_id", type=int)
@click.option("--reason", required=True, help="What the page is, e.g. 'a referral letter', 'note on the back'.")
@click.option("--form", "form_id", help="The form the page belongs with (a note on its back): listed with it.")
@actor_option
@click.pass_context
def pages_set_aside(ctx: click.Context, page_id: int, reason: str, form_id: str | None, actor: str) -> None:
    """Take an unidentified page off the review list: nothing on it is read into a form.

    The page becomes 'rejected' with reason 'set_aside: ...'; its image is kept and it can still be
    assigned later.

    \b
    Examples:
      formkit pages set-aside 31 --reason "referral letter, not ours"
      formkit pages set-aside 17 --form 7K2Q-9XDM --reason "note on the back: read with the form"
    """
    r = set_aside_page(get_ws(ctx), page_id, reason, actor, form_id)
    click.echo(f"Page {page_id} set aside" + (f" with {r['form_id']}" if r["form_id"] else "") + ".")


@pages.command("resolve")
@click.argument("page_id", type=int)
@click.option("--keep", type=click.Choice(["new", "old"]), required=True,
              help="new: this page's marks; old: the page that was read first.")
@actor_option
@click.pass_context
def pages_resolve(ctx: click.Context, page_id: int, keep: str, actor: str) -> None:
    """Settle a conflict (the same page scanned twice with different marks).

    \b
    Example:
      formkit pages resolve 23 --keep new
    """
    resolve_conflict(get_ws(ctx), page_id, keep, actor)
    click.echo(f"Conflict on page {page_id} settled: kept the {keep} reading.")
