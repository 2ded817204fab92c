"""A workspace: one folder holding the database, the secret, the archive of scans and crops.

Commands find it via --workspace, then FORMKIT_WORKSPACE, then the current directory and its
parents (as git does), and say clearly when there is none.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from formkit.errors import NoWorkspace, WorkspaceError
from formkit.qrpayload import new_workspace_id
from formkit.store import Store

DB_NAME = "formkit.sqlite"
SECRET_NAME = "secret.key"
CONFIG_NAME = "formkit.toml"
CONFIG_TEMPLATE = """\
# formkit workspace settings
[report]
# target number of mini-CEX encounters per trainee (NTNU: 8 per placement)
target_encounters = 8

[scan]
# process pages in N worker processes (0 = number of CPU cores)
jobs = 0
"""


@dataclass
class Workspace:
    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def archive_dir(self) -> Path:
        return self.root / "archive"

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"

    @property
    def crops_dir(self) -> Path:
        return self.root / "crops"

    @property
    def cache_dir(self) -> Path:
        """What can be made again from the rest (the print references the reader compares scans with)."""
        return self.root / "cache"

    @property
    def layouts_dir(self) -> Path:
        """A clinic's own layout files; they may add layouts or override built-in ones."""
        return self.root / "layouts"

    @cached_property
    def secret(self) -> bytes:
        try:
            data = (self.root / SECRET_NAME).read_bytes()
        except OSError as e:
            raise WorkspaceError(f"cannot read the workspace secret {self.root / SECRET_NAME}: {e.strerror}") from None
        if len(data) < 32:
            raise WorkspaceError(f"the workspace secret {self.root / SECRET_NAME} is damaged (too short)")
        return data

    @cached_property
    def store(self) -> Store:
        return Store.open(self.db_path)

    @property
    def workspace_id(self) -> str:
        wid = self.store.meta("workspace_id")
        if not wid:
            raise WorkspaceError(f"{self.db_path} has no workspace id: not a formkit workspace")
        return wid

    def config(self) -> dict:
        import tomllib

        p = self.root / CONFIG_NAME
        if not p.exists():
            return {}
        try:
            return tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise WorkspaceError(f"{p}: not valid TOML ({e})") from None


def init_workspace(root: Path) -> Workspace:
    root = root.resolve()
    if (root / DB_NAME).exists():
        raise WorkspaceError(f"{root} is already a formkit workspace")
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("archive", "pages", "crops", "layouts", "exports"):
            (root / sub).mkdir(exist_ok=True)
        secret_path = root / SECRET_NAME
        fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        (root / CONFIG_NAME).write_text(CONFIG_TEMPLATE, encoding="utf-8")
        Store.create(root / DB_NAME, new_workspace_id()).close()
    except (OSError, sqlite3.Error) as e:
        for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", SECRET_NAME, CONFIG_NAME):
            with contextlib.suppress(OSError):
                (root / name).unlink()
        raise WorkspaceError(f"cannot create a workspace in {root}: {getattr(e, 'strerror', None) or e}") from None
    return Workspace(root)


def find_workspace(explicit: str | None = None, cwd: Path | None = None) -> Workspace:
    if explicit:
        root = Path(explicit)
        if not (root / DB_NAME).exists():
            raise NoWorkspace(f"{root} is not a formkit workspace (no {DB_NAME} there)")
        return Workspace(root.resolve())
    env = os.environ.get("FORMKIT_WORKSPACE")
    if env:
        root = Path(env)
        if not (root / DB_NAME).exists():
            raise NoWorkspace(f"FORMKIT_WORKSPACE={env} is not a formkit workspace (no {DB_NAME} there)")
        return Workspace(root.resolve())
    here = (cwd or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / DB_NAME).exists():
            return Workspace(d)
    raise NoWorkspace(f"no formkit workspace here ({here}) or in any folder above it")
