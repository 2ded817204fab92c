"""Entry point, global options and the single place where failures become messages and exit codes.

The command modules import the reader, the PDF renderer and the report and export libraries inside the
commands that use them: at the top, every `formkit` command (`--help`, `review list`) first paid ~1 s
for NumPy, OpenCV, reportlab and openpyxl (tests/test_cli_help.py keeps it so).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from formkit import __version__
from formkit.errors import ExitCode, classify
from formkit.workspace import Workspace, find_workspace


class FormkitGroup(click.Group):
    """A click group that turns FormkitError into 'Error: …' plus its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except Exception as e:
            known = classify(e)
            if known is None:
                raise
            code, message, hint = known
            click.secho(f"Error: {message}", fg="red", err=True)
            if hint:
                click.echo(hint, err=True)
            ctx.exit(int(code))
        except KeyboardInterrupt:
            click.echo("\nInterrupted. Nothing half-written was kept; run the same command again to finish.",
                       err=True)
            ctx.exit(int(ExitCode.interrupted))
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(0)


def get_ws(ctx: click.Context) -> Workspace:
    obj = ctx.find_root().obj or {}
    if "ws" not in obj:
        obj["ws"] = find_workspace(obj.get("workspace"))
    return obj["ws"]


pass_ws = click.make_pass_decorator(dict, ensure=True)


@click.group(cls=FormkitGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--workspace", "-w", metavar="DIR", envvar="FORMKIT_WORKSPACE",
              help="Workspace folder (default: $FORMKIT_WORKSPACE, else the current folder or a parent).")
@click.version_option(__version__, prog_name="formkit")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """formkit — printable, scannable mini-CEX forms.

    \b
    Typical day:
      formkit init clinic && cd clinic
      formkit trainees import roster.csv
      formkit generate --layout minicex-ntnu-nb --plan plan.csv --out forms.pdf
      formkit scan stack.pdf          # after the forms come back filled in
      formkit review list
      formkit export --format csv --out records.csv

    Exit codes are listed in docs/exit-codes.md.
    """
    ctx.ensure_object(dict)
    ctx.obj["workspace"] = workspace


def _register() -> None:
    from formkit.cli import forms, layouts_cmd, setup  # noqa: F401  (commands register themselves)
    for mod in ("scan", "review", "export", "report", "serve", "demo"):
        try:
            __import__(f"formkit.cli.{mod}")
        except ModuleNotFoundError as e:
            if e.name != f"formkit.cli.{mod}":
                raise


_register()


def main() -> None:
    cli(prog_name="formkit")
