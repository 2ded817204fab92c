"""`formkit serve` (the office web pages) and `formkit watch` (the scanner drop folder)."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import sys
from pathlib import Path

import click

from formkit.cli.main import cli, get_ws

DEFAULT_PORT = 8765


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@cli.command("serve")
@click.option("--host", default=None, metavar="ADDR",
              help="Address to listen on (default 127.0.0.1). Anything else exposes personal data to the network.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port (0: any free port).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Extra Host name the server answers to (with --host; e.g. the machine's DNS name).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int, allow_hosts: tuple[str, ...]) -> None:
    """Start the office web pages: review queue, forms, records, reports and exports.

    Prints a login link with a one-time token; open it in the browser on this computer. Set
    FORMKIT_WEB_PASSWORD to also allow logging in with a password (e.g. after a browser restart).
    Listens on 127.0.0.1 only unless --host is given.

    \b
    Examples:
      formkit serve
      formkit serve --port 8080
      FORMKIT_WEB_PASSWORD=… formkit serve --host 0.0.0.0 --allow-host office-pc.local
    """
    from formkit.web import create_app
    from formkit.web.security import LOOPBACK_HOSTS
    from formkit.web.server import start_server

    ws = get_ws(ctx)
    bind = host or "127.0.0.1"
    allowed: set[str] | None = None
    if host is not None and not _is_loopback(host):
        click.secho(f"Warning: listening on {host}: anyone who can reach this computer can try to log in. "
                    "Scans and records hold personal data; prefer the default 127.0.0.1.", fg="yellow", err=True)
        if not os.environ.get("FORMKIT_WEB_PASSWORD"):
            click.secho("Warning: no FORMKIT_WEB_PASSWORD set; only the one-time link can log in.", fg="yellow",
                        err=True)
        # a name list only helps when it is complete; without --allow-host any Host name is answered
        allowed = (set(LOOPBACK_HOSTS) | {bind.lower()} | {h.lower() for h in allow_hosts}) if allow_hosts else set()
    elif allow_hosts:
        allowed = set(LOOPBACK_HOSTS) | {h.lower() for h in allow_hosts}
    token = secrets.token_urlsafe(24)
    app = create_app(ws, token=token, password=os.environ.get("FORMKIT_WEB_PASSWORD"), allowed_hosts=allowed)
    server = start_server(app, bind, port)
    shown = "127.0.0.1" if bind in ("0.0.0.0", "::") else (f"[{bind}]" if ":" in bind else bind)
    click.echo(f"formkit is serving workspace {ws.root}")
    click.echo(f"Open this link to log in (it works once): http://{shown}:{server.port}/login?token={token}")
    click.echo("Press Ctrl-C to stop.")
    try:
        server.serve_forever()
    finally:
        server.server_close()


@cli.command("watch")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--settle", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds a file's size and time must stay unchanged before it is read (scanner still writing).")
@click.option("--once", is_flag=True, help="Read what is in the folder now, then exit (for cron or tests).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=None,
              help="Worker processes per file (default from formkit.toml; 0 = all cores).")
@click.pass_context
def watch(ctx: click.Context, folder: Path, settle: float, once: bool, jobs: int | None) -> None:
    """Watch a scanner drop folder: read every file that lands there, then file it away.

    A file is read once it has stopped growing for --settle seconds. Afterwards it is moved to
    FOLDER/done/, or to FOLDER/failed/ with a NAME.reason.txt saying why. A bad file never stops
    the watcher. Hidden and temporary files (.part, .tmp, ~) are left alone. One log line per file.
    See docs/formkit-watch.service for running it as a systemd service.

    \b
    Examples:
      formkit watch /srv/scanner/inbox
      formkit watch --once --settle 2 /srv/scanner/inbox     # from cron
    """
    from formkit.watch import DropFolder

    ws = get_ws(ctx)
    if jobs is None:
        jobs = int(ws.config().get("scan", {}).get("jobs", 0))
    if jobs == 0:
        jobs = os.cpu_count() or 1
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S")
    drop = DropFolder(ws.root, folder, settle=settle, jobs=jobs)
    if once:
        n = drop.run_once()
        click.echo(f"{n} file(s) handled.", err=True)
        return
    click.echo(f"Watching {folder.resolve()} (workspace {ws.root}); Ctrl-C to stop.", err=True)
    drop.run_forever()
