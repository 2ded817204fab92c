"""`formkit layouts …`: what forms exist and the exact geometry the scanner relies on."""

from __future__ import annotations

import json
from pathlib import Path

import click

from formkit.cli.main import cli
from formkit.errors import NoWorkspace
from formkit.layouts import layout_paths, load_layout, load_layout_file
from formkit.workspace import find_workspace


def _extra_dirs(ctx: click.Context) -> list[Path]:
    try:
        return [find_workspace(ctx.find_root().obj.get("workspace")).layouts_dir]
    except NoWorkspace:
        return []


@cli.group()
def layouts() -> None:
    """Form layouts (built-in and the workspace's own)."""


@layouts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def layouts_list(ctx: click.Context, as_json: bool) -> None:
    """List layouts with version, language and pages.

    \b
    Example:
      formkit layouts list
    """
    from formkit.geometry import build_geometry
    out = []
    for path in layout_paths(_extra_dirs(ctx)).values():
        lay = load_layout_file(path)
        out.append({"layout": lay.id, "version": lay.version, "language": lay.language,
                    "pages": build_geometry(lay).page_count, "title": f"{lay.title} – {lay.subtitle}",
                    "file": str(path)})
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'layout':<22}{'version':>8}  {'lang':<5}{'pages':>5}  title")
    for o in out:
        click.echo(f"{o['layout']:<22}{o['version']:>8}  {o['language']:<5}{o['pages']:>5}  {o['title']}")


@layouts.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the geometry contract as JSON.")
@click.pass_context
def layouts_show(ctx: click.Context, name: str, as_json: bool) -> None:
    """Show a layout's fields, or its exact geometry with --json (docs/contracts.md).

    \b
    Examples:
      formkit layouts show minicex-st-sv
      formkit layouts show minicex-ntnu-nb --json > geometry.json
    """
    from formkit.geometry import build_geometry
    geom = build_geometry(load_layout(name, _extra_dirs(ctx)))
    contract = geom.contract()
    if as_json:
        click.echo(json.dumps(contract, ensure_ascii=False, indent=2))
        return
    click.echo(f"{contract['layout']} v{contract['version']} ({contract['language']}), {contract['pages']} page(s)")
    for f in contract["fields"]:
        opts = ", ".join(o["value"] for o in f.get("options", []))
        req = " required" if f.get("required") else ""
        tail = f"  [{opts}]" if opts else ""
        click.echo(f"  p{f['page']} {f['id']:<22} {f['kind']:<6}{req:<9} {f['label']}{tail}")


@layouts.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def layouts_check(file: Path) -> None:
    """Check a layout file (yours or a clinic's) and report its first problem.

    \b
    Example:
      formkit layouts check my-clinic/layouts/minicex-local.yaml
    """
    from formkit.geometry import build_geometry
    geom = build_geometry(load_layout_file(file))
    click.echo(f"OK: {geom.layout.id} v{geom.layout.version}, {geom.page_count} page(s), {len(geom.fields)} fields")
