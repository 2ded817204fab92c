"""`formkit review …`: the short list of what needs a person, and recording their decisions."""

from __future__ import annotations

import json

import click

from formkit.cli.main import cli, get_ws
from formkit.cli.scan import actor_option
from formkit.review import describe_reason, history, pending, set_value


@cli.group()
def review() -> None:
    """What the scanner was unsure of, and human decisions (audited)."""


@review.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def review_list(ctx: click.Context, as_json: bool) -> None:
    """Fields and pages waiting for a person, least confident first.

    \b
    Example:
      formkit review list
    """
    ws = get_ws(ctx)
    p = pending(ws)
    if as_json:
        click.echo(json.dumps(p, ensure_ascii=False, indent=2))
        return
    if not p["fields"] and not p["pages"] and not p["refused"]:
        click.echo("Nothing needs a person.")
        return
    if p["fields"]:
        click.echo(f"{len(p['fields'])} field(s) to decide  (formkit review set FORM_ID FIELD VALUE)")
        for f in p["fields"]:
            cand = f["candidate"] if f["candidate"] not in (None, []) else "-"
            conf = f"{f['confidence']:.2f}" if f["confidence"] is not None else "-"
            click.echo(f"  {f['form_id']}  {f['field_id']:<20} {f['reason'] or '':<18} candidate {cand!s:<14} "
                       f"conf {conf}  [{', '.join(f['options']) or 'present|none'}]")
        for reason in sorted({f["reason"] for f in p["fields"] if f["reason"]}):
            click.echo(f"    {reason}: {describe_reason(reason)}")
    for pg in p["pages"]:
        if pg["state"] == "unidentified":
            click.echo(f"  page {pg['page_id']} unidentified ({pg['source_file']}[{pg['page_index']}]): "
                       f"{pg['reason']}  → formkit pages assign {pg['page_id']} FORM_ID PAGE_NO")
        else:
            click.echo(f"  page {pg['page_id']} conflict with page {pg['duplicate_of']} ({pg['form_id']} p"
                       f"{pg['page_no']})  → formkit pages resolve {pg['page_id']} --keep new|old")
    if p["refused"]:
        click.echo(f"{len(p['refused'])} page(s) refused when scanned: scan them again, then "
                   "formkit pages set-aside PAGE --reason \"scanned again\"")
        for pg in p["refused"][:SHOWN_REFUSED]:
            click.echo(f"  page {pg['page_id']} ({pg['source_file']} page {pg['page_index'] + 1}): {pg['reason']}")
        if len(p["refused"]) > SHOWN_REFUSED:
            click.echo(f"  … and {len(p['refused']) - SHOWN_REFUSED} more → formkit pages --state rejected")


SHOWN_REFUSED = 10  # refused pages listed one by one; a whole broken batch is counted, not scrolled


@review.command("set")
@click.argument("form_id")
@click.argument("field")
@click.argument("value")
@click.option("--reason", help="Why (kept in the audit trail).")
@actor_option
@click.pass_context
def review_set(ctx: click.Context, form_id: str, field: str, value: str, reason: str | None, actor: str) -> None:
    """Record a person's value for a field (human-verified; never overwritten by a re-scan).

    VALUE is an option value, several joined by ',' for multi-choice fields, 'present' for a
    writing area, or 'none' for no answer.

    \b
    Examples:
      formkit review set 7K2Q-9XDM overall 6
      formkit review set 7K2Q-9XDM focus history,diagnosis --by "Dr. Berg"
      formkit review set 7K2Q-9XDM patient_sex none
    """
    v = set_value(get_ws(ctx), form_id, field, value, actor, reason)
    click.echo(f"{form_id} {field} = {json.dumps(v, ensure_ascii=False)} (verified by {actor})")


@review.command("history")
@click.argument("form_id")
@click.pass_context
def review_history(ctx: click.Context, form_id: str) -> None:
    """Who decided or changed what on a form, and when.

    \b
    Example:
      formkit review history 7K2Q-9XDM
    """
    for h in history(get_ws(ctx), form_id):
        click.echo(f"{h['at']}  {h['actor']:<16} {h['action']:<16} {h['field_id'] or '':<20} "
                   f"{h['old_json'] or '-'} → {h['new_json'] or '-'}  {h['reason'] or ''}")
