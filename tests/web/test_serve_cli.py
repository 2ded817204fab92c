"""`formkit serve` as a real process: it binds to 127.0.0.1, prints a one-time link, warns for other hosts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from formkit.cli.serve import _is_loopback


def _ctrl_c_stops() -> None:
    """As in a terminal: a test run started in the background (`cmd &` in a script) ignores Ctrl-C, and its
    children would inherit that - the server then outlived the test."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(ws_root: Path, *args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("FORMKIT_WEB_PASSWORD", None)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "formkit"), "--workspace", str(ws_root), "serve",
                             "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, preexec_fn=_ctrl_c_stops)
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"(http://\S+/login\?token=\S+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise AssertionError("no login link printed: " + "".join(lines) + proc.stderr.read())


def _stop(proc: subprocess.Popen) -> None:
    """Ctrl-C, as a person stops it; killed (and the test failed) if it does not stop."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("formkit serve did not stop on Ctrl-C: " + proc.stderr.read()) from None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):  # type: ignore[no-untyped-def]
        return None


def _get(url: str) -> tuple[int, dict]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def test_serve_binds_localhost_and_the_link_works_once(office) -> None:  # type: ignore[no-untyped-def]
    proc, link = _start(office.ws.root)
    try:
        assert link.startswith("http://127.0.0.1:")
        base = link.split("/login")[0]
        assert _get(base + "/forms")[0] == 302
        status, headers = _get(link)
        assert status == 302 and "HttpOnly" in headers["Set-Cookie"]
        assert _get(link)[0] == 403  # the token is spent
    finally:
        _stop(proc)
    assert "token=" not in proc.stderr.read()  # request logs leave the query string out


def test_other_hosts_need_an_explicit_flag_and_get_a_warning(office) -> None:  # type: ignore[no-untyped-def]
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.10")
    proc, link = _start(office.ws.root, "--host", "0.0.0.0")
    try:
        time.sleep(0.2)
    finally:
        _stop(proc)
    assert "Warning: listening on 0.0.0.0" in proc.stderr.read()
